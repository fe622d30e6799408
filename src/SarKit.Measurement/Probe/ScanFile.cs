using System.Globalization;

namespace SarKit.Measurement.Probe;

/// <summary>Kind of a scan point: coarse area scan at one height, zoom scan (3-D block around the peak).</summary>
public enum ScanKind
{
    /// <summary>Area scan: a 2-D grid at one probe height.</summary>
    Area,
    /// <summary>Zoom scan: a 3-D grid around the area-scan peak.</summary>
    Zoom,
}

/// <summary>One probe reading: position (m; z = probe-tip distance from the inner phantom surface) and the three channel
/// voltages V_n (V) as read, before DC subtraction.</summary>
/// <param name="Line">1-based line in the file.</param>
/// <param name="Kind">Area or zoom.</param>
/// <param name="X">x (m).</param>
/// <param name="Y">y (m).</param>
/// <param name="Z">Probe-tip distance from the inner surface (m).</param>
/// <param name="V1">Channel 1 (V).</param>
/// <param name="V2">Channel 2 (V).</param>
/// <param name="V3">Channel 3 (V).</param>
public readonly record struct ScanPoint(int Line, ScanKind Kind, double X, double Y, double Z, double V1, double V2, double V3);

/// <summary>
/// A scan file (CSV, docs/probe.md "Scan file"): optional "# key: value" metadata lines, a header naming the columns
/// scan, x, y, z with a length unit suffix (_mm, _cm or _m) and v1, v2, v3 with a voltage suffix (_mV, _V), then one
/// row per reading. Every row is checked; an error names the file, line and column.
/// </summary>
public sealed record ScanFile(string Source, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<ScanPoint> Points)
{
    private static readonly Dictionary<string, double> Lengths = new(StringComparer.Ordinal) { ["mm"] = 1e-3, ["cm"] = 1e-2, ["m"] = 1 };
    private static readonly Dictionary<string, double> Volts = new(StringComparer.Ordinal) { ["mV"] = 1e-3, ["V"] = 1, ["uV"] = 1e-6 };

    /// <summary>Largest accepted |x|, |y|, z of a scan point (m): a probe scan is a few decimetres wide.</summary>
    public const double MaxCoordinateM = 10;

    /// <summary>Largest accepted |V| of a probe channel reading (V): diode-probe outputs are millivolts to volts.</summary>
    public const double MaxVoltageV = 1000;

    /// <summary>Reads and validates a scan CSV file.</summary>
    public static ScanFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"scan file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses scan CSV text.</summary>
    public static ScanFile Parse(string text, string source)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var pts = new List<ScanPoint>();
        int[]? col = null; double[] scale = new double[6];
        var lines = text.Split('\n');
        for (int li = 0; li < lines.Length; li++)
        {
            string line = lines[li].TrimEnd('\r').Trim();
            int ln = li + 1;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                int c = line.IndexOf(':');
                if (c > 1) meta[line[1..c].Trim()] = line[(c + 1)..].Trim();
                continue;
            }
            var f = line.Split(',');
            for (int i = 0; i < f.Length; i++) f[i] = f[i].Trim();
            if (col is null)
            {
                col = Header(f, source, ln, scale);
                continue;
            }
            if (f.Length != 7)
                throw new SarKitInputException($"{source}: line {ln}: {f.Length} fields; expected 7 (scan, x, y, z, v1, v2, v3).") { SourceFile = source };
            var kind = f[col[0]].ToLowerInvariant() switch
            {
                "area" => ScanKind.Area,
                "zoom" => ScanKind.Zoom,
                _ => throw new SarKitInputException($"{source}: line {ln}: scan '{f[col[0]]}'; expected \"area\" or \"zoom\".") { SourceFile = source },
            };
            var v = new double[6];
            string[] names = ["x", "y", "z", "v1", "v2", "v3"];
            for (int k = 0; k < 6; k++)
            {
                var s = f[col[k + 1]];
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                    throw new SarKitInputException($"{source}: line {ln}: column '{names[k]}' = '{s}' is not a finite number.") { SourceFile = source };
                v[k] = d * scale[k];
                double limit = k < 3 ? MaxCoordinateM : MaxVoltageV;
                if (!(Math.Abs(v[k]) <= limit))
                    throw new SarKitInputException($"{source}: line {ln}: column '{names[k]}' = '{s}' is outside the physical range (|{names[k]}| <= {limit} {(k < 3 ? "m" : "V")}).") { SourceFile = source };
            }
            if (v[2] < 0) throw new SarKitInputException($"{source}: line {ln}: z = {f[col[3]]} is negative; z is the probe-tip distance from the inner phantom surface (>= 0).") { SourceFile = source };
            pts.Add(new ScanPoint(ln, kind, v[0], v[1], v[2], v[3], v[4], v[5]));
        }
        if (col is null) throw new SarKitInputException($"{source}: no header line; expected e.g. 'scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV'.") { SourceFile = source };
        if (pts.Count == 0) throw new SarKitInputException($"{source}: no scan points after the header.") { SourceFile = source };
        return new ScanFile(source, meta, pts);
    }

    private static int[] Header(string[] f, string source, int ln, double[] scale)
    {
        string[] want = ["scan", "x", "y", "z", "v1", "v2", "v3"];
        var idx = Enumerable.Repeat(-1, 7).ToArray();
        for (int i = 0; i < f.Length; i++)
        {
            string h = f[i];
            int us = h.IndexOf('_');
            string name = us < 0 ? h : h[..us], unit = us < 0 ? "" : h[(us + 1)..];
            int k = Array.IndexOf(want, name);
            if (k < 0) throw new SarKitInputException($"{source}: line {ln}: unknown column '{h}'; expected scan, x_mm, y_mm, z_mm, v1_mV, v2_mV, v3_mV (units: mm, cm, m; mV, V).") { SourceFile = source };
            if (idx[k] >= 0) throw new SarKitInputException($"{source}: line {ln}: column '{name}' appears twice.") { SourceFile = source };
            idx[k] = i;
            if (k == 0) continue;
            var table = k <= 3 ? Lengths : Volts;
            if (!table.TryGetValue(unit, out var sc))
                throw new SarKitInputException($"{source}: line {ln}: column '{h}' has no or an unknown unit; expected {name}_{string.Join($" or {name}_", table.Keys)}.") { SourceFile = source };
            scale[k - 1] = sc;
        }
        for (int k = 0; k < 7; k++)
            if (idx[k] < 0) throw new SarKitInputException($"{source}: line {ln}: missing column '{want[k]}'; expected scan, x_mm, y_mm, z_mm, v1_mV, v2_mV, v3_mV.") { SourceFile = source };
        return idx;
    }
}

