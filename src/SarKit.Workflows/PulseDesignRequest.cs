using System.Globalization;
using SarKit.Constraints;
using SarKit.Fields;

namespace SarKit.Workflows;

/// <summary>
/// The pTx pulse-design problem shared by <see cref="RfShimDesign"/> (<c>sarkit shim</c>) and <see cref="SpokesDesign"/>
/// (<c>sarkit spokes</c>): dataset, region of interest, local-SAR constraint sets, SAR and channel-power limits and the
/// magnitude-least-squares starts (docs/pulse-design.md). The target (|B1+| in µT for the shim, flip angle in degrees for
/// spokes) and the pulse timing belong to each use case's request.
/// </summary>
public abstract record PulseDesignRequest
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Dataset file (.h5, .mat, .npz) with E (and H or B1+ when available).</summary>
    public required string FieldsPath { get; init; }
    /// <summary>
    /// Local SAR constraint sets, one design each, the first is written: "all" (every original 10 g matrix), "vop=FILE", "mvie=FILE",
    /// "vop-seeded=FILE" (designed with the VOP set, then polished against every original by row generation from that design).
    /// </summary>
    public IReadOnlyList<string> Constraints { get; init; } = ["all"];
    /// <summary>Original 10 g Q-matrix file (<c>sarkit qmatrices</c>); null: computed from the dataset (IEC/IEEE 62704-1, 10 g).</summary>
    public string? QPath { get; init; }
    /// <summary>Local (10 g) SAR limit, time-averaged, W/kg (IEC 60601-2-33 normal mode, head/trunk: 10).</summary>
    public double LocalLimitWPerKg { get; init; } = 10;
    /// <summary>Global SAR limit over <see cref="GlobalRegion"/>, time-averaged, W/kg (0: none; IEC 60601-2-33 normal mode whole body: 2, head: 3.2).</summary>
    public double GlobalLimitWPerKg { get; init; } = 3.2;
    /// <summary>Mask of the global SAR region; all tissue when the dataset has no such mask.</summary>
    public string GlobalRegion { get; init; } = "body";
    /// <summary>Per-channel peak incident power limit, W (0: none).</summary>
    public double ChannelPeakPowerW { get; init; }
    /// <summary>Per-channel time-averaged incident power limit, W (0: none).</summary>
    public double ChannelAveragePowerW { get; init; }
    /// <summary>Peak incident power limit of each channel, W, one value per channel in channel order (0: none for that channel); null: <see cref="ChannelPeakPowerW"/> for every channel.</summary>
    public IReadOnlyList<double>? ChannelPeakPowersW { get; init; }
    /// <summary>Time-averaged incident power limit of each channel, W, one value per channel (0: none for that channel); null: <see cref="ChannelAveragePowerW"/> for every channel.</summary>
    public IReadOnlyList<double>? ChannelAveragePowersW { get; init; }
    /// <summary>Region slice "x|y|z=&lt;mm&gt;" (nearest voxel layer); null with no mask: the middle z layer.</summary>
    public string? Slice { get; init; }
    /// <summary>Region mask name of the dataset (intersected with the slice when both are given).</summary>
    public string? RoiMask { get; init; }
    /// <summary>Which rotating component is B1+.</summary>
    public B1RotationSense Sense { get; init; } = B1RotationSense.CounterClockwise;
    /// <summary>Initial target-phase patterns (phase 0 or a continuation start, then random).</summary>
    public int Starts { get; init; } = 5;
    /// <summary>Seed of the random initial phases.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Variable-exchange iterations per start at most.</summary>
    public int MaxIterations { get; init; } = 200;
    /// <summary>Stop a start when the MLS objective changes by less than this fraction between exchanges.</summary>
    public double ExchangeTolerance { get; init; } = 1e-7;
    /// <summary>Solver settings (benchmarks, tests); null: the defaults with <see cref="Starts"/>, <see cref="Seed"/>, <see cref="MaxIterations"/> and <see cref="ExchangeTolerance"/>.</summary>
    public RfShimOptions? Solver { get; init; }

    /// <summary>The solver settings of this request (<see cref="Solver"/>, else the defaults from the request's options).</summary>
    internal RfShimOptions SolverOptions() =>
        Solver ?? new RfShimOptions { Starts = Starts, Seed = Seed, MaxIterations = MaxIterations, RelativeTolerance = ExchangeTolerance };

    /// <summary>
    /// Incident power per squared drive amplitude, W per unit², of a dataset normalisation: 1/(2·Z0) per incident volt
    /// (peak amplitude, Z0 = <see cref="IncidentPower.ReferenceImpedanceOhm"/>), 1 per √W; null when the drive unit defines no incident power.
    /// </summary>
    internal static double? PowerPerDriveUnitSquared(FieldNormalisation norm) => norm switch
    {
        FieldNormalisation.PerVoltIncident => 1 / (2 * IncidentPower.ReferenceImpedanceOhm),
        FieldNormalisation.PerSqrtWattIncident => 1.0,
        _ => null,
    };

    /// <summary>Peak incident power limit of each of <paramref name="channels"/> channels, W (0: none).</summary>
    internal double[] PeakPowerLimits(int channels) => ChannelLimits(ChannelPeakPowersW, ChannelPeakPowerW, channels, "--channel-peak-power");

    /// <summary>Time-averaged incident power limit of each of <paramref name="channels"/> channels, W (0: none).</summary>
    internal double[] AveragePowerLimits(int channels) => ChannelLimits(ChannelAveragePowersW, ChannelAveragePowerW, channels, "--channel-average-power");

    /// <summary>True when any channel has a peak or average power limit.</summary>
    internal bool HasPowerLimits(int channels) => PeakPowerLimits(channels).Any(x => x > 0) || AveragePowerLimits(channels).Any(x => x > 0);

    private static double[] ChannelLimits(IReadOnlyList<double>? each, double all, int channels, string option)
    {
        if (each is null) return Enumerable.Repeat(all, channels).ToArray();
        if (each.Count != channels)
            throw new SarKitInputException($"{option}: {each.Count} values for {channels} channels; give one value for every channel or one per channel.");
        return each.ToArray();
    }

    /// <summary>Checks the shared options (exit 2 with the option's name and value); <paramref name="kinds"/>: the constraint kinds the use case accepts.</summary>
    internal void CheckCommon(params string[] kinds)
    {
        static void Pos(double v, string name, bool zeroOk = false)
        {
            if (!double.IsFinite(v) || v < 0 || (!zeroOk && v == 0)) throw new SarKitInputException($"{name} {v.ToString(Inv)}: expected a finite value {(zeroOk ? "≥ 0" : "> 0")}.");
        }
        Pos(LocalLimitWPerKg, "--limit"); Pos(GlobalLimitWPerKg, "--global-limit", true);
        Pos(ChannelPeakPowerW, "--channel-peak-power", true); Pos(ChannelAveragePowerW, "--channel-average-power", true);
        foreach (var (each, all, name) in new[] { (ChannelPeakPowersW, ChannelPeakPowerW, "--channel-peak-power"), (ChannelAveragePowersW, ChannelAveragePowerW, "--channel-average-power") })
        {
            if (each is null) continue;
            if (all != 0) throw new SarKitInputException($"{name}: give one value for every channel or one per channel, not both.");
            if (each.Count == 0) throw new SarKitInputException($"{name}: an empty list of per-channel limits.");
            for (int c = 0; c < each.Count; c++) Pos(each[c], $"{name} (channel {c + 1})", true);
        }
        if (Starts < 1 || Starts > 1000) throw new SarKitInputException($"--starts {Starts}: expected 1 to 1000.");
        if (MaxIterations < 1 || MaxIterations > 100_000) throw new SarKitInputException($"--max-iterations {MaxIterations}: expected 1 to 100000.");
        if (!(ExchangeTolerance >= 0 && ExchangeTolerance <= 0.1)) throw new SarKitInputException($"--exchange-tolerance {ExchangeTolerance.ToString(Inv)}: expected [0, 0.1].");
        string list = string.Join(", ", kinds.Select(k => k == "all" ? k : k + "=FILE"));
        if (Constraints.Count == 0) throw new SarKitInputException($"--constraints: give at least one constraint set ({list}).");
        foreach (var s in Constraints)
        {
            var (kind, file) = RfShimDesign.ParseSpec(s);
            if (!kinds.Contains(kind)) throw new SarKitInputException($"--constraints '{s}': {kind} is not available here; use {list}.");
            if (kind != "all" && !File.Exists(file)) throw new SarKitInputException($"--constraints {s}: file '{file}' does not exist.") { SourceFile = file };
        }
    }

    /// <summary>Checks an output file name: extension <paramref name="ext"/> and an existing folder.</summary>
    internal static void CheckOutput(string? path, string option, string ext)
    {
        if (path is null) return;
        if (!Path.GetExtension(path).Equals(ext, StringComparison.OrdinalIgnoreCase)) throw new SarKitInputException($"{option} '{path}': expected a {ext} file name.") { SourceFile = path };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"{option} '{path}': the folder {dir} does not exist.") { SourceFile = path };
    }
}
