using System.Numerics;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.PulseDesign;

/// <summary>
/// Per-channel incident power limits of the pulse-design requests (<see cref="PulseDesignRequest.ChannelPeakPowersW"/>,
/// <see cref="PulseDesignRequest.ChannelAveragePowersW"/>; CLI: one value or one per channel): a list of equal values is the
/// one-value design, a tight limit on one channel holds on that channel in the certified design (shim and spokes), and bad
/// lists are refused with the option named.
/// </summary>
public class ChannelPowerLimitTests
{
    private sealed class Fixture : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Data { get; }
        public Fixture()
        {
            Data = Dir.File("ds.h5");
            // the synthetic fields are per ampere; power limits need a drive unit with an incident power: the same numbers read as per incident volt
            var ds = SyntheticDatasets.Ptx(4, (14, 12, 10), 0.02, 297.2e6, false, 0, includeH: true);
            var perVolt = new SarDataset(ds.Tissue, PerVolt(ds.E)) { H = PerVolt(ds.H!), FrequencyHz = ds.FrequencyHz };
            SarKitDatasetFile.Write(perVolt, Data);
        }

        private static MultiChannelField PerVolt(MultiChannelField f)
        {
            var g = new MultiChannelField(f.Grid, f.Channels, f.Quantity, FieldNormalisation.PerVoltIncident, f.ChannelNames) { Source = f.Source };
            for (int c = 0; c < f.Channels; c++)
                for (int k = 0; k < f.Components; k++) f.ComponentData(c, k).CopyTo(g.ComponentData(c, k), 0);
            return g;
        }
        public void Dispose() => Dir.Dispose();
    }

    private static readonly Lazy<Fixture> s_fixture = new(() => new Fixture());

    // incident power per squared drive amplitude of the result's normalisation (W per unit²)
    private static double Kappa(string normalisation) => normalisation switch
    {
        "per_volt_incident" => 1 / (2 * SarKit.Fields.IncidentPower.ReferenceImpedanceOhm),
        "per_sqrt_watt_incident" => 1.0,
        _ => throw new InvalidOperationException($"test dataset normalised {normalisation}: no incident power"),
    };

    [Fact]
    public void AListOfEqualLimitsIsTheOneValueDesign()
    {
        var f = s_fixture.Value;
        var one = RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, ChannelPeakPowerW = 0.05, DutyCycle = 0.5 });
        var each = RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, ChannelPeakPowersW = [0.05, 0.05, 0.05, 0.05], DutyCycle = 0.5 });
        Assert.Null(one.ChannelPeakPowersW);
        Assert.Equal([0.05, 0.05, 0.05, 0.05], each.ChannelPeakPowersW!);
        Assert.Equal(0, each.ChannelPeakPowerW);
        Assert.Equal(one.Designs[0].Amplitude, each.Designs[0].Amplitude);
        Assert.Equal(one.Designs[0].Nrmse, each.Designs[0].Nrmse);
    }

    [Fact]
    public void ATightLimitOnOneChannelHoldsInTheCertifiedShimAndSpokes()
    {
        var f = s_fixture.Value;
        // the unlimited shim's power on channel 2 (index 1), then a limit of a quarter of it on that channel only
        var free = RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, DutyCycle = 0.5 });
        double kappa = Kappa(free.Normalisation), p1 = kappa * free.Designs[0].Amplitude[1] * free.Designs[0].Amplitude[1];
        Assert.True(p1 > 0);
        double[] peak = [0, p1 / 4, 0, 0];
        var shim = RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, DutyCycle = 0.5, ChannelPeakPowersW = peak });
        Assert.True(shim.Passed);
        var d = shim.Designs[0];
        Assert.True(kappa * d.Amplitude[1] * d.Amplitude[1] <= peak[1] * (1 + 1e-9), $"channel 2: {kappa * d.Amplitude[1] * d.Amplitude[1]} W > {peak[1]} W");
        Assert.True(d.Nrmse >= free.Designs[0].Nrmse - 1e-9, "a tighter limit cannot improve the optimum");

        // spokes, average power of channel 3 limited: Σ_j c_j κ|w_{3,j}|² ≤ P_avg,3
        var spokesFree = SpokesDesign.Run(new SpokesRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, SubPulses = 2, RepetitionTimeS = 2e-3 });
        double Avg(SpokesResult r, int c) => r.Designs[0].SubPulses.Select((s, j) => r.SarWeights[j] * kappa * s.Amplitude[c] * s.Amplitude[c]).Sum();
        double a2 = Avg(spokesFree, 2);
        double[] avg = [0, 0, a2 / 4, 0];
        var spokes = SpokesDesign.Run(new SpokesRequest { FieldsPath = f.Data, Slice = "z=0", Starts = 1, SubPulses = 2, RepetitionTimeS = 2e-3, ChannelAveragePowersW = avg });
        Assert.True(spokes.Passed);
        Assert.Equal(avg, spokes.ChannelAveragePowersW!);
        Assert.True(Avg(spokes, 2) <= avg[2] * (1 + 1e-9), $"channel 3: {Avg(spokes, 2)} W > {avg[2]} W");
    }

    [Fact]
    public void BadListsAreRefusedNamingTheOption()
    {
        var f = s_fixture.Value;
        var count = Assert.Throws<SarKitInputException>(() => RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, ChannelPeakPowersW = [1, 2, 3] }));
        Assert.Contains("--channel-peak-power", count.Message);
        Assert.Contains("3 values for 4 channels", count.Message);
        var both = Assert.Throws<SarKitInputException>(() => SpokesDesign.Run(new SpokesRequest { FieldsPath = f.Data, ChannelAveragePowerW = 1, ChannelAveragePowersW = [1, 1, 1, 1] }));
        Assert.Contains("--channel-average-power", both.Message);
        var negative = Assert.Throws<SarKitInputException>(() => RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, ChannelAveragePowersW = [1, -1, 1, 1] }));
        Assert.Contains("channel 2", negative.Message);
        Assert.Throws<SarKitInputException>(() => RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, ChannelPeakPowersW = [1, double.NaN, 1, 1] }));
        var cli = CliRunner.Run("shim", "--fields", f.Data, "--channel-peak-power", "1", "2");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("2 values for 4 channels", cli.Err);
    }
}
