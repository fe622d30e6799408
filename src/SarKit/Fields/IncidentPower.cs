namespace SarKit.Fields;

/// <summary>Incident power of a drive where the field normalisation defines it.</summary>
public static class IncidentPower
{
    /// <summary>Reference impedance assumed for "per volt incident" fields, Ω.</summary>
    public const double ReferenceImpedanceOhm = 50.0;

    /// <summary>
    /// Total incident power in W: Σ|b|² for √W-incident normalisation, Σ|b|²/(2·50 Ω) for volts peak incident (50 Ω ports);
    /// null for other normalisations (accepted power, amperes, unspecified).
    /// </summary>
    public static double? IncidentPowerW(this DriveVector drive) => drive.Normalisation switch
    {
        FieldNormalisation.PerSqrtWattIncident => drive.NormSquared,
        FieldNormalisation.PerVoltIncident => drive.NormSquared / (2 * ReferenceImpedanceOhm),
        _ => null,
    };
}
