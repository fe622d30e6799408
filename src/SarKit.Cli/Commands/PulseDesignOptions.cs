using System.CommandLine;
using SarKit.Fields;
using SarKit.Workflows;

namespace SarKit.Cli.Commands;

/// <summary>
/// The command-line options of the shared pulse-design problem (<see cref="PulseDesignRequest"/>), built once for
/// <c>sarkit shim</c> and <c>sarkit spokes</c>: dataset, originals, constraint sets, limits, region, B1+ sense, starts.
/// </summary>
internal sealed class PulseDesignOptions
{
    private readonly Option<string?> fields = new("--fields", "-f") { Description = "Dataset file (.h5, .mat, .npz); default: the built-in demo dataset." };
    private readonly Option<string?> q = new("--q") { Description = "Original 10 g Q-matrix file (sarkit qmatrices); default: computed from the dataset." };
    private readonly Option<string[]> cons;
    private readonly Option<double> limit = new Option<double>("--limit") { Description = "Local (10 g) SAR limit, time-averaged, W/kg.", DefaultValueFactory = _ => 10 }.Range(0, 1e6, minExclusive: true);
    private readonly Option<double> glimit = new Option<double>("--global-limit") { Description = "Global SAR limit over --global-region, time-averaged, W/kg (0: none).", DefaultValueFactory = _ => 3.2 }.Range(0, 1e6);
    private readonly Option<string> gregion = new("--global-region") { Description = "Mask of the global SAR region (all tissue when the dataset has none).", DefaultValueFactory = _ => "body" };
    private readonly Option<double[]> ppk = new("--channel-peak-power") { Description = "Per-channel peak incident power limit, W (0: none): one value for every channel, or one per channel (space-separated).", DefaultValueFactory = _ => [0], AllowMultipleArgumentsPerToken = true };
    private readonly Option<double[]> pavg = new("--channel-average-power") { Description = "Per-channel time-averaged incident power limit, W (0: none): one value for every channel, or one per channel (space-separated).", DefaultValueFactory = _ => [0], AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> slice = new("--slice") { Description = "Region of interest slice x|y|z=<mm> (nearest voxel layer, tissue only); default: the middle z layer." };
    private readonly Option<string?> mask = new("--roi-mask") { Description = "Region of interest mask of the dataset (with --slice: their intersection)." };
    private readonly Option<string> sense = new("--b1-sense") { Description = "B1+ = (Bx + iBy)/2 (counterclockwise, e^{+iωt}; B0 along −z) or (Bx − iBy)/2 (clockwise; B0 along +z).", DefaultValueFactory = _ => "counterclockwise" };
    private readonly Option<int> starts = new Option<int>("--starts") { Description = "Initial target-phase patterns (phase 0 or the continuation start, then random).", DefaultValueFactory = _ => 5 }.Range(1, 1000);
    private readonly Option<int> seed = new("--seed") { Description = "Seed of the random initial phases.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> iters = new Option<int>("--max-iterations") { Description = "Variable-exchange iterations per start at most.", DefaultValueFactory = _ => 200 }.Range(1, 100_000);
    private readonly Option<double> xtol = new Option<double>("--exchange-tolerance") { Description = "Stop a start when the MLS objective changes by less than this fraction between exchanges.", DefaultValueFactory = _ => 1e-7 }.Range(0, 0.1);

    /// <summary>Print one JSON object on stdout.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };

    /// <param name="constraintHelp">Description of --constraints (the kinds the command accepts).</param>
    public PulseDesignOptions(string constraintHelp)
    {
        cons = new Option<string[]>("--constraints", "-c") { Description = constraintHelp, DefaultValueFactory = _ => ["all"], AllowMultipleArgumentsPerToken = true };
        sense.AcceptOnlyFromAmong("counterclockwise", "clockwise");
    }

    /// <summary>Adds the shared options to <paramref name="cmd"/> (after its own).</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { fields, q, cons, limit, glimit, gregion, ppk, pavg, slice, mask, sense, starts, seed, iters, xtol, Json }) cmd.Options.Add(o);
    }

    /// <summary>The dataset path (--fields, else the demo dataset).</summary>
    public string FieldsPath(ParseResult p) => p.GetValue(fields) ?? DemoData.Locate();

    /// <summary><paramref name="request"/> with the shared options set from the command line.</summary>
    public T Apply<T>(ParseResult p, T request) where T : PulseDesignRequest => (T)(request with
    {
        FieldsPath = FieldsPath(p), QPath = p.GetValue(q), Constraints = p.GetValue(cons) ?? ["all"],
        LocalLimitWPerKg = p.GetValue(limit), GlobalLimitWPerKg = p.GetValue(glimit), GlobalRegion = p.GetValue(gregion)!,
        ChannelPeakPowerW = One(p.GetValue(ppk)), ChannelPeakPowersW = Each(p.GetValue(ppk)),
        ChannelAveragePowerW = One(p.GetValue(pavg)), ChannelAveragePowersW = Each(p.GetValue(pavg)), Slice = p.GetValue(slice), RoiMask = p.GetValue(mask),
        Sense = p.GetValue(sense) == "clockwise" ? B1RotationSense.Clockwise : B1RotationSense.CounterClockwise,
        Starts = p.GetValue(starts), Seed = p.GetValue(seed), MaxIterations = p.GetValue(iters), ExchangeTolerance = p.GetValue(xtol),
    });

    // one value: the limit of every channel; several: one per channel (the use case checks count and values)
    private static double One(double[]? v) => v is { Length: 1 } ? v[0] : 0;
    private static double[]? Each(double[]? v) => v is { Length: > 1 } ? v : null;

    /// <summary>A channel power limit of a result in words: "none", "100 W" or the per-channel list.</summary>
    public static string PowerLimitText(double one, double[]? each) =>
        each is not null ? string.Join(" / ", each.Select(x => x > 0 ? x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "none")) + " W per channel"
        : one > 0 ? one.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) + " W" : "none";
}
