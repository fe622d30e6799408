namespace SarKit.Compression;

/// <summary>
/// What the original Q-matrices of a VOP set are of, when they are not a simulation of the true SAR: the VOP set of a
/// surrogate (a network's predicted e_n, times its calibrated safety factor) is <b>surrogate-calibrated, not certified
/// against true SAR</b>. Its certificate proves only that the VOPs dominate the surrogate's predicted Q-matrices; their
/// relation to the subject's true SAR is the surrogate's calibration (a probability of underestimation on subjects like the
/// calibration data), not a proof. The label is stored in the set's attributes <see cref="AttributeKey"/> and
/// <see cref="CoverageKey"/>, and both are bound by the certificate digest (<see cref="VopCertificateDigest"/>) when
/// present, so removing the label from a certified file invalidates its certificate. Every reader shows it
/// (docs/vop-format.md "SAR basis").
/// </summary>
public static class VopSarBasis
{
    /// <summary>Attribute naming the basis of the Q-matrices; absent for simulated (true-SAR) Q-matrices.</summary>
    public const string AttributeKey = "sar_basis";

    /// <summary>Attribute stating the calibration's coverage (which calibration, which data, P(under) target and bound).</summary>
    public const string CoverageKey = "sar_basis_coverage";

    /// <summary>Value of <see cref="AttributeKey"/> for a surrogate-derived set.</summary>
    public const string Surrogate = "surrogate-calibrated";

    /// <summary>The label shown wherever such a set or a SAR figure derived from a surrogate appears.</summary>
    public const string Label = "surrogate-calibrated, not certified against true SAR";

    /// <summary>Marks <paramref name="set"/> as surrogate-derived with the calibration's <paramref name="coverage"/> (before certification, so the digest binds it).</summary>
    public static void MarkSurrogate(VopSet set, string coverage)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentException.ThrowIfNullOrWhiteSpace(coverage);
        set.Attributes[AttributeKey] = Surrogate;
        set.Attributes[CoverageKey] = coverage;
    }

    /// <summary>
    /// True when the set's Q-matrices are not a simulation of the true SAR: any <see cref="AttributeKey"/> value counts
    /// (fail closed: an unknown basis is not taken for true SAR).
    /// </summary>
    public static bool IsNotTrueSar(VopSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Attributes.ContainsKey(AttributeKey);
    }

    /// <summary>
    /// The basis in words for reports: null for simulated Q-matrices; otherwise the label, the stored basis and the coverage,
    /// e.g. "surrogate-calibrated, not certified against true SAR (calibration: …)".
    /// </summary>
    public static string? Describe(VopSet set)
    {
        if (!IsNotTrueSar(set)) return null;
        var basis = set.Attributes[AttributeKey];
        var coverage = set.Attributes.GetValueOrDefault(CoverageKey);
        var head = basis == Surrogate ? Label : $"SAR basis '{basis}': not certified against true SAR";
        return string.IsNullOrWhiteSpace(coverage) ? $"{head} (calibration coverage not stated)" : $"{head} ({coverage})";
    }
}
