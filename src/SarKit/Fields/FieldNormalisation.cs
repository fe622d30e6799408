namespace SarKit.Fields;

/// <summary>
/// What one unit of drive amplitude means for a channel's stored field: the stored E of channel k is the field for
/// a drive of exactly 1 unit on channel k (all other channels off / terminated).
/// SarKit fields are peak phasors (SAR = σ|E|²/(2ρ)); the normalisation is recorded with the fields and drives must match it.
/// </summary>
public enum FieldNormalisation
{
    /// <summary>Unknown or arbitrary scaling; SAR values are then relative only.</summary>
    Unspecified = 0,
    /// <summary>Field per 1 V peak incident voltage at the channel's port (drive unit: V).</summary>
    PerVoltIncident,
    /// <summary>Field per √W of incident (forward) power (drive unit: √W; |b|² = incident power in W).</summary>
    PerSqrtWattIncident,
    /// <summary>Field per √W of accepted power (drive unit: √W; |b|² = accepted power in W).</summary>
    PerSqrtWattAccepted,
    /// <summary>Field per 1 A peak port current (drive unit: A).</summary>
    PerAmpere,
}

public static class FieldNormalisationExtensions
{
    /// <summary>Unit of one drive amplitude for this normalisation (e.g. "V", "sqrt(W)").</summary>
    public static string DriveUnit(this FieldNormalisation n) => n switch
    {
        FieldNormalisation.PerVoltIncident => "V",
        FieldNormalisation.PerSqrtWattIncident => "sqrt(W)",
        FieldNormalisation.PerSqrtWattAccepted => "sqrt(W)",
        FieldNormalisation.PerAmpere => "A",
        _ => "1",
    };

    /// <summary>Stable identifier used in files and JSON ("per_volt_incident", ...).</summary>
    public static string ToId(this FieldNormalisation n) => n switch
    {
        FieldNormalisation.PerVoltIncident => "per_volt_incident",
        FieldNormalisation.PerSqrtWattIncident => "per_sqrt_watt_incident",
        FieldNormalisation.PerSqrtWattAccepted => "per_sqrt_watt_accepted",
        FieldNormalisation.PerAmpere => "per_ampere",
        _ => "unspecified",
    };

    /// <summary>Parses an identifier written by <see cref="ToId"/> (case-insensitive); throws for an unknown one.</summary>
    public static FieldNormalisation Parse(string id, string source = "normalisation") => id.Trim().ToLowerInvariant() switch
    {
        "per_volt_incident" or "per_volt" or "v" => FieldNormalisation.PerVoltIncident,
        "per_sqrt_watt_incident" or "per_sqrt_watt" or "sqrt(w)" => FieldNormalisation.PerSqrtWattIncident,
        "per_sqrt_watt_accepted" => FieldNormalisation.PerSqrtWattAccepted,
        "per_ampere" or "a" => FieldNormalisation.PerAmpere,
        "unspecified" or "" => FieldNormalisation.Unspecified,
        _ => throw new SarKitInputException($"{source}: unknown field normalisation '{id}' (expected per_volt_incident, per_sqrt_watt_incident, per_sqrt_watt_accepted, per_ampere or unspecified)."),
    };
}
