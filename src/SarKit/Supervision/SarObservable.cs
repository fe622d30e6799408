using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Supervision;

/// <summary>Which SAR quantity a set of matrices yields (IEC 60601-2-33 terms).</summary>
public enum SarMetric
{
    /// <summary>Whole-body SAR: absorbed power / patient (model) mass.</summary>
    WholeBody,
    /// <summary>Partial-body SAR: absorbed power in the exposed mass / exposed mass.</summary>
    PartialBody,
    /// <summary>Head SAR: absorbed power in the head / head mass.</summary>
    Head,
    /// <summary>Local SAR, 10 g, head.</summary>
    LocalHead,
    /// <summary>Local SAR, 10 g, trunk.</summary>
    LocalTrunk,
    /// <summary>Local SAR, 10 g, extremities.</summary>
    LocalExtremity,
}

/// <summary>Identifiers of <see cref="SarMetric"/> used in limit tables, CLI and JSON.</summary>
public static class SarMetricNames
{
    public static string Id(this SarMetric m) => m switch
    {
        SarMetric.WholeBody => "whole_body", SarMetric.PartialBody => "partial_body", SarMetric.Head => "head",
        SarMetric.LocalHead => "local_head", SarMetric.LocalTrunk => "local_trunk", SarMetric.LocalExtremity => "local_extremity",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    public static SarMetric Parse(string s, string source = "metric") => s.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "whole_body" or "wholebody" or "wb" => SarMetric.WholeBody,
        "partial_body" or "partialbody" or "pb" => SarMetric.PartialBody,
        "head" => SarMetric.Head,
        "local_head" => SarMetric.LocalHead,
        "local_trunk" => SarMetric.LocalTrunk,
        "local_extremity" or "local_extremities" => SarMetric.LocalExtremity,
        _ => throw new SarKitInputException($"{source}: unknown SAR metric '{s}' (expected whole_body, partial_body, head, local_head, local_trunk or local_extremity)."),
    };

    public static bool IsLocal(this SarMetric m) => m is SarMetric.LocalHead or SarMetric.LocalTrunk or SarMetric.LocalExtremity;
}

/// <summary>
/// A set of K Hermitian N×N matrices (packed, <see cref="HermitianPacking"/>) whose SAR is max_j tr(Q_j R)/T over the
/// matrices: the VOPs (or all Q-matrices) for local SAR, or a single region Q for whole-body, head or partial-body SAR.
/// Units W/kg per drive unit² (drive unit = <see cref="DriveUnit"/>).
/// </summary>
public sealed class SarObservable
{
    public SarObservable(string name, SarMetric metric, int channels, double[] packed, string driveUnit, double? massKg = null)
    {
        if (channels < 1 || packed.Length == 0 || packed.Length % (channels * channels) != 0)
            throw new ArgumentException($"'{name}': packed length {packed.Length} is not a positive multiple of N² = {channels * channels}");
        foreach (var v in packed) if (!double.IsFinite(v)) throw new SarKitInputException($"'{name}': matrices contain a non-finite value.");
        Name = name; Metric = metric; Channels = channels; Packed = packed; DriveUnit = driveUnit; MassKg = massKg;
    }

    public string Name { get; }
    public SarMetric Metric { get; }
    public int Channels { get; }
    public double[] Packed { get; }
    public int Count => Packed.Length / (Channels * Channels);
    /// <summary>Drive unit the matrices refer to ("V", "sqrt(W)", "A", "uT").</summary>
    public string DriveUnit { get; }
    /// <summary>Region mass (kg) when known (whole body, head, exposed region).</summary>
    public double? MassKg { get; }
    public ReadOnlySpan<double> Matrix(int j) => Packed.AsSpan(j * Channels * Channels, Channels * Channels);
}
