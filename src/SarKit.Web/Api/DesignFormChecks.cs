using System.Globalization;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Workflows;

namespace SarKit.Web.Api;

/// <summary>The request fields the RF shim and spokes forms share (camelCase JSON; null: the defaults of <c>sarkit shim</c> / <c>sarkit spokes</c>).</summary>
public interface IDesignForm
{
    /// <summary>Dataset path in the data folder.</summary>
    string? Path { get; }
    /// <summary>z layer of the region of interest (default: the middle one).</summary>
    int? ZIndex { get; }
    /// <summary>Local 10 g SAR limit, W/kg (10).</summary>
    double? LocalLimitWPerKg { get; }
    /// <summary>Global SAR limit, W/kg (3.2; 0: none).</summary>
    double? GlobalLimitWPerKg { get; }
    /// <summary>"all", "vop", "vop-seeded" or "mvie".</summary>
    string? Constraints { get; }
    /// <summary>VOP margin, % of SAR_wc (5).</summary>
    double? MarginPercent { get; }
    /// <summary>VOP file of the data folder (constraints "vop" and "vop-seeded").</summary>
    string? VopFile { get; }
    /// <summary>MVIE file of the data folder (constraints "mvie").</summary>
    string? MvieFile { get; }
    /// <summary>Initial phase patterns (5).</summary>
    int? Starts { get; }
    /// <summary>Peak incident power limit of every channel, W (0: none).</summary>
    double? ChannelPeakPowerW { get; }
    /// <summary>Time-averaged incident power limit of every channel, W (0: none).</summary>
    double? ChannelAveragePowerW { get; }
    /// <summary>Peak incident power limit per channel, W (one per channel; instead of <see cref="ChannelPeakPowerW"/>).</summary>
    double[]? ChannelPeakPowersW { get; }
    /// <summary>Time-averaged incident power limit per channel, W (instead of <see cref="ChannelAveragePowerW"/>).</summary>
    double[]? ChannelAveragePowersW { get; }
}

/// <summary>
/// Checks of the shared pulse-design form fields (docs/web.md): every field before any work, a bad one is a
/// <see cref="SarKitInputException"/> (400) naming the field and its value; nothing takes a silent default except a field
/// left out (null), which takes the CLI's default.
/// </summary>
public static class DesignFormChecks
{
    /// <summary>Largest number of starts the pages may ask for (the CLI allows 1000; the web app bounds the work of one request).</summary>
    public const int MaxStarts = 20;
    /// <summary>Largest channel power limit accepted, W (as the CLI).</summary>
    public const double MaxPowerW = 1e9;

