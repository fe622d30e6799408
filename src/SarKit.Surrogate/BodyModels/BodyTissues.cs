using System.Numerics;

namespace SarKit.Surrogate.BodyModels;

/// <summary>
/// Parameters of the 4-Cole–Cole dielectric model of C. Gabriel, S. Gabriel, R.W. Lau, "The dielectric properties of
/// biological tissues: III. Parametric models for the dielectric spectrum of tissues", Phys. Med. Biol. 41 (1996)
/// 2271–2293 (Table 1): ε̂(ω) = ε∞ + Σₙ Δεₙ / (1 + (jωτₙ)^(1−αₙ)) + σᵢ/(jωε₀).
/// </summary>
/// <param name="EpsInf">ε∞.</param>
/// <param name="Delta">Δε₁..Δε₄.</param>
/// <param name="Tau">τ₁..τ₄ in s.</param>
/// <param name="Alpha">α₁..α₄.</param>
/// <param name="SigmaIonic">Static ionic conductivity σᵢ in S/m.</param>
public sealed record ColeColeModel(double EpsInf, double[] Delta, double[] Tau, double[] Alpha, double SigmaIonic)
{
    /// <summary>Vacuum permittivity ε₀ in F/m.</summary>
    public const double Epsilon0 = 8.8541878128e-12;

    /// <summary>Builds a model from the Gabriel table columns (τ₁ in ps, τ₂ in ns, τ₃ in µs, τ₄ in ms).</summary>
    public static ColeColeModel FromTable(double ef, double d1, double t1Ps, double a1, double d2, double t2Ns, double a2, double sig,
        double d3, double t3Us, double a3, double d4, double t4Ms, double a4)
        => new(ef, [d1, d2, d3, d4], [t1Ps * 1e-12, t2Ns * 1e-9, t3Us * 1e-6, t4Ms * 1e-3], [a1, a2, a3, a4], sig);

    /// <summary>Complex relative permittivity ε̂ (time factor e^{+jωt}, ε̂ = ε′ − jε″) at <paramref name="frequencyHz"/>.</summary>
    public Complex RelativePermittivity(double frequencyHz)
    {
        if (!(frequencyHz > 0) || !double.IsFinite(frequencyHz)) throw new ArgumentOutOfRangeException(nameof(frequencyHz), "expected a finite frequency > 0 Hz.");
        double w = 2 * Math.PI * frequencyHz;
        Complex e = EpsInf;
        for (int n = 0; n < 4; n++)
            if (Delta[n] != 0) e += Delta[n] / (1 + Complex.Pow(new Complex(0, w * Tau[n]), 1 - Alpha[n]));
        return e + SigmaIonic / new Complex(0, w * Epsilon0);
    }

    /// <summary>Relative permittivity ε_r = Re ε̂ and effective conductivity σ = −ω ε₀ Im ε̂ (S/m) at <paramref name="frequencyHz"/>.</summary>
    public (double EpsilonR, double Sigma) At(double frequencyHz)
    {
        var e = RelativePermittivity(frequencyHz);
        return (e.Real, -2 * Math.PI * frequencyHz * Epsilon0 * e.Imaginary);
    }
}

/// <summary>One tissue of the 3D body models: label, name, dielectric model, IT'IS density and a Dixon-like (water, fat) fraction.</summary>
/// <param name="Label">Voxel label (index into the per-label tables).</param>
/// <param name="Name">Short name (written to the model files).</param>
/// <param name="Model">Gabriel 1996 model, or null for a non-tissue (air, gas: ε_r 1, σ 0).</param>
/// <param name="ModelSource">Which Gabriel 1996 tissue the model is.</param>
/// <param name="Density">Nominal mass density in kg/m³ (IT'IS database v4; 0 = not tissue).</param>
/// <param name="Water">Dixon-like water fraction (a stand-in for a water image, not a signal model).</param>
/// <param name="Fat">Dixon-like fat fraction.</param>
public sealed record BodyTissue(int Label, string Name, ColeColeModel? Model, string ModelSource, double Density, float Water, float Fat)
{
    /// <summary>True for tissue (ρ &gt; 0); air and bowel gas are not tissue.</summary>
    public bool IsTissue => Density > 0;

