using System.Text.Json;
using SarKit.IO.Formats;
using SarKit.Tests.Supervision;

namespace SarKit.Tests.Cli;

/// <summary>`sarkit pulse check WAVE.npy`: streamed non-periodic waveform, exact windows, exit codes 0 / 3 / 2.</summary>
public class PulseStreamCliTests
{
    private static string WriteWave(TempDir dir, string name, int n, int len, double amp)
    {
        var path = dir.File(name);
        var re = new double[n * len]; var im = new double[n * len];
        // a 200-sample burst of constant drive amp on every channel, at sample 1000 of 5000 (Δt = 1 ms)
        for (int c = 0; c < n; c++) for (int s = 1000; s < 1200; s++) re[c * len + s] = amp;
        using var w = WaveformStreamFile.Create(path, n, len, "V", 1e-3, complex64: false);
        w.Append(re, im, len); w.Complete();
        return path;
    }

    [Fact]
    public void StreamedWaveformPassesFailsAndIsRefusedWithTheRightExitCodes()
    {
        using var dir = new TempDir();
        var set = SupervisionMatrices.Certified(1, [0.5, 0.8], [0.5, 0.8]);
        var vops = dir.File("vops.h5");
        SarKit.IO.Formats.VopSetFile.Write(set, vops);
        // 1 channel, VOPs 0.5 and 0.8 W/kg/V²: burst energy 0.8·amp²·0.2 s; 10 s window: 0.016·amp² W/kg; 360 s: 0.2/360·0.8·amp²
        var low = WriteWave(dir, "low.npy", 1, 5000, 10);   // 1.6 W/kg over 10 s (limit 20)
        var r = CliRunner.Run("pulse", "check", low, "--vops", vops, "--json", "--block", "7");
        Assert.Equal(0, r.ExitCode);
        using (var doc = JsonDocument.Parse(r.Out))
        {
            var l10 = doc.RootElement.GetProperty("limits").EnumerateArray().First(x => x.GetProperty("metric").GetString() == "local_head" && x.GetProperty("window_s").GetDouble() == 10);
            double sar = l10.GetProperty("sar_w_per_kg").GetDouble(), eps = l10.GetProperty("edge_error_bound_w_per_kg").GetDouble();
            Assert.True(sar >= 1.6 * (1 - 1e-13) && sar - 2 * eps <= 1.6 * (1 + 1e-13), $"{sar} ε {eps}");
            Assert.Equal(1, l10.GetProperty("matrix_index").GetInt32());
            Assert.Equal("once", doc.RootElement.GetProperty("repetition").GetString());
            Assert.Equal(5.0, doc.RootElement.GetProperty("period_s").GetDouble(), 12);
        }
        var high = WriteWave(dir, "high.npy", 1, 5000, 40);  // 25.6 W/kg over 10 s: exceeds 20
        var h = CliRunner.Run("pulse", "check", high, "--vops", vops);
        Assert.Equal(3, h.ExitCode);
        Assert.Contains("FAIL", h.Out);
        Assert.Contains("exact windows", h.Out);
        // steady: the 5 s file repeats, so a 10 s window holds the burst twice
        var st = CliRunner.Run("pulse", "check", low, "--vops", vops, "--json", "--repeat", "steady");
        Assert.Equal(0, st.ExitCode);
        using (var doc = JsonDocument.Parse(st.Out))
        {
            var l10 = doc.RootElement.GetProperty("limits").EnumerateArray().First(x => x.GetProperty("metric").GetString() == "local_head" && x.GetProperty("window_s").GetDouble() == 10);
            Assert.Equal(3.2, l10.GetProperty("sar_w_per_kg").GetDouble(), 6);
        }
        // truncated file, NaN sample, --tr and --timeline: exit 2 naming the file
        File.Copy(low, dir.File("t.npy")); File.Copy(WaveformStreamFile.SidecarPath(low), dir.File("t.json"));
        using (var fs = new FileStream(dir.File("t.npy"), FileMode.Open)) fs.SetLength(fs.Length - 8);
        var t = CliRunner.Run("pulse", "check", dir.File("t.npy"), "--vops", vops);
        Assert.Equal(2, t.ExitCode);
        Assert.Contains("t.npy", t.Err);
        Assert.Equal(2, CliRunner.Run("pulse", "check", low, "--vops", vops, "--tr", "10").ExitCode);
        Assert.Equal(2, CliRunner.Run("pulse", "check", low, "--vops", vops, "--timeline", dir.File("tl.csv")).ExitCode);
        var nanPath = dir.File("nan.npy");
        var re = new double[100]; re[42] = double.NaN;
        using (var w = WaveformStreamFile.Create(nanPath, 1, 100, "V", 1e-3, complex64: false)) { w.Append(re, new double[100], 100); w.Complete(); }
        var nan = CliRunner.Run("pulse", "check", nanPath, "--vops", vops);
        Assert.Equal(2, nan.ExitCode);
        Assert.Contains("sample 42 of channel 0", nan.Err);
    }

