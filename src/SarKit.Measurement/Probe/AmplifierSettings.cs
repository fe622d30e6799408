namespace SarKit.Measurement.Probe;

/// <summary>Cross-section of a three-dipole E-field probe, which fixes the angles θ_i between probe axis and dipole axes.</summary>
public enum ProbeGeometry
{
    /// <summary>I-beam probe: θ₁ = θ₂ = 45°, θ₃ = 0° (channels 1 and 2 give half the output of channel 3 in the TEM cell).</summary>
    IBeam,
    /// <summary>Triangular probe: θ₁ = θ₂ = θ₃ = 90° − 54.7° = 35.3° (the manual's rounded value; the exact orthogonal
    /// triad angle is 90° − arccos(1/√3) = 35.26°, cos² = 2/3).</summary>
    Triangular,
}

/// <summary>Dipole angles of the probe geometries (probe-system manual, "Measurement" and Appendix A).</summary>
public static class ProbeGeometries
{
    /// <summary>θ_i in degrees for <paramref name="g"/>, the manual's values.</summary>
    public static double[] AnglesDeg(ProbeGeometry g) => g switch
    {
        ProbeGeometry.IBeam => [45.0, 45.0, 0.0],
        ProbeGeometry.Triangular => [35.3, 35.3, 35.3],
        _ => throw new ArgumentOutOfRangeException(nameof(g)),
    };

    /// <summary>Parses "i-beam" or "triangular".</summary>
    public static ProbeGeometry Parse(string text, string where) => text.Trim().ToLowerInvariant() switch
    {
        "i-beam" or "ibeam" => ProbeGeometry.IBeam,
        "triangular" => ProbeGeometry.Triangular,
        _ => throw new SarKitInputException($"{where}: probe geometry '{text}'; expected \"i-beam\" or \"triangular\"."),
    };

    /// <summary>"i-beam" or "triangular".</summary>
    public static string Id(ProbeGeometry g) => g == ProbeGeometry.IBeam ? "i-beam" : "triangular";
}

/// <summary>
/// Free-space (TEM-cell) calibration of the probe channels: the amplifier settings
/// AS_i = Sensor_Factor · S_TEM · cos²θ_i / (V_max,i − DC_i) (probe-system manual, "Measurement" and Appendix A, with the
/// TEM-cell power density S_TEM = 1 mW/cm² written out so that other test levels work), dimensionless.
/// V_max,i is the largest output of channel i while the probe is rotated through 360° about its axis.
/// </summary>
public static class AmplifierSettings
{
    /// <summary>Largest reading per channel over the rotation samples (readings[angle][channel]).</summary>
    public static double[] MaximaOverRotation(IReadOnlyList<double[]> readings, int channels = 3, string where = "rotation")
    {
        if (readings.Count == 0) throw new SarKitInputException($"{where}: no rotation readings; expected readings at angles through 360°.");
        var max = Enumerable.Repeat(double.NegativeInfinity, channels).ToArray();
        for (int a = 0; a < readings.Count; a++)
        {
            if (readings[a].Length != channels) throw new SarKitInputException($"{where}[{a}]: {readings[a].Length} channel readings; expected {channels}.");
            for (int c = 0; c < channels; c++)
            {
                if (!double.IsFinite(readings[a][c])) throw new SarKitInputException($"{where}[{a}] channel {c + 1}: {readings[a][c]} is not a finite number.");
                max[c] = Math.Max(max[c], readings[a][c]);
            }
        }
        return max;
    }

    /// <summary>
    /// AS_i = SF · S · cos²θ_i / (V_max,i − DC_i). SF in V/(W/m²), S in W/m², voltages in V, angles in degrees.
    /// Throws when V_max,i − DC_i ≤ 0 (no RF response above the DC offset).
    /// </summary>
    public static double[] Compute(double sensorFactorVPerWPerM2, double temPowerDensityWPerM2,
        ReadOnlySpan<double> vMaxV, ReadOnlySpan<double> dcOffsetV, ReadOnlySpan<double> anglesDeg)
    {
        if (!(sensorFactorVPerWPerM2 > 0)) throw new SarKitInputException($"sensor factor = {sensorFactorVPerWPerM2} V/(W/m²): expected > 0.");
        if (!(temPowerDensityWPerM2 > 0)) throw new SarKitInputException($"TEM-cell power density = {temPowerDensityWPerM2} W/m²: expected > 0.");
        int n = vMaxV.Length;
        if (dcOffsetV.Length != n || anglesDeg.Length != n)
            throw new SarKitInputException($"amplifier settings: {n} V_max values, {dcOffsetV.Length} DC offsets, {anglesDeg.Length} angles; expected one of each per channel.");
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            double net = vMaxV[i] - dcOffsetV[i];
            if (!(net > 0))
                throw new SarKitInputException($"channel {i + 1}: V_max − DC = {vMaxV[i] * 1e3:G6} mV − {dcOffsetV[i] * 1e3:G6} mV = {net * 1e3:G6} mV; expected > 0 (no RF response above the DC offset).");
            double c = Math.Cos(anglesDeg[i] * Math.PI / 180);
            a[i] = sensorFactorVPerWPerM2 * temPowerDensityWPerM2 * c * c / net;
        }
        return a;
    }
}