    /// <summary>Nominal (ε_r, σ [S/m]) at <paramref name="frequencyHz"/>; (1, 0) for non-tissue.</summary>
    public (double EpsilonR, double Sigma) Nominal(double frequencyHz) => Model?.At(frequencyHz) ?? (1.0, 0.0);
}

/// <summary>
/// The tissue labels of the 3D pelvis/abdomen body models (docs/surrogate3d-dataset.md §Tissues). Dielectric values are
/// the Gabriel 1996 4-Cole–Cole models evaluated at the model frequency (298 MHz: muscle ε_r 58.2, σ 0.770 S/m, as
/// tabulated by IFAC-CNR and the IT'IS database, which use the same model); densities are the IT'IS database v4 values.
/// </summary>
public static class BodyTissues
{
    /// <summary>Background (air outside the body).</summary>
    public const int Air = 0;
    /// <summary>Skin (Gabriel "skin (dry)").</summary>
    public const int Skin = 1;
    /// <summary>Subcutaneous and visceral fat (Gabriel "fat (average infiltrated)", as the IT'IS database "Fat").</summary>
    public const int Fat = 2;
    /// <summary>Skeletal muscle.</summary>
    public const int Muscle = 3;
    /// <summary>Cortical bone.</summary>
    public const int CorticalBone = 4;
    /// <summary>Cancellous bone (trabecular bone with marrow).</summary>
    public const int CancellousBone = 5;
    /// <summary>Urine in the bladder (Gabriel "body fluid"; Gabriel 1996 has no urine).</summary>
    public const int Urine = 6;
    /// <summary>Bladder wall.</summary>
    public const int BladderWall = 7;
    /// <summary>Rectum / colon / bowel wall and content (Gabriel "colon").</summary>
    public const int BowelWall = 8;
    /// <summary>Bowel gas: not tissue (ε_r 1, σ 0, ρ 0).</summary>
    public const int BowelGas = 9;
    /// <summary>Prostate (Gabriel 1996 has no prostate; its testis model is used as a stand-in).</summary>
    public const int Prostate = 10;
    /// <summary>Blood in the iliac/femoral vessels.</summary>
    public const int Blood = 11;

