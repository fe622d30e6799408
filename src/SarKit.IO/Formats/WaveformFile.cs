using System.Globalization;
using SarKit.IO.Arrays;
using SarKit.IO.Hdf5;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

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