/// <summary>A complete regular grid of scan values built from scattered rows (missing or duplicate points are errors).</summary>
/// <param name="Xs">Distinct x (m), increasing.</param>
/// <param name="Ys">Distinct y (m), increasing.</param>
/// <param name="Zs">Distinct z (m), increasing (one value for an area scan).</param>
/// <param name="Index">Point index into the source list per node, [k·ny·nx + j·nx + i].</param>
public sealed record ScanGrid(double[] Xs, double[] Ys, double[] Zs, int[] Index)
{
    /// <summary>Coordinates closer than this (1 µm) are the same grid line.</summary>
    public const double Tolerance = 1e-6;

    private static double[] Distinct(IEnumerable<double> v)
    {
        var s = v.OrderBy(x => x).ToList();
        var r = new List<double>();
        foreach (var x in s) if (r.Count == 0 || x - r[^1] > Tolerance) r.Add(x);
        return r.ToArray();
    }

    private static int Find(double[] a, double v)
    {
        for (int i = 0; i < a.Length; i++) if (Math.Abs(a[i] - v) <= Tolerance) return i;
        return -1;
    }

    /// <summary>Builds the grid of <paramref name="points"/>[<paramref name="subset"/>]; throws naming the missing or duplicate node.</summary>
    public static ScanGrid Build(IReadOnlyList<ScanPoint> points, IReadOnlyList<int> subset, string source, string what)
    {
        var xs = Distinct(subset.Select(i => points[i].X));
        var ys = Distinct(subset.Select(i => points[i].Y));
        var zs = Distinct(subset.Select(i => points[i].Z));
        int nx = xs.Length, ny = ys.Length, nz = zs.Length;
        var index = Enumerable.Repeat(-1, nx * ny * nz).ToArray();
        foreach (var p in subset)
        {
            var pt = points[p];
            int n = Find(zs, pt.Z) * ny * nx + Find(ys, pt.Y) * nx + Find(xs, pt.X);
            if (index[n] >= 0)
                throw new SarKitInputException($"{source}: line {pt.Line}: {what} point (x = {pt.X * 1e3:G6}, y = {pt.Y * 1e3:G6}, z = {pt.Z * 1e3:G6} mm) repeats line {points[index[n]].Line}.") { SourceFile = source };
            index[n] = p;
        }
        int missing = index.Count(i => i < 0);
        if (missing > 0)
        {
            int first = Array.IndexOf(index, -1);
            int k = first / (nx * ny), j = first / nx % ny, i = first % nx;
            throw new SarKitInputException($"{source}: {what} is not a complete grid: {subset.Count} of {nx}×{ny}×{nz} = {nx * ny * nz} points present, {missing} missing (first missing: x = {xs[i] * 1e3:G6}, y = {ys[j] * 1e3:G6}, z = {zs[k] * 1e3:G6} mm).") { SourceFile = source };
        }
        return new ScanGrid(xs, ys, zs, index);
    }
}
