using System.Globalization;
using System.Numerics;

namespace SarKit.Supervision;

/// <summary>
/// Multi-channel complex RF waveforms for dynamic pTx on a uniform raster: sample n of channel c is played during
/// [nΔt, (n+1)Δt). Stored planar (channel c's samples at c·Length). Unit: a drive unit (V, sqrt(W), A) or a B1 unit
/// (T, uT, or Hz = γ·B1 as in Pulseq); unknown units are refused.
/// </summary>
public sealed class MultiChannelWaveform
{
    public MultiChannelWaveform(int channels, int length, double rasterSeconds, double[] re, double[] im, string unit, string source, double? periodSeconds = null)
    {
        if (channels < 1 || length < 1) throw new SarKitInputException($"{source}: waveform has {channels} channels × {length} samples; expected at least 1 × 1.") { SourceFile = source };
        if (!(rasterSeconds > 0) || !double.IsFinite(rasterSeconds)) throw new SarKitInputException($"{source}: raster {rasterSeconds} s must be a positive number.") { SourceFile = source };
        // as for Pulseq rasters: a raster far outside what RF hardware plays (e.g. 1e-300 s) would scale every energy to ~0
        if (!(rasterSeconds >= Pulseq.PulseqFile.MinRasterSeconds && rasterSeconds <= Pulseq.PulseqFile.MaxRasterSeconds))
            throw new SarKitInputException($"{source}: raster {rasterSeconds} s is outside the supported range [{Pulseq.PulseqFile.MinRasterSeconds}, {Pulseq.PulseqFile.MaxRasterSeconds}] s.") { SourceFile = source, Dataset = "raster_s" };
        if (re.Length != channels * length || im.Length != channels * length) throw new ArgumentException("planar arrays must hold channels × length samples");
        for (int i = 0; i < re.Length; i++)
            if (!double.IsFinite(re[i]) || !double.IsFinite(im[i]))
                throw new SarKitInputException($"{source}: waveform sample {i % length} of channel {i / length} is not finite ({re[i]}, {im[i]}).") { SourceFile = source };
        if (periodSeconds is { } p && !(p >= length * rasterSeconds * (1 - 1e-12)))
            throw new SarKitInputException($"{source}: repetition period {p} s is shorter than the waveform ({length * rasterSeconds} s).") { SourceFile = source };
        Channels = channels; Length = length; RasterSeconds = rasterSeconds; Re = re; Im = im; Source = source; PeriodSeconds = periodSeconds;
        Unit = NormaliseUnit(unit, source);
    }

    public int Channels { get; }
    public int Length { get; }
    public double RasterSeconds { get; }
    public double[] Re { get; }
    public double[] Im { get; }
    /// <summary>"V", "sqrt(W)", "A", "uT", "T" or "Hz".</summary>
    public string Unit { get; }
    public string Source { get; }
    /// <summary>Repetition period (TR) stored with the waveform, if any.</summary>
    public double? PeriodSeconds { get; }
    public double DurationSeconds => Length * RasterSeconds;
    public bool IsB1 => Unit is "uT" or "T" or "Hz";

    /// <summary>Canonical unit or an exception naming the file (fail closed on unknown units).</summary>
    public static string NormaliseUnit(string unit, string source)
    {
        var u = unit.Trim();
        if (u is "T" or "tesla") return "T";
        if (u is "Hz" or "hz") return "Hz";
        try { return DriveUnits.Normalise(u, source); }
        catch (SarKitInputException) { throw new SarKitInputException($"{source}: unknown waveform unit '{unit}' (expected V, sqrt(W), A, T, uT or Hz).") { SourceFile = source }; }
    }

    /// <summary>
    /// Channel factor that converts this waveform's unit to the drive unit of the matrices: 1 when the units match,
    /// k_c·(µT per unit) with a calibration for B1 units; throws when the units cannot be related.
    /// </summary>
    public Complex[] DriveFactors(string matrixUnit, DriveCalibration? cal) => DriveFactors(Unit, Channels, Source, matrixUnit, cal);

