using SarKit.Engines;

namespace SarKit.Surrogate.Fdfd2D;

/// <summary>Tissue labels of a <see cref="PelvisPhantom2D"/>.</summary>
public enum PelvisTissue : byte
{
    Air = 0, Muscle = 1, Fat = 2, Bone = 3, Urine = 4, Prostate = 5,
}

/// <summary>
/// Nominal tissue properties (σ, ε_r, ρ) of the 2D pelvis phantoms at 298 MHz (7 T).
/// </summary>
/// <remarks>
/// Muscle, fat (not infiltrated) and cortical bone: <see cref="TissueSet.At298MHz"/> (Gabriel et al. 1996 4-Cole–Cole
/// model values; IT'IS densities 1090, 911, 1908 kg/m³). Prostate (ε_r 64, σ 0.94 S/m, ρ 1045 kg/m³) and urine
/// (ε_r 69, σ 0.90 S/m, ρ 1024 kg/m³): approximate values near 300 MHz,
/// not yet checked against the IT'IS database; the phantom generator jitters
/// every σ and ε_r by ±10 % per phantom anyway, which covers that uncertainty for method development.
/// </remarks>
public static class PelvisTissues
{
    /// <summary>Nominal properties by label (air: σ 0, ε_r 1, ρ 0).</summary>
    public static TissueProperties Nominal(PelvisTissue t) => t switch
    {
        PelvisTissue.Muscle => TissueSet.At298MHz.Muscle,
        PelvisTissue.Fat => TissueSet.At298MHz.Fat,
        PelvisTissue.Bone => TissueSet.At298MHz.Skull,
        PelvisTissue.Urine => new(0.90, 69.0, 1024),
        PelvisTissue.Prostate => new(0.94, 64.0, 1045),
        _ => new(0, 1, 0),
    };

    /// <summary>All labels in order.</summary>
    public static IReadOnlyList<PelvisTissue> All { get; } = Enum.GetValues<PelvisTissue>();

    /// <summary>
    /// A crude Dixon-like (water, fat) signal fraction per tissue, the optional anatomical input of the surrogate:
    /// muscle (0.8, 0.05), fat (0.1, 0.9), bone (0.1, 0.3: marrow fat), urine (1, 0), prostate (0.85, 0), air (0, 0).
    /// Not a signal model; a stand-in for a water/fat image.
    /// </summary>
    public static (float Water, float Fat) DixonLike(PelvisTissue t) => t switch
    {
        PelvisTissue.Muscle => (0.8f, 0.05f),
        PelvisTissue.Fat => (0.1f, 0.9f),
        PelvisTissue.Bone => (0.1f, 0.3f),
        PelvisTissue.Urine => (1f, 0f),
        PelvisTissue.Prostate => (0.85f, 0f),
        _ => (0f, 0f),
    };
}
