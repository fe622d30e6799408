using System.Numerics;

namespace SarKit.Engines;

/// <summary>
/// An infinite homogeneous, isotropic, linear, possibly lossy medium: conductivity σ [S/m], relative permittivity ε_r,
/// relative permeability μ_r. With the time factor exp(+jωt) its complex permittivity is ε_c = ε0·ε_r − jσ/ω and its
/// wavenumber k = ω·√(μ·ε_c) = k′ − jk″ with k″ ≥ 0 (waves exp(−jkr) decay with distance); the wave impedance is
/// η = √(μ/ε_c) = ωμ/k. See e.g. C.A. Balanis, <i>Advanced Engineering Electromagnetics</i>, 2nd ed., ch. 4.
/// </summary>
public sealed record HomogeneousMedium
{
    /// <summary>Vacuum permittivity ε0 [F/m] (CODATA 2018).</summary>
    public const double Epsilon0 = 8.8541878128e-12;
    /// <summary>Vacuum permeability μ0 [H/m] (CODATA 2018).</summary>
    public const double Mu0 = 1.25663706212e-6;

    /// <summary>Conductivity σ in S/m.</summary>
    public double Sigma { get; }
    /// <summary>Relative permittivity ε_r.</summary>
    public double EpsilonR { get; }
    /// <summary>Relative permeability μ_r (1 for tissue).</summary>
    public double MuR { get; }
    /// <summary>Free-form name used in provenance ("muscle", "vacuum", ...).</summary>
    public string Name { get; init; } = "medium";

    public HomogeneousMedium(double sigma, double epsilonR, double muR = 1.0)
    {
        if (!double.IsFinite(sigma) || sigma < 0) throw new SarKitInputException($"Medium conductivity σ = {sigma} S/m; expected a finite value ≥ 0.");
        if (!double.IsFinite(epsilonR) || epsilonR <= 0) throw new SarKitInputException($"Medium relative permittivity ε_r = {epsilonR}; expected a finite value > 0.");
        if (!double.IsFinite(muR) || muR <= 0) throw new SarKitInputException($"Medium relative permeability μ_r = {muR}; expected a finite value > 0.");
        Sigma = sigma; EpsilonR = epsilonR; MuR = muR;
    }

    /// <summary>The medium of a tissue (σ, ε_r; μ_r = 1).</summary>
    public static HomogeneousMedium Of(TissueProperties tissue, string name = "tissue") => new(tissue.Sigma, tissue.EpsilonR) { Name = name };

    /// <summary>Vacuum (σ = 0, ε_r = μ_r = 1).</summary>
    public static HomogeneousMedium Vacuum { get; } = new(0, 1) { Name = "vacuum" };

    /// <summary>Permeability μ = μ0·μ_r [H/m].</summary>
    public double Mu => Mu0 * MuR;

    /// <summary>Complex permittivity ε_c = ε0·ε_r − jσ/ω [F/m] at <paramref name="frequencyHz"/>.</summary>
    public Complex ComplexPermittivity(double frequencyHz)
    {
        double w = AngularFrequency(frequencyHz);
        return new Complex(Epsilon0 * EpsilonR, -Sigma / w);
    }

    /// <summary>Wavenumber k = ω√(μ ε_c) [rad/m], principal root (Re k &gt; 0, Im k ≤ 0).</summary>
    public Complex Wavenumber(double frequencyHz)
    {
        double w = AngularFrequency(frequencyHz);
        var k = w * Complex.Sqrt(Mu * ComplexPermittivity(frequencyHz));
        return k.Imaginary > 0 ? -k : k;
    }

    /// <summary>Wave impedance η = ωμ/k = √(μ/ε_c) [Ω].</summary>
    public Complex Impedance(double frequencyHz) => AngularFrequency(frequencyHz) * Mu / Wavenumber(frequencyHz);

    /// <summary>ω = 2πf [rad/s]; refuses a non-positive or non-finite frequency.</summary>
    public static double AngularFrequency(double frequencyHz)
    {
        if (!double.IsFinite(frequencyHz) || frequencyHz <= 0) throw new SarKitInputException($"Frequency {frequencyHz} Hz; expected a finite value > 0.");
        return 2 * Math.PI * frequencyHz;
    }

    public override string ToString() => $"{Name} (σ = {Sigma:G4} S/m, ε_r = {EpsilonR:G4}, μ_r = {MuR:G4})";
}
