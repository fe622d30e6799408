using System.Globalization;
using System.Numerics;
using SarKit.IO;
using SarKit.IO.Hdf5;

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
    public Complex[] DriveFactors(string matrixUnit, DriveCalibration? cal)
    {
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

/// <summary>
/// Reads multi-channel waveforms (docs/supervision.md): .npz (arrays <c>waveform</c> complex [channels, samples],
/// <c>raster_s</c>, text <c>unit</c>, optional <c>period_s</c>), HDF5 (dataset <c>/waveform</c> with attributes <c>unit</c>,
/// <c>raster_s</c>, optional <c>period_s</c>) or CSV (<c># unit: V</c>, <c># raster_s: 1e-6</c>, the required
/// <c># samples: N</c> (number of sample rows; a file with another number of rows is refused, so a truncated file cannot
/// pass at a fraction of its SAR), optional <c># duration_s: …</c> (must equal N·raster) and <c># period_s: …</c>, a header
/// row, then per sample the columns re_1, im_1, re_2, im_2, …). The binary formats declare the sample count in their array shape.
/// </summary>
public static class WaveformFile
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static MultiChannelWaveform Read(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: waveform file not found.") { SourceFile = path };
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npz" => ReadNpz(path),
            ".h5" or ".hdf5" => ReadH5(path),
            ".csv" => ReadCsv(path),
            var e => throw new SarKitInputException($"{path}: unknown waveform file type '{e}' (expected .npz, .h5 or .csv).") { SourceFile = path },
        };
    }

    private static MultiChannelWaveform FromArray(NdArray a, string path, string name, string unit, double raster, double? period)
    {
        if (!a.IsComplex || a.Rank != 2)
            throw new SarKitInputException($"{path}: '{name}' is {a}; expected a complex array [channels, samples].") { SourceFile = path, Dataset = name };
        int c = a.Shape[0], n = a.Shape[1];
        var z = a.ToComplexInterleaved();
        var re = new double[c * n]; var im = new double[c * n];
        for (int i = 0; i < c * n; i++) { re[i] = z[2 * i]; im[i] = z[2 * i + 1]; }
        return new MultiChannelWaveform(c, n, raster, re, im, unit, path, period);
    }

    private static MultiChannelWaveform ReadNpz(string path)
    {
        using var z = NpzArchive.Open(path);
        var w = z.Find("waveform") ?? throw new SarKitInputException($"{path}: no array 'waveform' (complex [channels, samples]).") { SourceFile = path };
        var u = z.Find("unit") ?? throw new SarKitInputException($"{path}: no 'unit' text array; the waveform unit is required (V, sqrt(W), A, T, uT, Hz).") { SourceFile = path, Dataset = "unit" };
        var r = z.Find("raster_s") ?? throw new SarKitInputException($"{path}: no 'raster_s' (sample spacing in seconds).") { SourceFile = path, Dataset = "raster_s" };
        if (w.AxesReversed) throw new SarKitInputException($"{path}: 'waveform' is stored in Fortran order; save it C-ordered [channels, samples].") { SourceFile = path, Dataset = "waveform" };
        double? period = z.Find("period_s")?.ReadScalar();
        return FromArray(w.Read(), path, "waveform", u.ReadText(), r.ReadScalar(), period);
    }

    private static MultiChannelWaveform ReadH5(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.IsDataset("/waveform")) throw new SarKitInputException($"{path}: no dataset /waveform (complex [channels, samples]).") { SourceFile = path };
        if (!f.HasAttribute("/waveform", "unit")) throw new SarKitInputException($"{path}: /waveform has no 'unit' attribute; the unit is required (V, sqrt(W), A, T, uT, Hz).") { SourceFile = path, Dataset = "/waveform" };
        if (!f.HasAttribute("/waveform", "raster_s")) throw new SarKitInputException($"{path}: /waveform has no 'raster_s' attribute (sample spacing, s).") { SourceFile = path, Dataset = "/waveform" };
        double? period = f.HasAttribute("/waveform", "period_s") ? f.ReadScalarAttribute("/waveform", "period_s") : null;
        return FromArray(f.ReadDataset("/waveform"), path, "/waveform", f.ReadStringAttribute("/waveform", "unit"), f.ReadScalarAttribute("/waveform", "raster_s"), period);
    }

    private static MultiChannelWaveform ReadCsv(string path)
    {
        string? unit = null; double? raster = null, period = null, duration = null; long? declared = null;
        var rows = new List<double[]>();
        int cols = -1, lineNo = 0;
        bool header = false;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var kv = line[1..].Split(':', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2) continue;
                switch (kv[0].ToLowerInvariant())
                {
                    case "unit": unit = kv[1]; break;
                    case "raster_s": raster = Num(kv[1], lineNo); break;
                    case "period_s": period = Num(kv[1], lineNo); break;
                    case "duration_s": duration = Num(kv[1], lineNo); break;
                    case "samples":
                        declared = long.TryParse(kv[1], NumberStyles.None, Inv, out var ns) && ns > 0 ? ns
                            : throw new SarKitInputException($"{path}: line {lineNo}: '# samples: {kv[1]}' must be a positive integer (the number of sample rows).") { SourceFile = path, Dataset = "samples" };
                        break;
                }
                continue;
            }
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (!header) { header = true; cols = f.Length; if (cols % 2 != 0) throw new SarKitInputException($"{path}: line {lineNo}: header has {cols} columns; expected pairs re_c, im_c.") { SourceFile = path }; continue; }
            if (f.Length != cols) throw new SarKitInputException($"{path}: line {lineNo}: {f.Length} columns, header has {cols}.") { SourceFile = path };
            if (declared is { } dn && rows.Count >= dn)
                throw new SarKitInputException($"{path}: line {lineNo}: more sample rows than the declared '# samples: {dn}'.") { SourceFile = path, Dataset = "samples" };
            rows.Add(f.Select(x => Num(x, lineNo)).ToArray());
        }
        if (unit is null) throw new SarKitInputException($"{path}: no '# unit: …' line; the waveform unit is required (V, sqrt(W), A, T, uT, Hz).") { SourceFile = path };
        if (raster is null) throw new SarKitInputException($"{path}: no '# raster_s: …' line (sample spacing, s).") { SourceFile = path };
        if (declared is null)
            throw new SarKitInputException($"{path}: no '# samples: N' line; declare the number of sample rows (e.g. '# samples: {rows.Count}' above the header row) so that a truncated file is detected.") { SourceFile = path, Dataset = "samples" };
        if (rows.Count == 0) throw new SarKitInputException($"{path}: no samples.") { SourceFile = path };
        if (rows.Count != declared)
            throw new SarKitInputException($"{path}: {rows.Count} sample rows, but '# samples: {declared}' declares {declared} (truncated or padded file); refusing.") { SourceFile = path, Dataset = "samples" };
        if (duration is { } du && !(Math.Abs(du - rows.Count * raster.Value) <= 1e-9 * Math.Max(du, rows.Count * raster.Value)))
            throw new SarKitInputException($"{path}: '# duration_s: {du.ToString("R", Inv)}' differs from samples × raster = {(rows.Count * raster.Value).ToString("R", Inv)} s; refusing.") { SourceFile = path, Dataset = "duration_s" };
        int c = cols / 2, n = rows.Count;
        var re = new double[c * n]; var im = new double[c * n];
        for (int t = 0; t < n; t++) for (int k = 0; k < c; k++) { re[k * n + t] = rows[t][2 * k]; im[k * n + t] = rows[t][2 * k + 1]; }
        return new MultiChannelWaveform(c, n, raster.Value, re, im, unit, path, period);

        double Num(string s, int ln) => double.TryParse(s, NumberStyles.Float, Inv, out var v) && double.IsFinite(v) ? v
            : throw new SarKitInputException($"{path}: line {ln}: '{s}' is not a finite number.") { SourceFile = path };
    }
}
