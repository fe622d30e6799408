using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Tests.IO;
using SarKit.Tests.Support;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>
/// <see cref="PeakSarEvaluation.Run"/> (<c>sarkit sar</c>: the drive's field summed channel by channel while reading,
/// <see cref="DatasetFieldStream"/>) against the in-memory pipeline (<see cref="PeakSarEvaluation.Prepare"/> +
/// <see cref="PeakSarEvaluation.Evaluate"/> on a dataset read whole): maps, statuses, peak and cube bit for bit; the region
/// sums (whole body, head, absorbed power) to 1e-12 (|Σ b E|² per voxel instead of bᴴQb, <see cref="SarKit.Sar.RegionPower"/>).
/// </summary>
[Collection("Console")]
public sealed class StreamedPeakSarTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static void AssertSameOutcome(PeakSarOutcome memory, PeakSarOutcome streamed)
    {
        Assert.Equal(memory.PointSar, streamed.PointSar);
        Assert.Equal(memory.AveragedSar, streamed.AveragedSar);
        Assert.Equal(memory.Status, streamed.Status);
        Assert.Equal(memory.PeakVoxel, streamed.PeakVoxel);
        Assert.Equal(memory.PointPeakVoxel, streamed.PointPeakVoxel);
        var m = memory.Result; var s = streamed.Result;
        static PeakSarResult Exact(PeakSarResult r) => r with
        {
            ElapsedS = 0, InputFile = null, OutputFile = null, WholeBodySarWPerKg = 0, AbsorbedPowerW = 0, HeadSarWPerKg = r.HeadSarWPerKg is null ? null : 0,
        };
        Assert.Equal(ResultJson.Serialize(Exact(m)), ResultJson.Serialize(Exact(s))); // psSAR, voxel, cube, statuses, masses, drive, ... exact
        Assert.Equal(m.WholeBodySarWPerKg, s.WholeBodySarWPerKg, 1e-12 * m.WholeBodySarWPerKg);
        Assert.Equal(m.AbsorbedPowerW, s.AbsorbedPowerW, 1e-12 * m.AbsorbedPowerW);
        Assert.Equal(m.HeadSarWPerKg is null, s.HeadSarWPerKg is null);
        if (m.HeadSarWPerKg is { } h) Assert.Equal(h, s.HeadSarWPerKg!.Value, 1e-12 * h);
        Assert.Equal(memory.TissueMassKg, streamed.TissueMassKg);
        Assert.Equal(memory.TissueAverageSarWPerKg, streamed.TissueAverageSarWPerKg, 1e-12 * memory.TissueAverageSarWPerKg);
        Assert.True(s.PeakSarWPerKg > 0);
    }

    private static PeakSarOutcome InMemory(string path, string driveText, double? massKg, string? region = null)
    {
        var ds = DatasetFiles.Open(path);
        var drive = DriveText.Parse(driveText, ds);
        return PeakSarEvaluation.Prepare(ds, massKg).Evaluate(drive, region);
    }

    [Theory]
    [InlineData("cp", 0.010)]
    [InlineData("1@0,0.5@30,0.25@60,1@90,0.7@-120,0.1@170,1@45,0.3@0", 0.010)]
    [InlineData("cp", null)]
    public void Demo_streamed_equals_in_memory(string drive, double? massKg)
    {
        var streamed = PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = CliRunner.DemoFile, Drive = drive, MassKg = massKg });
        AssertSameOutcome(InMemory(CliRunner.DemoFile, drive, massKg), streamed);
    }

    /// <summary>A SarKit file with body and head masks, H and B1+, 3 channels, written uncompressed and gzip-chunked, and as .npz (read whole).</summary>
    [Theory]
    [InlineData("plain.h5", null)]
    [InlineData("gzip.h5", 4)]
    [InlineData("arrays.npz", null)]
    public void Masked_dataset_with_every_field_streamed_equals_in_memory(string name, int? gzip)
    {
        var tissue = TestPhantoms.Ellipsoid(16, 14, 15, 0.004, seed: 7);
        var e = TestPhantoms.RandomFields(tissue.Grid, 3, seed: 8);
        var h = new MultiChannelField(tissue.Grid, 3, FieldQuantity.H, e.Normalisation);
        var b1 = new MultiChannelField(tissue.Grid, 3, FieldQuantity.B1Plus, e.Normalisation);
        for (int c = 0; c < 3; c++) { h.ComponentData(c, 1)[5] = 0.25f; b1.ComponentData(c, 0)[7] = 1e-6f; }
        int nv = tissue.Grid.VoxelCount;
        tissue.SetMask(TissueModel.BodyMask, Enumerable.Range(0, nv).Select(v => tissue.Rho[v] > 0 && v % 11 != 0).ToArray());
        tissue.SetMask(TissueModel.HeadMask, Enumerable.Range(0, nv).Select(v => v < nv / 3).ToArray());
        var ds = new SarDataset(tissue, e) { H = h, B1Plus = b1, Source = "test" };
        var path = _dir.File(name);
        if (name.EndsWith(".npz", StringComparison.Ordinal)) ArrayDatasetMapper.WriteNpz(ds, path);
        else SarKitDatasetFile.Write(ds, path, new SarKitDatasetWriteOptions { FieldGzipLevel = gzip });
        foreach (var (drive, mass, region) in new (string, double?, string?)[] { ("cp", 0.001, null), ("1@10,2@-40,0.5@100", 0.001, TissueModel.HeadMask), ("cp", null, null) })
        {
            var streamed = PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = path, Drive = drive, MassKg = mass, Region = region });
            var memory = InMemory(path, drive, mass, region);
            Assert.NotNull(memory.Result.HeadSarWPerKg);
            AssertSameOutcome(memory, streamed);
        }
    }

    [SharedDataFact("openems-ptx8/ptx8_dipoles_7T.h5")]
    public void OpenEms_reference_streamed_equals_in_memory()
    {
        var path = SharedData.Reference("openems-ptx8/ptx8_dipoles_7T.h5")!;
        var streamed = PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = path, Drive = "cp", MassKg = 0.010 });
        AssertSameOutcome(InMemory(path, "cp", 0.010), streamed);
    }

    [Theory]
    [InlineData("/fields/E", "E channel 1")]
    [InlineData("/fields/H", "H channel 1")]
    [InlineData("/fields/B1plus", "B1Plus channel 1")]
    public void A_non_finite_value_in_a_later_channel_is_refused_with_the_whole_read_message(string dataset, string named)
    {
        var seed = _dir.File("seed.h5");
        SarKitDatasetFile.Write(SarKitDatasetFileTests.Sample(true), seed);
        var bad = _dir.File("bad.h5");
        int perChannel = dataset.EndsWith("B1plus", StringComparison.Ordinal) ? 2 * 24 : 2 * 3 * 24; // Sample: 24 voxels, 2 channels
        SarKitDatasetFiniteTests.CopyWith(seed, bad, dataset, perChannel + 9, double.NaN);
        var whole = Assert.Throws<SarKitInputException>(() => DatasetFiles.Open(bad));
        using var stream = DatasetFieldStream.Open(bad);
        var sum = new DriveFieldSum(stream.Grid, DriveText.Cp(2, stream.Normalisation), stream.FieldSource);
        var streamed = Assert.Throws<SarKitInputException>(() => stream.ReadDrive(sum));
        Assert.Equal(whole.Message, streamed.Message);
        Assert.Contains(named, streamed.Message);
        Assert.Throws<InvalidOperationException>(() => stream.ReadDrive(new DriveFieldSum(stream.Grid, DriveText.Cp(2, stream.Normalisation))));
    }
}