    /// <summary>
    /// <see cref="DriveFactors(string, DriveCalibration?)"/> for a waveform of <paramref name="channels"/> channels in
    /// <paramref name="unit"/> (canonical, <see cref="NormaliseUnit"/>) read from <paramref name="source"/>.
    /// </summary>
    public static Complex[] DriveFactors(string unit, int channels, string source, string matrixUnit, DriveCalibration? cal)
    {
        string Unit = unit, Source = source; int Channels = channels;
        bool IsB1 = Unit is "uT" or "T" or "Hz";
        var f = new Complex[Channels];
        if (!IsB1 || matrixUnit == "uT" && cal is null)
        {
            double toMatrix = Unit == matrixUnit ? 1 : Unit == "T" && matrixUnit == "uT" ? 1e6 : Unit == "Hz" && matrixUnit == "uT" ? 1e6 / DriveCalibration.Gamma1H
                : throw new SarKitInputException($"{Source}: waveform unit {Unit} does not match the matrices' drive unit {matrixUnit}" + (IsB1 ? "; give a drive calibration (unit/uT)." : "."));
            Array.Fill(f, new Complex(toMatrix, 0));
            return f;
        }
        if (cal is null) throw new SarKitInputException($"{Source}: waveform is in {Unit} (B1); a calibration ({matrixUnit}/uT per channel) is needed for matrices in W/kg per {matrixUnit}².");
        if (cal.DriveUnit != matrixUnit) throw new SarKitInputException($"{cal.Source}: calibration gives {cal.DriveUnit}/uT but the matrices are per {matrixUnit}².");
        if (cal.Channels != Channels) throw new SarKitInputException($"{cal.Source}: calibration has {cal.Channels} channels, the waveform {Channels}.");
        double toUt = Unit switch { "uT" => 1, "T" => 1e6, _ => 1e6 / cal.GammaHzPerT };
        for (int c = 0; c < Channels; c++) f[c] = cal.Factors[c] * toUt;
        return f;
    }

    /// <summary>Template of this waveform in drive units: segments of ⌊resolution/Δt⌋ samples, R_seg by SIMD correlation.</summary>
    public PulseTemplate Template(string matrixUnit, DriveCalibration? cal, double resolutionSeconds)
    {
        if (!(resolutionSeconds > 0) || !double.IsFinite(resolutionSeconds)) throw new SarKitInputException($"resolution {resolutionSeconds} s must be a positive number.");
        var f = DriveFactors(matrixUnit, cal);
        int n = Channels, len = Length;
        var re = new double[Re.Length]; var im = new double[re.Length];
        for (int c = 0; c < n; c++)
            for (int t = 0; t < len; t++)
            {
                var z = new Complex(Re[c * len + t], Im[c * len + t]) * f[c];
                if (!double.IsFinite(z.Real * z.Real + z.Imaginary * z.Imaginary))
                    throw new SarKitInputException($"{Source}: sample {t} of channel {c} ({Re[c * len + t]}, {Im[c * len + t]}) {Unit} in drive units is {z}, whose square overflows double precision; refusing.") { SourceFile = Source };
                re[c * len + t] = z.Real; im[c * len + t] = z.Imaginary;
            }
        int per = Math.Max(1, (int)Math.Floor(resolutionSeconds / RasterSeconds * (1 + 1e-12)));
        int segs = (len + per - 1) / per;
        var offsets = new double[segs]; var durations = new double[segs]; var w = new double[segs * n * n];
        for (int g = 0; g < segs; g++)
        {
            int a = g * per, b = Math.Min(len, a + per);
            offsets[g] = a * RasterSeconds; durations[g] = (b - a) * RasterSeconds;
            RfCorrelation.Accumulate(re.AsSpan(a), im.AsSpan(a), n, b - a, len, RasterSeconds, w.AsSpan(g * n * n, n * n));
            foreach (var v in w.AsSpan(g * n * n, n * n))
                if (!double.IsFinite(v))
                    throw new SarKitInputException($"{Source}: channel correlation of samples {a}..{b - 1} is {v} (the RF energy overflows double precision); refusing.") { SourceFile = Source };
        }
        return new PulseTemplate(Path.GetFileName(Source), n, offsets, durations, w, RasterSeconds);
    }

    /// <summary>Schedule: this waveform played at t = 0 of a period (default: <see cref="PeriodSeconds"/>, else the waveform length).</summary>
    public PulseSchedule Schedule(string matrixUnit, DriveCalibration? cal, double resolutionSeconds, double? periodSeconds = null)
    {
        double p = periodSeconds ?? PeriodSeconds ?? DurationSeconds;
        if (p < DurationSeconds * (1 - 1e-12)) throw new SarKitInputException($"{Source}: period {p} s is shorter than the waveform ({DurationSeconds} s).");
        return new PulseSchedule(Channels, Math.Max(p, DurationSeconds), [Template(matrixUnit, cal, resolutionSeconds)], [new PulsePlacement(0, 0)], Source);
    }
}
