using SarKit.Compression;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Margins;

/// <summary>
/// Standard alternatives to <see cref="EFieldMargin"/>: deterministic (worst-case) field-error models turned into
/// Loewner-order bounds Q_true ⪯ Q' that hold for every drive and commute with compression (apply them to the Q-matrices
/// or to each VOP). All act on packed Hermitian matrices (<see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>) and return new arrays.
/// Derivations in docs/margins.md: for fields F (true) = E + Δ, ‖E x + Δ x‖² ≤ (1 + t)‖E x‖² + (1 + 1/t)‖Δ x‖² for every t &gt; 0.
/// </summary>
public static class LoewnerMargins
{
    /// <summary>Multiplicative safety factor Q' = f·Q (f ≥ 1), e.g. the inter-subject factor 1.5 (Le Garrec et al., MRM 2017).</summary>
    public static double[] SafetyFactor(ReadOnlySpan<double> packed, double factor)
    {
        if (!(factor >= 1) || !double.IsFinite(factor)) throw new SarKitInputException($"Safety factor {factor}: expected a finite value ≥ 1.");
        var r = packed.ToArray();
        for (int k = 0; k < r.Length; k++) r[k] *= factor;
        return r;
    }

    /// <summary>
    /// Relative model on the combined field: ‖Δx‖ ≤ δ‖E x‖ at every point for every drive x ⇒ Q_true ⪯ (1 + δ)²Q
    /// (a safety factor (1 + δ)²).
    /// </summary>
    public static double[] RelativeTotalField(ReadOnlySpan<double> packed, double delta)
    {
        if (!(delta >= 0) || !double.IsFinite(delta)) throw new SarKitInputException($"Relative field error δ = {delta}: expected a finite value ≥ 0.");
        return SafetyFactor(packed, (1 + delta) * (1 + delta));
    }

    /// <summary>
    /// Relative per-channel model: channel i's field is (1 + ε_i)E_i with complex |ε_i| ≤ δ (amplitude/phase errors of the
    /// channel fields or of the RF chain) ⇒ Δx = E(εx), ‖εx‖ ≤ δ‖x‖, so
    /// Q_true ⪯ (1 + t)Q + (1 + 1/t)δ²λ_max(Q)·I for every t &gt; 0 (default t = δ).
    /// </summary>
    public static double[] RelativePerChannel(ReadOnlySpan<double> packed, int channels, double delta, double? t = null)
    {
        if (!(delta >= 0) || !double.IsFinite(delta)) throw new SarKitInputException($"Relative channel error δ = {delta}: expected a finite value ≥ 0.");
        double tt = t ?? Math.Max(delta, 1e-12);
        if (!(tt > 0)) throw new SarKitInputException($"Loewner split parameter t = {tt}: expected > 0.");
        int n2 = channels * channels, count = packed.Length / n2;
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(packed, channels, lam);
        var r = packed.ToArray();
        for (int c = 0; c < count; c++)
        {
            for (int k = 0; k < n2; k++) r[c * n2 + k] *= 1 + tt;
            double add = (1 + 1 / tt) * delta * delta * lam[c];
            for (int i = 0; i < channels; i++) r[c * n2 + i] += add;
        }
        return r;
    }

    /// <summary>
    /// Absolute model: ‖Δx‖ ≤ γ‖x‖ at every point (γ in V/m per drive unit) ⇒ for a matrix with (mass-averaged)
    /// conductivity factor κ_c = ⟨σ/(2ρ)⟩: Q_true ⪯ (1 + t)Q + (1 + 1/t)γ²κ_c·I for every t &gt; 0.
    /// <paramref name="conductivityFactor"/> holds κ_c per matrix (m²·S/kg… i.e. W/kg per (V/m)²).
    /// </summary>
    public static double[] Absolute(ReadOnlySpan<double> packed, int channels, ReadOnlySpan<double> conductivityFactor, double gamma, double t)
    {
        if (!(gamma >= 0) || !double.IsFinite(gamma)) throw new SarKitInputException($"Absolute field error γ = {gamma}: expected a finite value ≥ 0.");
        if (!(t > 0)) throw new SarKitInputException($"Loewner split parameter t = {t}: expected > 0.");
        int n2 = channels * channels, count = packed.Length / n2;
        if (conductivityFactor.Length != count) throw new SarKitInputException($"{conductivityFactor.Length} conductivity factors for {count} matrices.");
        var r = packed.ToArray();
        for (int c = 0; c < count; c++)
        {
            for (int k = 0; k < n2; k++) r[c * n2 + k] *= 1 + t;
            double add = (1 + 1 / t) * gamma * gamma * conductivityFactor[c];
            for (int i = 0; i < channels; i++) r[c * n2 + i] += add;
        }
        return r;
    }
}
