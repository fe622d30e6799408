namespace SarKit.Measurement.Uncertainty;

/// <summary>
/// The possible sources of uncertainty listed by NEMA MS 8-2016 for each method, in the standard's order and
/// wording: Section 4.1 (Reporting SAR Results), item e, "Consider the following table of possible sources of uncertainty as
/// appropriate" — the "Calorimetry Error Assessment" and "Pulse Energy Error Assessment" lists. The standard gives
/// names only; magnitudes, distributions and sensitivities are the user's (build components with
/// <see cref="TypeB"/> / <see cref="UncertaintyComponent.TypeA(string, ReadOnlySpan{double})"/> under these names).
/// The same section requires the analysis "according NIST Technical Note 1297", reporting the coverage factor used,
/// and the report forms ask for "Measurement uncertainty %" (pulse energy) and "Uncertainty of 'Absorbed Energy by
/// Phantom 3' determination %" (calorimetry), i.e. <see cref="UncertaintyResult.RelativeExpandedPercent"/>.
/// </summary>
public static class NemaUncertaintySources
{
    /// <summary>Calorimetry Error Assessment (NEMA MS 8-2016 Section 4.1 e). The text before it notes that the error
    /// is "mainly given by the error of the single temperature measurement values (initial and post)".</summary>
    public static IReadOnlyList<string> Calorimetry() =>
    [
        "Accuracy of temperature sensor",
        "Insulation time constant",
        "Heat capacity of phantom including container",
        "Ambient temperature variability",
        "M_bod",
    ];

    /// <summary>Pulse Energy Error Assessment (NEMA MS 8-2016 Section 4.1 e).</summary>
    public static IReadOnlyList<string> PulseEnergy() =>
    [
        "Accuracy of fractional power attenuation values (alpha_1, alpha_2, alpha_cf, alpha_cr, ...)",
        "Accuracy of \"inserted electrical length\" determination",
        "Directivity and coupling of directional couplers",
        "Accuracy of power measurement values",
        "Accuracy of current sensor(s)",
        "Remaining uncertainty of power loss determination due to placement of the current sensor(s)",
        "M_bod",
    ];
}
