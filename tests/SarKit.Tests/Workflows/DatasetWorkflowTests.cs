using SarKit.Tests.Cli;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary><see cref="DatasetDescription"/>, <see cref="QMatrixExport"/> and <see cref="PreparedAveraging"/> called directly.</summary>
public sealed class DatasetWorkflowTests
{
    [Fact]
    public void Description_of_the_demo_equals_info_json()
    {
        var d = DatasetDescription.Describe(CliRunner.DemoFile);
        Assert.Equal((42, 32, 43), (d.Grid.Nx, d.Grid.Ny, d.Grid.Nz));
        Assert.Equal(8, d.Channels);
        Assert.Equal("per_volt_incident", d.Normalisation);
        var cli = CliRunner.Run("info", CliRunner.DemoFile, "--json");
        Assert.Equal(0, cli.ExitCode);
        Assert.Equal(ResultJson.Serialize(d), cli.Out.TrimEnd('\r', '\n'));
    }

    [Fact]
    public void Point_q_matrix_export_writes_one_matrix_per_tissue_voxel()
    {
        using var dir = new TempDir();
        var output = dir.File("q.h5");
        var r = QMatrixExport.Run(new QMatrixExportRequest { FieldsPath = CliRunner.DemoFile, OutputPath = output, MassKg = null });
        Assert.Equal("point", r.Kind);
        Assert.Equal(DatasetDescription.Describe(CliRunner.DemoFile).TissueVoxels, r.Count);
        Assert.Null(r.StatusCounts);
        Assert.True(File.Exists(output));
        Assert.Throws<SarKitInputException>(() => QMatrixExport.Run(new QMatrixExportRequest { FieldsPath = CliRunner.DemoFile, OutputPath = dir.File("q.npz") }));
    }

    [Fact]
    public void Prepared_averaging_status_counts_cover_the_grid()
    {
        var ds = CliRunner.Demo;
        var a = PreparedAveraging.Prepare(ds, 0.010);
        var s = a.StatusCounts();
        Assert.Equal(ds.Grid.VoxelCount, s.Valid + s.Used + s.Unused + s.Background);
        Assert.Equal(ds.Grid.VoxelCount, a.Status.Length);
        Assert.True(a.Padding.Cells >= 0);
    }
}

/// <summary><see cref="Demo"/> input checks (the full run is covered by the demo CLI tests).</summary>
public sealed class DemoWorkflowTests
{
    [Fact]
    public void Demo_needs_at_least_one_random_drive()
    {
        var e = Assert.Throws<SarKitInputException>(() => Demo.Run(new DemoRequest { DatasetPath = "unused.h5", RandomDrives = 0 }));
        Assert.Contains("at least 1", e.Message);
    }
}
