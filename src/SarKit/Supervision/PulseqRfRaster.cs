using System.Numerics;
using SarKit.Supervision.Pulseq;

namespace SarKit.Supervision;

/// <summary>
/// The RF of one Pulseq RF event on the RF raster: sample n is played during [Delay + nΔt, Delay + (n+1)Δt) (relative to the
/// block start) with value s_n in Hz (γ·B1). Default-timed shapes already sit on raster centres (spec: tₙ = (n + 0.5)Δt);
/// time-shaped events (block pulses, extended trapezoids) are interpolated linearly at the raster centres over
/// [0, round(t_last/Δt)·Δt), zero outside the time points (as Pulseq's calcRfPower does).
/// </summary>
public sealed record PulseqRfRaster(double DelaySeconds, double RasterSeconds, Complex[] SamplesHz)
{
    /// <summary>Σ|s_n|²Δt, Hz²·s (= Hz).</summary>
    /// <exception cref="SarKitInputException">The energy overflows double precision.</exception>
    public double EnergyHz2s()
    {
        double e = 0; foreach (var s in SamplesHz) e += s.Real * s.Real + s.Imaginary * s.Imaginary;
        e *= RasterSeconds;
        return double.IsFinite(e) ? e : throw new SarKitInputException($"RF energy Σ|s|²Δt = {e} Hz²·s overflows double precision; refusing.");
    }

    /// <summary>Complex B1 samples in tesla: B1 = s/γ.</summary>
    public Complex[] SamplesTesla(double gammaHzPerT = DriveCalibration.Gamma1H) => SamplesHz.Select(s => s / gammaHzPerT).ToArray();

    /// <summary>|B1| samples in tesla: B1 = s/γ.</summary>
    public double[] MagnitudeTesla(double gammaHzPerT = DriveCalibration.Gamma1H) => SamplesHz.Select(s => s.Magnitude / gammaHzPerT).ToArray();

    /// <summary>
    /// Raster samples of <paramref name="rf"/>: s = amp·mag·exp(i(2π·phase + φ_off + 2π·f_off·t)), with φ_off, f_off including the
    /// 1.5 ppm terms (× <paramref name="larmorHz"/>; required when they are non-zero unless <paramref name="magnitudeOnly"/>)
    /// and t relative to the shape start. With <paramref name="magnitudeOnly"/> missing ppm terms are skipped: a phase common
    /// to all channels changes neither |s| nor the correlation matrix of a static shim.
    /// </summary>
    public static PulseqRfRaster Of(PulseqSequence seq, PulseqRfEvent rf, double? larmorHz = null, bool magnitudeOnly = false)
    {
        if (larmorHz is { } fl && !(fl > 0 && double.IsFinite(fl)))
            throw new SarKitInputException($"Larmor frequency {fl} Hz must be a positive number.");
        double dt = seq.Definitions.RadiofrequencyRasterTime;
        var mag = seq.Shapes[rf.MagnitudeShapeId];
        var ph = seq.Shapes[rf.PhaseShapeId];
        double fOff = rf.FrequencyOffsetHz, phOff = rf.PhaseOffsetRad;
        if (rf.FrequencyPpm != 0 || rf.PhasePpmRadPerMHz != 0)
        {
            if (larmorHz is { } f0)
            {
                fOff += rf.FrequencyPpm * 1e-6 * f0;
                phOff += rf.PhasePpmRadPerMHz * 1e-6 * f0;
            }
            else if (!magnitudeOnly)
                throw new SarKitInputException($"{seq.SourceFile}: RF {rf.Id} has ppm offsets (freq {rf.FrequencyPpm} ppm, phase {rf.PhasePpmRadPerMHz} rad/MHz); give the Larmor frequency to apply them.") { SourceFile = seq.SourceFile, Dataset = "RF" };
        }
        Complex[] s;
        if (rf.TimeShapeId == 0)
        {
            s = new Complex[mag.Length];
            for (int n = 0; n < s.Length; n++)
            {
                double t = (n + 0.5) * dt;
                s[n] = Complex.FromPolarCoordinates(rf.AmplitudeHz * mag[n], 2 * Math.PI * ph[n] + phOff + 2 * Math.PI * fOff * t);
            }
        }
        else
        {
            var time = seq.Shapes[rf.TimeShapeId];
            if (!(time[0] >= 0)) throw new SarKitInputException($"{seq.SourceFile}: RF {rf.Id}: time shape {rf.TimeShapeId} starts at {time[0]} (negative times are not played; the energy before 0 would be lost).") { SourceFile = seq.SourceFile, Dataset = "SHAPES" };
            for (int n = 1; n < time.Length; n++)
                if (!(time[n] >= time[n - 1])) throw new SarKitInputException($"{seq.SourceFile}: RF {rf.Id}: time shape {rf.TimeShapeId} is not non-decreasing at sample {n}.") { SourceFile = seq.SourceFile, Dataset = "SHAPES" };
            var pts = new Complex[mag.Length];
            for (int n = 0; n < pts.Length; n++) pts[n] = Complex.FromPolarCoordinates(rf.AmplitudeHz * mag[n], 2 * Math.PI * ph[n]);
            double last = Math.Round(time[^1]);
            if (!(last <= PulseqFile.MaxShapeSamples))
                throw new SarKitInputException($"{seq.SourceFile}: RF {rf.Id}: time shape {rf.TimeShapeId} ends at {time[^1]} raster units, more than {PulseqFile.MaxShapeSamples} samples.") { SourceFile = seq.SourceFile, Dataset = "SHAPES" };
            int nn = (int)last;
            s = new Complex[Math.Max(nn, 0)];
            int k = 0;
            for (int m = 0; m < s.Length; m++)
            {
                double u = m + 0.5; // raster units
                if (u < time[0] || u > time[^1]) { s[m] = 0; continue; }
                while (k + 1 < time.Length - 1 && time[k + 1] < u) k++;
                double a = time[k], b = time[k + 1];
                double f = b > a ? (u - a) / (b - a) : 0;
                var v = pts[k] * (1 - f) + pts[k + 1] * f;
                s[m] = v * Complex.FromPolarCoordinates(1, phOff + 2 * Math.PI * fOff * u * dt);
            }
        }
        for (int n = 0; n < s.Length; n++)
        {
            double m2 = s[n].Real * s[n].Real + s[n].Imaginary * s[n].Imaginary;
            if (!double.IsFinite(m2))
                throw new SarKitInputException($"{seq.SourceFile}: RF {rf.Id}: sample {n} = amplitude {rf.AmplitudeHz.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} Hz × shape is {s[n]} Hz, whose square overflows double precision; refusing.") { SourceFile = seq.SourceFile, Dataset = "RF" };
        }
        return new PulseqRfRaster(rf.DelaySeconds, dt, s);
    }
}