    /// <summary>An 8-channel complex int16 file (codes, sidecar lsb = 2⁻⁸ V): the same SAR as the complex64 file of the same
    /// values within 2ε, exit 0 / 3; missing scale, zero scale and a partial sample refused with exit 2 naming the file.</summary>
    [Fact]
    public void Int16WaveformGivesTheComplex64ResultAndBadInt16FilesExitTwo()
    {
        using var dir = new TempDir();
        const int n = 8, len = 5000;
        const double lsb = 1.0 / 256;
        // two diagonal VOPs q·I, q = 0.5 and 0.8 W/kg per V²
        var diag = new double[2 * n * n];
        for (int c = 0; c < n; c++) { diag[c] = 0.5; diag[n * n + c] = 0.8; }
        var set = SupervisionMatrices.Certified(n, diag, diag);
        var vops = dir.File("vops8.h5");
        SarKit.IO.Formats.VopSetFile.Write(set, vops);
        string Write(string name, double amp, bool int16)
        {
            var path = dir.File(name);
            var re = new double[n * len]; var im = new double[n * len];
            for (int c = 0; c < n; c++) for (int s = 1000; s < 1200; s++) { re[c * len + s] = amp * (c + 1) / 8; im[c * len + s] = -amp / 4; }
            using var w = int16 ? WaveformStreamFile.CreateInt16(path, n, len, "V", 1e-3, lsb) : WaveformStreamFile.Create(path, n, len, "V", 1e-3);
            w.Append(re, im, len); w.Complete();
            return path;
        }
        double Sar10(string json, out double eps)
        {
            using var doc = JsonDocument.Parse(json);
            var l10 = doc.RootElement.GetProperty("limits").EnumerateArray().First(x => x.GetProperty("metric").GetString() == "local_head" && x.GetProperty("window_s").GetDouble() == 10);
            eps = l10.GetProperty("edge_error_bound_w_per_kg").GetDouble();
            return l10.GetProperty("sar_w_per_kg").GetDouble();
        }
        var i16 = CliRunner.Run("pulse", "check", Write("low16.npy", 2, true), "--vops", vops, "--json");
        var c64 = CliRunner.Run("pulse", "check", Write("low64.npy", 2, false), "--vops", vops, "--json");
        Assert.Equal(0, i16.ExitCode);
        Assert.Equal(0, c64.ExitCode);
        double a = Sar10(i16.Out, out var ea), b = Sar10(c64.Out, out var eb);
        // known answer: 0.8·Σ_c|x_c|²·0.2 s / 10 s with Σ_c|x_c|² = amp²(Σ(c+1)²/64 + 8/16) = 3.6875·amp² (codes exact at lsb 2⁻⁸)
        double expected = 0.8 * 3.6875 * 4 * 0.2 / 10;
        Assert.InRange(expected, a - 2 * ea - 1e-12 * expected, a + 1e-12 * expected);
        Assert.InRange(a - b, -2 * Math.Max(ea, eb), 2 * Math.Max(ea, eb));
        Assert.Equal(3, CliRunner.Run("pulse", "check", Write("high16.npy", 100, true), "--vops", vops).ExitCode);
        var low16 = dir.File("low16.npy");
        var side = WaveformStreamFile.SidecarPath(low16);
        var json = File.ReadAllText(side);
        File.WriteAllText(side, json.Replace("\"lsb\":0.00390625", "\"lsb\":0"));
        var zero = CliRunner.Run("pulse", "check", low16, "--vops", vops);
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("lsb", zero.Err);
        File.WriteAllText(side, json.Replace(",\"lsb\":0.00390625", ""));
        var none = CliRunner.Run("pulse", "check", low16, "--vops", vops);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("low16.json", none.Err);
        File.WriteAllText(side, json);
        using (var fs = new FileStream(low16, FileMode.Open)) fs.SetLength(fs.Length - 2);
        var cut = CliRunner.Run("pulse", "check", low16, "--vops", vops);
        Assert.Equal(2, cut.ExitCode);
        Assert.Contains("partial sample", cut.Err);
    }
}