    /// <summary>
    /// The checked shared input: dataset resolved in the data folder, z layer inside the grid (header read only), limits,
    /// margin and starts finite and in range, power limits one value or one per channel (finite, ≥ 0), constraint set known,
    /// VOP/MVIE files resolved, readable and of the dataset's channel count. Also returns the dataset's header.
    /// </summary>
    public static (DesignFormInput Input, SarDatasetInfo Info) Check(IDesignForm? req, DataFolder folder, string example)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (req is null) throw new SarKitInputException($"Missing request body: expected {example}.");
        var full = folder.Resolve(req.Path);
        var info = DatasetGuard.Read(req.Path!, () => DatasetFiles.ReadInfo(full));
        int nz = info.Grid.Nz;
        int z = req.ZIndex ?? nz / 2;
        if (z < 0 || z >= nz) throw new SarKitInputException($"zIndex = {z}: expected a voxel layer 0 … {nz - 1} of {req.Path}.");
        double local = Range("localLimitWPerKg", req.LocalLimitWPerKg ?? 10, 0, 1e6, lowOpen: true, "local 10 g SAR limit in W/kg");
        double global = Range("globalLimitWPerKg", req.GlobalLimitWPerKg ?? 3.2, 0, 1e6, lowOpen: false, "global SAR limit in W/kg (0: none)");
        double marginPct = Range("marginPercent", req.MarginPercent ?? 5, 0, 100, lowOpen: true, "VOP margin in % of the worst-case SAR");
        int starts = req.Starts ?? 5;
        if (starts < 1 || starts > MaxStarts) throw new SarKitInputException($"starts = {starts}: expected 1 … {MaxStarts} initial phase patterns.");
        var (peak, peakEach) = Power("channelPeakPowerW", "channelPeakPowersW", req.ChannelPeakPowerW, req.ChannelPeakPowersW, info.Channels, "peak incident power limit in W (0: none)");
        var (avg, avgEach) = Power("channelAveragePowerW", "channelAveragePowersW", req.ChannelAveragePowerW, req.ChannelAveragePowersW, info.Channels, "time-averaged incident power limit in W (0: none)");
        bool anyPower = peak > 0 || avg > 0 || (peakEach?.Any(x => x > 0) ?? false) || (avgEach?.Any(x => x > 0) ?? false);
        if (anyPower && info.Normalisation is not (FieldNormalisation.PerVoltIncident or FieldNormalisation.PerSqrtWattIncident))
            throw new SarKitInputException($"channel power limits: {req.Path} is normalised {info.Normalisation.ToId()}; power limits need fields per incident volt or √W.");
        string cons = (req.Constraints ?? "all").Trim().ToLowerInvariant();
        string? vop = null, mvie = null;
        switch (cons)
        {
            case "all": break;
            case "vop" or "vop-seeded":
                if (!string.IsNullOrEmpty(req.VopFile))
                {
                    vop = folder.Resolve(req.VopFile);
                    var set = DatasetGuard.Read(req.VopFile, () => VopSetFile.Read(vop));
                    if (set.Channels != info.Channels) throw new SarKitInputException($"vopFile '{req.VopFile}': {set.Channels} channels, the dataset {req.Path} has {info.Channels}.");
                }
                break;
            case "mvie":
                if (!string.IsNullOrEmpty(req.MvieFile))
                {
                    mvie = folder.Resolve(req.MvieFile);
                    var m = DatasetGuard.Read(req.MvieFile, () => MvieFile.Read(mvie));
                    if (m.Channels != info.Channels) throw new SarKitInputException($"mvieFile '{req.MvieFile}': {m.Channels} channels, the dataset {req.Path} has {info.Channels}.");
                }
                break;
            default:
                throw new SarKitInputException($"constraints = '{req.Constraints}': expected all (every 10 g Q-matrix), vop (a VOP file, or the dataset's VOP set at marginPercent), vop-seeded (that VOP design polished against every 10 g Q-matrix) or mvie.");
        }
        return (new DesignFormInput(full, req.Path!, z, local, global, cons, marginPct / 100, vop, mvie, starts, peak, avg, peakEach, avgEach), info);
    }

    /// <summary>A finite number in a range, else a <see cref="SarKitInputException"/> naming <paramref name="field"/> and the value.</summary>
    public static double Range(string field, double v, double lo, double hi, bool lowOpen, string what)
    {
        if (!double.IsFinite(v) || v > hi || (lowOpen ? v <= lo : v < lo))
            throw new SarKitInputException(string.Create(CultureInfo.InvariantCulture, $"{field} = {v}: expected a finite {what} in {(lowOpen ? "(" : "[")}{lo:G}, {hi:G}]."));
        return v;
    }

    // one value for every channel, or one per channel (not both)
    private static (double One, double[]? Each) Power(string oneField, string eachField, double? one, double[]? each, int channels, string what)
    {
        if (each is null) return (Range(oneField, one ?? 0, 0, MaxPowerW, lowOpen: false, what), null);
        if (one is { } o && o != 0) throw new SarKitInputException($"{oneField} = {o.ToString(CultureInfo.InvariantCulture)} and {eachField}: give one value for every channel or one per channel, not both.");
        if (each.Length != channels) throw new SarKitInputException($"{eachField}: {each.Length} values for {channels} channels; give one per channel.");
        for (int c = 0; c < each.Length; c++) Range($"{eachField}[{c}] (channel {c + 1})", each[c], 0, MaxPowerW, lowOpen: false, what);
        return (0, each);
    }
}
