using System.Text.Json;
using SarKit.Grid;
using SarKit.IO.Formats;
using SarKit.Tests.Averaging;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>`sarkit sar` and `sarkit qmatrices` on rectilinear (graded) datasets (issue 19).</summary>
public sealed class RectilinearCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-rect-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private string GradedFile()
    {
        var t = RectilinearAveragingTests.GradedEllipsoid(16, 14, 18, seed: 61);
        var e = TestPhantoms.RandomFields(t.Grid, 2, seed: 5);
        var path = Path.Combine(_dir, "graded.h5");
        SarKitDatasetFile.Write(new SarDataset(t, e), path);
        return path;
    }

    [Fact]
    public void Sar_and_qmatrices_average_a_graded_dataset_and_say_so()
    {
        var path = GradedFile();
        var r = CliRunner.Run("sar", "--fields", path, "--drive", "1@0,1@90", "--mass", "10g", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("rectilinear", j.GetProperty("averaged_grid").GetString());
        Assert.Equal("IEC/IEEE 62704-1", j.GetProperty("method").GetString());
        Assert.True(j.GetProperty("peak_sar_w_per_kg").GetDouble() > 0);
        var text = CliRunner.Run("sar", "--fields", path, "--drive", "1@0,1@90", "--mass", "10g");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("rectilinear", text.Out);
        Assert.DoesNotContain("esample", text.Out + text.Err);

        var q = CliRunner.Run("qmatrices", "--fields", path, "--mass", "10g", "-o", Path.Combine(_dir, "q.h5"), "--json");
        Assert.True(q.ExitCode == 0, q.Err);
        Assert.Equal("rectilinear", JsonDocument.Parse(q.Out).RootElement.GetProperty("averaged_grid").GetString());

        // the demo (uniform) says uniform
        var u = CliRunner.Run("sar", "--fields", CliRunner.DemoFile, "--drive", string.Join(",", Enumerable.Repeat("1@0", CliRunner.Demo.Channels)), "--mass", "10g", "--json");
        Assert.Equal("uniform", JsonDocument.Parse(u.Out).RootElement.GetProperty("averaged_grid").GetString());
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("decreasing")]
    public void Non_finite_or_non_monotonic_coordinates_are_refused_naming_file_field_and_value(string how)
    {
        var path = GradedFile();
        var edges = SarKitDatasetFile.Read(path).Grid.EdgesX.ToArray();
        // patch edges_x[3] in the file's bytes (the edge vectors are stored contiguously, uncompressed)
        var bytes = File.ReadAllBytes(path);
        var pattern = edges.SelectMany(BitConverter.GetBytes).ToArray();
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, "edges_x not found as raw float64 bytes");
        double bad = how == "nan" ? double.NaN : edges[1] - 1e-3;
        BitConverter.GetBytes(bad).CopyTo(bytes, at + 3 * 8);
        File.WriteAllBytes(path, bytes);
        var r = CliRunner.Run("sar", "--fields", path, "--drive", "1@0,1@0", "--mass", "10g");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("graded.h5", r.Err);
        Assert.Contains("edges", r.Err);
        Assert.Contains("edge 3", r.Err);
        Assert.Contains(how == "nan" ? "NaN" : bad.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Err);
    }
}