    /// <summary>All tissues, index = label.</summary>
    public static IReadOnlyList<BodyTissue> All { get; } =
    [
        new(Air, "air", null, "background", 0, 0f, 0f),
        new(Skin, "skin", ColeColeModel.FromTable(4.0, 32.0, 7.234, 0.0, 1100, 32.481, 0.2, 0.0002, 0, 159.155, 0.2, 0, 15.915, 0.0), "Gabriel 1996 skin (dry)", 1109, 0.7f, 0.05f),
        new(Fat, "fat", ColeColeModel.FromTable(2.5, 9.0, 7.958, 0.2, 35, 15.915, 0.1, 0.035, 3.3e4, 159.155, 0.05, 1e7, 15.915, 0.01), "Gabriel 1996 fat (average infiltrated)", 911, 0.1f, 0.9f),
        new(Muscle, "muscle", ColeColeModel.FromTable(4.0, 50.0, 7.234, 0.1, 7000, 353.678, 0.1, 0.2, 1.2e6, 318.310, 0.1, 2.5e7, 2.274, 0.0), "Gabriel 1996 muscle", 1090, 0.8f, 0.05f),
        new(CorticalBone, "cortical_bone", ColeColeModel.FromTable(2.5, 10.0, 13.263, 0.2, 180, 79.577, 0.2, 0.02, 5e3, 159.155, 0.2, 1e5, 15.915, 0.0), "Gabriel 1996 bone (cortical)", 1908, 0.05f, 0.05f),
        new(CancellousBone, "cancellous_bone", ColeColeModel.FromTable(2.5, 18.0, 13.263, 0.22, 300, 79.577, 0.25, 0.07, 2e4, 159.155, 0.2, 2e7, 15.915, 0.0), "Gabriel 1996 bone (cancellous)", 1178, 0.2f, 0.5f),
        new(Urine, "urine", ColeColeModel.FromTable(4.0, 65.0, 7.234, 0.0, 0, 159.155, 0.0, 1.4, 0, 159.155, 0.0, 0, 15.915, 0.0), "Gabriel 1996 body fluid (stand-in: no urine in Gabriel 1996)", 1024, 1f, 0f),
        new(BladderWall, "bladder_wall", ColeColeModel.FromTable(2.5, 16.0, 8.842, 0.1, 400, 159.155, 0.1, 0.2, 1e5, 159.155, 0.2, 1e7, 15.915, 0.0), "Gabriel 1996 bladder", 1086, 0.8f, 0.02f),
        new(BowelWall, "bowel", ColeColeModel.FromTable(4.0, 50.0, 7.958, 0.1, 3000, 159.155, 0.2, 0.01, 1e5, 159.155, 0.2, 4e7, 1.592, 0.0), "Gabriel 1996 colon", 1088, 0.8f, 0.05f),
        new(BowelGas, "bowel_gas", null, "gas (not tissue)", 0, 0f, 0f),
        new(Prostate, "prostate", ColeColeModel.FromTable(4.0, 55.0, 7.958, 0.1, 5000, 159.155, 0.1, 0.4, 1e5, 159.155, 0.2, 4e7, 15.915, 0.0), "Gabriel 1996 testis (stand-in: no prostate in Gabriel 1996)", 1045, 0.85f, 0f),
        new(Blood, "blood", ColeColeModel.FromTable(4.0, 56.0, 8.377, 0.1, 5200, 132.629, 0.1, 0.7, 0, 159.155, 0.2, 0, 15.915, 0.0), "Gabriel 1996 blood", 1050, 0.9f, 0f),
    ];

    /// <summary>Number of labels (air included).</summary>
    public static int Count => All.Count;
}

/// <summary>
/// Per-subject variation of the tissue properties: every tissue gets independent factors on ε_r, σ and ρ, each a
/// normal distribution with mean 1 and standard deviation <c>Sd</c>, truncated (by rejection) to 1 ± <c>Max</c>.
/// Defaults: ε_r sd 5 % (±10 %), σ sd 7 % (±15 %), ρ sd 1.5 % (±3 %): the scatter of the published tissue data
/// (Gabriel 1996 report ~±10–25 % between samples) without reaching the ±15 % shifts kept for out-of-distribution tests.
/// </summary>
public sealed record TissueVariation
{
    /// <summary>Standard deviation of the ε_r factor.</summary>
    public double EpsilonSd { get; init; } = 0.05;
    /// <summary>Largest |ε_r factor − 1|.</summary>
    public double EpsilonMax { get; init; } = 0.10;
    /// <summary>Standard deviation of the σ factor.</summary>
    public double SigmaSd { get; init; } = 0.07;
    /// <summary>Largest |σ factor − 1|.</summary>
    public double SigmaMax { get; init; } = 0.15;
    /// <summary>Standard deviation of the ρ factor.</summary>
    public double DensitySd { get; init; } = 0.015;
    /// <summary>Largest |ρ factor − 1|.</summary>
    public double DensityMax { get; init; } = 0.03;

    /// <summary>No variation (nominal values).</summary>
    public static TissueVariation None { get; } = new() { EpsilonSd = 0, EpsilonMax = 0, SigmaSd = 0, SigmaMax = 0, DensitySd = 0, DensityMax = 0 };
}
