namespace SarKit.Engines;

/// <summary>
/// Dielectric and mass properties of one homogeneous tissue: conductivity σ [S/m], relative permittivity ε_r and
/// mass density ρ [kg/m³], at one frequency.
/// </summary>
/// <param name="Sigma">Conductivity σ in S/m (≥ 0).</param>
/// <param name="EpsilonR">Relative permittivity ε_r (&gt; 0).</param>
/// <param name="Density">Mass density ρ in kg/m³ (&gt; 0 for tissue).</param>
public readonly record struct TissueProperties(double Sigma, double EpsilonR, double Density)
{
    /// <summary>Throws <see cref="SarKitInputException"/> naming <paramref name="what"/> when a value is not physical.</summary>
    public TissueProperties Validate(string what)
    {
        if (!double.IsFinite(Sigma) || Sigma < 0) throw new SarKitInputException($"{what}: conductivity σ = {Sigma} S/m; expected a finite value ≥ 0.");
        if (!double.IsFinite(EpsilonR) || EpsilonR <= 0) throw new SarKitInputException($"{what}: relative permittivity ε_r = {EpsilonR}; expected a finite value > 0.");
        if (!double.IsFinite(Density) || Density <= 0) throw new SarKitInputException($"{what}: density ρ = {Density} kg/m³; expected a finite value > 0.");
        return this;
    }
}

/// <summary>
/// The four tissues of a <see cref="VoxelPhantom"/> at one frequency: muscle (body core), fat (body shell and scalp),
/// brain (head core) and skull (head shell).
/// </summary>
/// <remarks>
/// The predefined sets <see cref="At64MHz"/>, <see cref="At128MHz"/> and <see cref="At298MHz"/> (1.5 T, 3 T and 7 T
/// proton Larmor frequencies, rounded) give σ and ε_r of the 4-Cole–Cole parametric model of
/// C. Gabriel, S. Gabriel, R.W. Lau, "The dielectric properties of biological tissues: III. Parametric models for the
/// dielectric spectrum of tissues", Phys. Med. Biol. 41 (1996) 2271–2293, evaluated at 64, 128 and 298 MHz, i.e. the
/// values commonly tabulated from that model (IFAC-CNR "Dielectric properties of body tissues", IT'IS tissue
/// database): muscle, fat (not infiltrated), brain grey matter, cortical bone. Densities are the IT'IS database
/// (v4) values: muscle 1090, fat 911, grey matter 1045, cortical bone 1908 kg/m³.
/// Only the numbers are used; no model is evaluated at run time.
/// </remarks>
public sealed record TissueSet(TissueProperties Muscle, TissueProperties Fat, TissueProperties Brain, TissueProperties Skull)
{
    /// <summary>Frequency (Hz) the set is meant for; informational (0 = unspecified).</summary>
    public double FrequencyHz { get; init; }

    private const double RhoMuscle = 1090, RhoFat = 911, RhoBrain = 1045, RhoSkull = 1908;

    /// <summary>Gabriel 1996 values at 64 MHz (1.5 T): muscle σ 0.688 S/m ε_r 72.2; fat 0.0353, 6.51; grey matter 0.511, 97.4; cortical bone 0.0595, 16.7.</summary>
    public static TissueSet At64MHz { get; } = new(
        new(0.688, 72.2, RhoMuscle), new(0.0353, 6.51, RhoFat), new(0.511, 97.4, RhoBrain), new(0.0595, 16.7, RhoSkull)) { FrequencyHz = 64e6 };

    /// <summary>Gabriel 1996 values at 128 MHz (3 T): muscle σ 0.719 S/m ε_r 63.5; fat 0.0369, 5.92; grey matter 0.587, 73.5; cortical bone 0.0674, 14.7.</summary>
    public static TissueSet At128MHz { get; } = new(
        new(0.719, 63.5, RhoMuscle), new(0.0369, 5.92, RhoFat), new(0.587, 73.5, RhoBrain), new(0.0674, 14.7, RhoSkull)) { FrequencyHz = 128e6 };

    /// <summary>Gabriel 1996 values at 298 MHz (7 T): muscle σ 0.770 S/m ε_r 58.2; fat 0.0395, 5.64; grey matter 0.691, 60.1; cortical bone 0.0825, 13.4.</summary>
    public static TissueSet At298MHz { get; } = new(
        new(0.770, 58.2, RhoMuscle), new(0.0395, 5.64, RhoFat), new(0.691, 60.1, RhoBrain), new(0.0825, 13.4, RhoSkull)) { FrequencyHz = 298e6 };

    /// <summary>Lowest and highest frequency (Hz) accepted by <see cref="At(double)"/>.</summary>
    public const double MinFrequencyHz = 60e6, MaxFrequencyHz = 310e6;

    /// <summary>
    /// Tissue set at <paramref name="frequencyHz"/>, interpolated linearly in log-frequency between the tabulated sets
    /// at 64, 128 and 298 MHz (slight extrapolation to 60–310 MHz). Densities do not depend on frequency.
    /// Throws <see cref="SarKitInputException"/> outside [60, 310] MHz: give explicit properties there.
    /// </summary>
    public static TissueSet At(double frequencyHz)
    {
        if (!double.IsFinite(frequencyHz) || frequencyHz < MinFrequencyHz || frequencyHz > MaxFrequencyHz)
            throw new SarKitInputException($"Tabulated tissue properties cover {MinFrequencyHz / 1e6}–{MaxFrequencyHz / 1e6} MHz, but {frequencyHz / 1e6} MHz was requested; give the tissue properties explicitly.");
        var (lo, hi) = frequencyHz <= 128e6 ? (At64MHz, At128MHz) : (At128MHz, At298MHz);
        double t = Math.Log(frequencyHz / lo.FrequencyHz) / Math.Log(hi.FrequencyHz / lo.FrequencyHz);
        static TissueProperties L(TissueProperties a, TissueProperties b, double t)
            => new(a.Sigma + t * (b.Sigma - a.Sigma), a.EpsilonR + t * (b.EpsilonR - a.EpsilonR), a.Density);
        return new TissueSet(L(lo.Muscle, hi.Muscle, t), L(lo.Fat, hi.Fat, t), L(lo.Brain, hi.Brain, t), L(lo.Skull, hi.Skull, t)) { FrequencyHz = frequencyHz };
    }
}
