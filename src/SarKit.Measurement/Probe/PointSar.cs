namespace SarKit.Measurement.Probe;

/// <summary>Which calibration turns probe voltages into SAR.</summary>
public enum SarPath
{
    /// <summary>The manual's chain: E_n = V_n − DC_n, Pd_tot = Σ E_n·AS_n, SAR = Pd_tot·CF/Sensor_Factor.</summary>
    ConversionFactor,
    /// <summary>Sensitivity chain: E² = Σ (V_n − DC_n)/(Norm_n·ConvF), SAR = σ E²/ρ.</summary>
    ConvF,
}

/// <summary>
/// Point SAR from the three channel voltages (probe-system manual, "E-Field Measurement" and Appendix B):
/// E_n = V_n − DC_n; Pd_tot = (E_1·AS_1) + (E_2·AS_2) + (E_3·AS_3); SAR = Pd_tot·CF/Sensor_Factor. Worked example
/// (Appendix B): E_3 = 350 mV, AS_3 = 0.375, CF = 0.56, SF = 0.0108 V/(mW/cm²) → SAR = 6.81 mW/g.
/// The ConvF path (DASY-style certificates) uses E_n² = (V_n − DC_n)/(Norm_n·ConvF) and SAR = σ·ΣE_n²/ρ.
/// A negative E_n (reading below the DC offset) is an error: the diode output is proportional to |E|² ≥ 0.
/// </summary>
public static class ProbeSar
{
    /// <summary>E_n = V_n − DC_n with the negativity check; <paramref name="where"/> names the reading in the error.</summary>
    public static void Rectify(ReadOnlySpan<double> v, ReadOnlySpan<double> dc, Span<double> e, string where)
    {
        for (int n = 0; n < v.Length; n++)
        {
            e[n] = v[n] - dc[n];
            if (e[n] < 0)
                throw new SarKitInputException($"{where}: channel {n + 1}: V − DC = {v[n] * 1e3:G6} mV − {dc[n] * 1e3:G6} mV = {e[n] * 1e3:G6} mV is negative; the reading is below the DC offset (check the DC offsets, the amplifier and the data).");
        }
    }

    /// <summary>Pd_tot = Σ E_n·AS_n (V).</summary>
    public static double TotalOutput(ReadOnlySpan<double> e, ReadOnlySpan<double> amplifierSettings)
    {
        double s = 0;
        for (int n = 0; n < e.Length; n++) s += e[n] * amplifierSettings[n];
        return s;
    }

    /// <summary>SAR = Pd_tot·CF/SF (W/kg; Pd_tot in V, CF in m²/kg, SF in V/(W/m²)).</summary>
    public static double FromTotalOutput(double pdTotV, double cfSi, double sensorFactorSi) => pdTotV * cfSi / sensorFactorSi;

    /// <summary>SAR = σ Σ E_n²/ρ with E_n² = E_n/(Norm_n·ConvF).</summary>
    public static double FromConvF(ReadOnlySpan<double> e, ReadOnlySpan<double> norm, double convF, double sigma, double rho)
    {
        double e2 = 0;
        for (int n = 0; n < e.Length; n++) e2 += e[n] / (norm[n] * convF);
        return sigma * e2 / rho;
    }
}

/// <summary>Converts readings of one scan to SAR with a fixed calibration, DC offsets and liquid.</summary>
public sealed class ProbeReadout
{
    private readonly ProbeCalibration _cal;
    private readonly double[] _dc;
    private readonly LiquidProperties _liquid;

    /// <summary>Path used.</summary>
    public SarPath Path { get; }

    /// <summary>DC offsets subtracted (V).</summary>
    public IReadOnlyList<double> DcOffsetsV => _dc;

    /// <summary>Creates the readout; throws when the calibration lacks what the path needs.</summary>
    public ProbeReadout(ProbeCalibration calibration, double[] dcOffsetsV, SarPath path, LiquidProperties liquid)
    {
        _cal = calibration; _dc = dcOffsetsV; Path = path; _liquid = liquid;
        if (path == SarPath.ConversionFactor && calibration.ConversionFactorSi is null)
            throw new SarKitInputException($"calibration of probe {calibration.ProbeSerial} has no conversion factor CF; run `sarkit probe cf` first.");
        if (path == SarPath.ConvF && calibration.Sensitivity is null)
            throw new SarKitInputException($"calibration of probe {calibration.ProbeSerial} has no Norm/ConvF values; the ConvF path needs 'norm' and 'convf' in the calibration file.");
    }

    /// <summary>SAR (W/kg) of one reading.</summary>
    public double Sar(in ScanPoint p, string source)
    {
        Span<double> v = [p.V1, p.V2, p.V3];
        Span<double> e = stackalloc double[3];
        ProbeSar.Rectify(v, _dc, e, $"{source}: line {p.Line}");
        return Path == SarPath.ConversionFactor
            ? ProbeSar.FromTotalOutput(ProbeSar.TotalOutput(e, _cal.AmplifierSettings), _cal.ConversionFactorSi!.Value, _cal.SensorFactorSi)
            : ProbeSar.FromConvF(e, _cal.Sensitivity!.NormVPerV2PerM2, _cal.Sensitivity.ConvF, _liquid.ConductivitySPerM, _liquid.DensityKgPerM3);
    }
}
