using System.Text.Json.Nodes;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;

namespace SarKit.Tests.Measurement;

/// <summary>Pulse-energy measurement files: oscilloscope V_pp (eq. 1), pulse shapes, average power meters, bad input.</summary>
public class NemaPulseEnergyInputTests
{
    private static string Example(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);
    private static JsonObject Q(double v, string unit) => new() { ["value"] = v, ["unit"] = unit };
    private static JsonObject Simple() => JsonNode.Parse(File.ReadAllText(Example("pulse_energy_example.json")))!.AsObject();
    private static PulseEnergyEvaluation Eval(JsonObject o) => PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString(), "pe.json"));

    [Fact]
    public void OscilloscopeExampleMatchesScipy()
    {
        // tools/fixtures/nema_budgets.py style independent chain (scipy sici/erf): P = Vpp²/(8·50 Ω); α1 0.5 dB, couplers 60 dB,
        // α2 30 dB; flux loop 2.5 → 1.5 V; 3-lobe sinc 2.56 ms (Si(4π)/(2π) = 0.237484835) + Gaussian 2 ms, σ 0.5 ms
        // (0.441040695); TR 100 ms; 75 kg → P_phantom_2 = 13751.350050976944 W, SAR = 2.732012926181404 W/kg.
        var r = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Read(Example("pulse_energy_oscilloscope.json")));
        Assert.Equal(13751.350050976944, r.PhantomPeakPowerW, 8);
        Assert.Equal(2.732012926181404, r.SarWPerKg, 12);
        Assert.Equal(0.23748483494182754, r.Input.Pulses[0].ShapeFactor.Si, 12);
        Assert.Equal(0.44104069538121077, r.Input.Pulses[1].ShapeFactor.Si, 12);
        Assert.Equal("Vpp", r.Input.Loaded.Forward.Unit);
        Assert.Equal(2.6 * 2.6 / 400, r.Input.Loaded.Forward.Si, 15);
        Assert.True(r.Loading!.Passed); // 0.9576 vs human 0.9: +6.4 % within ±20 %
        Assert.Equal(180, r.Input.Pulses[1].TipAngle!.Value.Si * 180 / Math.PI, 12);
    }

    [Fact]
    public void ShapeFactorFromB1RmsAndPeakOrSamplesEqualsTheGivenFactor()
    {
        var given = Eval(Simple()).SarWPerKg;
        var o = Simple();
        o["pulses"] = new JsonArray(new JsonObject { ["B1rms"] = Q(10, "uT"), ["B1peak"] = Q(0.01, "mT"), ["duration"] = Q(1, "ms"), ["count"] = 2 });
        Assert.Equal(given, Eval(o).SarWPerKg, 12);
        // B1rms = B1peak/2 → factor 1/4
        o["pulses"] = new JsonArray(new JsonObject { ["B1rms"] = Q(5, "µT"), ["B1peak"] = Q(10, "uT"), ["duration"] = Q(1, "ms"), ["count"] = 2 });
        Assert.Equal(given / 4, Eval(o).SarWPerKg, 12);
        // samples [1, −1, 0.5, 0.5] → (1 + 1 + 0.25 + 0.25)/(4 · 1) = 0.625
        o["pulses"] = new JsonArray(new JsonObject { ["shape"] = new JsonObject { ["type"] = "samples", ["amplitudes"] = new JsonArray(1, -1, 0.5, 0.5) }, ["duration"] = Q(1, "ms"), ["count"] = 2 });
        Assert.Equal(given * 0.625, Eval(o).SarWPerKg, 12);
        o["pulses"] = new JsonArray(new JsonObject { ["shape"] = new JsonObject { ["type"] = "rect" }, ["duration"] = Q(1000, "ms"), ["count"] = 2 });
        Assert.Equal(given * 1000, Eval(o).SarWPerKg, 9);
    }

    [Fact]
    public void AveragePowerMeterSkipsTheShapeStep()
    {
        var o = Simple();
        o["power_measurement"] = "average";
        o.Remove("pulses");
        o.Remove("TR");
        var r = Eval(o);
        Assert.Equal(921.52, r.AveragePowerW, 12); // P_phantom_2 is already the average power
        Assert.Equal(921.52 / 80, r.SarWPerKg, 12);
        Assert.True(double.IsNaN(r.EnergyPerTrJ));
    }

    [Fact]
    public void DecibelAndFractionAttenuationsGiveTheSameSar()
    {
        var a = Simple();
        a["alpha1"] = Q(0.5, "dB"); a["alpha_cf"] = Q(50, "dB"); a["alpha_cr"] = Q(40, "dB"); a["alpha2"] = Q(3, "dB");
        var b = Simple();
        b["alpha1"] = Q(Math.Pow(10, -0.05), "fraction"); b["alpha_cf"] = Q(1e-5, "fraction"); b["alpha_cr"] = Q(1e-4, "fraction"); b["alpha2"] = Q(Math.Pow(10, -0.3), "fraction");
        foreach (var o in new[] { a, b })
        {
            o["unloaded"]!["P_forward"] = Q(1e-3, "W"); o["unloaded"]!["P_reflected"] = Q(0.01, "mW"); o["unloaded"]!["P_other"] = Q(0, "W");
            o["loaded"]!["P_forward"] = Q(8e-3, "W"); o["loaded"]!["P_reflected"] = Q(0.05, "mW");
        }
        Assert.Equal(Eval(a).SarWPerKg, Eval(b).SarWPerKg, 12);
        Assert.True(Eval(a).SarWPerKg > 0);
    }

    [Theory]
    [InlineData("missing-phantom-1", "missing required field 'unloaded'")]
    [InlineData("missing-phantom-1-power", "missing required field 'unloaded.P_forward'")]
    [InlineData("negative-attenuation", "'alpha1'")]
    [InlineData("gain-fraction", "'alpha_cf'")]
    [InlineData("vpp-without-z0", "'Z0'")]
    [InlineData("two-shapes", "exactly one of 'shape_factor'")]
    [InlineData("unknown-shape", "expected rect, sinc, gaussian or samples")]
    [InlineData("rms-above-peak", "B1rms")]
    [InlineData("no-flux-loops", "'unloaded.flux_loop_voltages': expected a non-empty array")]
    [InlineData("coil-loss-exceeds-net", "P_phantom_2")]
    [InlineData("unloaded-net-not-positive", "P_CPL_unloaded")]
    [InlineData("bad-power-kind", "'power_measurement'")]
    [InlineData("peak-without-TR", "missing required field 'TR'")]
    public void BadInputIsAClearError(string mutation, string expected)
    {
        var o = Simple();
        switch (mutation)
        {
            case "missing-phantom-1": o.Remove("unloaded"); break;
            case "missing-phantom-1-power": o["unloaded"]!.AsObject().Remove("P_forward"); break;
            case "negative-attenuation": o["alpha1"] = Q(-0.5, "dB"); break;
            case "gain-fraction": o["alpha_cf"] = Q(1.5, "fraction"); break;
            case "vpp-without-z0": o["loaded"]!["P_forward"] = Q(2, "Vpp"); break;
            case "two-shapes": o["pulses"]![0]!["shape"] = new JsonObject { ["type"] = "rect" }; break;
            case "unknown-shape": o["pulses"]![0]!.AsObject().Remove("shape_factor"); o["pulses"]![0]!["shape"] = new JsonObject { ["type"] = "hann" }; break;
            case "rms-above-peak": o["pulses"]![0]!.AsObject().Remove("shape_factor"); o["pulses"]![0]!["B1rms"] = Q(2, "uT"); o["pulses"]![0]!["B1peak"] = Q(1, "uT"); break;
            case "no-flux-loops": o["unloaded"]!["flux_loop_voltages"] = new JsonArray(); break;
            case "coil-loss-exceeds-net": o["loaded"]!["P_forward"] = Q(70, "W"); break;
            case "unloaded-net-not-positive": o["unloaded"]!["P_reflected"] = Q(100, "W"); break;
            case "bad-power-kind": o["power_measurement"] = "rms"; break;
            case "peak-without-TR": o.Remove("TR"); break;
        }
        var e = Assert.Throws<SarKitInputException>(() => Eval(o));
        Assert.Contains(expected, e.Message);
    }
}
