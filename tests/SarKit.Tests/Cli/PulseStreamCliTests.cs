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
}
