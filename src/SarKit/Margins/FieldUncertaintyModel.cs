using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Margins;

/// <summary>Which Hermitian matrix bounds the SAR standard deviation in <see cref="EFieldMargin"/>.</summary>
public enum MarginMatrixForm
{
    /// <summary>
    /// Default. K(r) = (√2/2)·σ_e·(c·I + G/c)/2 with G = E(r)ᴴE(r) (N×N) and c = √λ_max(G). Hermitian PSD and
    /// sᴴKs ≥ (√2/2)σ_e‖s‖‖E(r)s‖ for every complex drive s (AM–GM: √(ab) ≤ (a/c + c·b)/2), with equality along the
    /// top eigenvector of G. So Q + Q_e ⪰ Q and the bound holds for every pulse phase.
    /// </summary>
    Hermitian,
    /// <summary>
    /// The seed's literal [K_e]_ij = (√2/2)(‖E_i‖ + ‖E_j‖)σ_e (real symmetric). It bounds the standard deviation only for
    /// in-phase drives with non-negative real amplitudes; for general complex drives it is indefinite
    /// (det of the 2×2 case is −(‖E_1‖ − ‖E_2‖)²σ_e²/2 &lt; 0), so Q + Q_e ⪰ Q fails. For comparison only.
    /// </summary>
    Seed,
}

/// <summary>
/// The E-field error model of Ferrand, Luong, Amadon &amp; Boulant (ISMRM, "Mathematical tools to define SAR margins …"):
/// the true field of channel i is E_i(r) + e_i(r); e_i zero-mean, uncorrelated across channels, fully correlated in space
/// (worst case), every complex Cartesian component with E|e_ij|² = σ_e² (circular: the √2/2 of K_e), kurtosis κ.
/// σ_e is in V/m per drive unit of the field normalisation, or a fraction of the mean field magnitude.
/// </summary>
public sealed record FieldUncertaintyModel
{
    /// <summary>σ_e: V/m per drive unit (absolute) or, with <see cref="Relative"/>, a fraction of <see cref="EFieldMargin.MeanFieldMagnitude"/>.</summary>
    public required double SigmaE { get; init; }
    /// <summary>σ_e is relative to the mean field magnitude (the seed's "15 % of the average electrical field").</summary>
    public bool Relative { get; init; }
    /// <summary>k: number of standard deviations (3 → one-sided Gaussian tail 0.135 %, the seed's "0.1 %").</summary>
    public double K { get; init; } = 3;
    /// <summary>r: number of uncorrelated hot spots for C_r (the seed's head example uses r = 2).</summary>
    public int R { get; init; } = 2;
    /// <summary>Add the expectation term 3·σ/(2ρ)·σ_e²·I (the mean SAR error, always positive).</summary>
    public bool IncludeExpectation { get; init; } = true;
    /// <summary>Matrix form of K_e (default: the Hermitian PSD bound).</summary>
    public MarginMatrixForm Form { get; init; } = MarginMatrixForm.Hermitian;

    /// <summary>k + C_r.</summary>
    public double Coefficient => K + HotSpotCoefficient.Cr(R);

    /// <summary>Checks the parameters (SarKitInputException naming the bad value).</summary>
    public FieldUncertaintyModel Validate()
    {
        if (!(SigmaE >= 0) || !double.IsFinite(SigmaE)) throw new SarKitInputException($"σ_e = {SigmaE}: expected a finite value ≥ 0.");
        if (!(K >= 0) || !double.IsFinite(K)) throw new SarKitInputException($"k = {K}: expected a finite value ≥ 0.");
        if (R < 1) throw new SarKitInputException($"r = {R}: expected ≥ 1 hot spots.");
        return this;
    }

    /// <summary>Absolute σ_e in V/m per drive unit for a dataset.</summary>
    public double AbsoluteSigma(TissueModel tissue, MultiChannelField e) => Relative ? SigmaE * EFieldMargin.MeanFieldMagnitude(tissue, e) : SigmaE;
}
