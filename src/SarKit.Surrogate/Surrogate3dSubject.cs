using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using SarKit.IO.Hdf5;
using SarKit.Surrogate.BodyModels;

namespace SarKit.Surrogate;

/// <summary>One entry of data/surrogate3d/manifest.json (docs/surrogate3d-dataset.md).</summary>
/// <param name="Id">Subject id, e.g. "A00001" (family letter + seed).</param>
/// <param name="Family">Anatomy family ("A" or "B").</param>
/// <param name="Seed">Body-model seed within the family.</param>
/// <param name="File">Absolute path of the compact subject file.</param>
/// <param name="Sha256">Hash the manifest recorded (lower-case hex), null when absent.</param>
public sealed record Surrogate3dManifestEntry(string Id, string Family, int Seed, string File, string? Sha256);

/// <summary>
/// One subject of the 3D openEMS surrogate dataset in compact format version 2 (docs/surrogate3d-dataset.md): the
/// central z slab's per-channel B1⁺ (T per V peak incident), tissue and the IEC/IEEE 62704-1 10 g cube Q-matrices
/// SarKit computed on the whole model. <see cref="Sar10gMap"/> turns them into the standard's 10 g SAR map of any
/// drive (port of tools/surrogate3d/targets.py <c>SlabTargets.sar_maps</c>): VALID voxel → bᴴQb of its step-1 cube;
/// UNUSED voxel → maximum over its step-2 cubes; USED voxel → maximum over the VALID cubes that contain it entirely.
/// </summary>
public sealed class Surrogate3dSubject
{
    public const string Format = "sarkit-surrogate3d-subject";
    private const int Ch = 8;
    private const double ContainTolerance = 1e-3;  // fraction of a cell, as targets.py

    private readonly float[] _packed;   // [64, n] component-major, W/kg per V²
    private readonly int[] _voxel;
    private readonly int[] _usedVoxel, _usedCube;

    private Surrogate3dSubject(string id, string family, string path, int nx, int ny, int nz, double[] ex, double[] ey, double[] ez, Complex[][] b1,
        byte[] status, double[] rho, int[] labels, string[] labelNames, int[] exact, float[] packed, int[] voxel, byte[] orientation, float[] side, float[] centre)
    {
        Id = id; Family = family; FilePath = path; Nx = nx; Ny = ny; Nz = nz; EdgesX = ex; EdgesY = ey; EdgesZ = ez; B1 = b1;
        Status = status; Rho = rho; Labels = labels; LabelNames = labelNames; ExactSlices = exact;
        _packed = packed; _voxel = voxel; Cubes = voxel.Length;
        (_usedVoxel, _usedCube) = UsedPairs(orientation, side, centre);
    }

    public string Id { get; }
    public string Family { get; }
    public string FilePath { get; }
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    /// <summary>Cell edges (m) along x, y, z of the slab (coil frame).</summary>
    public double[] EdgesX { get; }
    public double[] EdgesY { get; }
    public double[] EdgesZ { get; }
    /// <summary>B1⁺ per channel, [channel][i + nx(j + ny k)], T per V peak incident (0 outside tissue).</summary>
    public Complex[][] B1 { get; }
    /// <summary>62704-1 voxel status (0 background, 1 unused, 2 used, 3 valid), [k][j][i] flattened.</summary>
    public byte[] Status { get; }
    /// <summary>Mass density (kg/m³) per voxel (0 for air and gas).</summary>
    public double[] Rho { get; }
    public int[] Labels { get; }
    public string[] LabelNames { get; }
    /// <summary>Slices whose 10 g map is exact (no cube centred outside the slab reaches them).</summary>
    public int[] ExactSlices { get; }
    public int Cubes { get; }
    public int Channels => Ch;
    public int SliceCells => Nx * Ny;

    /// <summary>Reads the manifest of a dataset folder; throws <see cref="SarKitInputException"/> when it is missing or malformed.</summary>
    public static List<Surrogate3dManifestEntry> ReadManifest(string directory)
    {
        var path = Path.Combine(directory, "manifest.json");
        if (!System.IO.File.Exists(path)) throw new SarKitInputException($"'{path}' does not exist; --data3d must be a folder like data/surrogate3d (tools/surrogate3d/collect.sh).") { SourceFile = path };
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            var list = new List<Surrogate3dManifestEntry>();
            foreach (var s in doc.RootElement.GetProperty("subjects").EnumerateArray())
            {
                string id = s.GetProperty("id").GetString() ?? throw new SarKitInputException($"'{path}': subject without id.") { SourceFile = path };
                list.Add(new Surrogate3dManifestEntry(id, s.GetProperty("family").GetString() ?? "", s.GetProperty("seed").GetInt32(),
                    Path.GetFullPath(Path.Combine(directory, s.GetProperty("file").GetString() ?? "")),
                    s.TryGetProperty("sha256", out var h) ? h.GetString() : null));
            }
            if (list.Count == 0) throw new SarKitInputException($"'{path}': no subjects.") { SourceFile = path, Dataset = "subjects" };
            if (list.Select(e => e.Id).Distinct().Count() != list.Count) throw new SarKitInputException($"'{path}': duplicate subject ids.") { SourceFile = path, Dataset = "subjects" };
            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SarKitInputException($"'{path}': not a valid surrogate3d manifest: {e.Message}", e) { SourceFile = path };
        }
    }

    /// <summary>Reads a subject; checks the manifest's sha256 when given (a changed file is refused, not evaluated).</summary>
    public static Surrogate3dSubject Read(Surrogate3dManifestEntry entry)
    {
        if (!System.IO.File.Exists(entry.File)) throw new SarKitInputException($"'{entry.File}' (subject {entry.Id} of the manifest) does not exist.") { SourceFile = entry.File };
        if (entry.Sha256 is { } want)
        {
            using var fs = System.IO.File.OpenRead(entry.File);
            var have = Convert.ToHexStringLower(SHA256.HashData(fs));
            if (!string.Equals(have, want, StringComparison.OrdinalIgnoreCase))
                throw new SarKitInputException($"'{entry.File}': sha256 {have} differs from the manifest's {want}; the file is not the validated subject.") { SourceFile = entry.File };
        }
        return Read(entry.File, entry.Id, entry.Family);
    }

    /// <summary>Reads a compact subject file (format version ≥ 2).</summary>
    public static Surrogate3dSubject Read(string path, string id, string family)
    {
        using var f = Hdf5File.OpenRead(path);
        SarKitInputException Bad(string what, string? ds = null) => new($"'{path}': {what}") { SourceFile = path, Dataset = ds };
        string fmt = f.HasAttribute("/", "sarkit_format") ? f.ReadStringAttribute("/", "sarkit_format") : "";
        int version = f.HasAttribute("/", "sarkit_format_version") ? (int)f.ReadScalarAttribute("/", "sarkit_format_version") : 0;
        if (fmt != Format || version < 2) throw Bad($"sarkit_format '{fmt}' version {version}; expected '{Format}' version ≥ 2 (with /targets/q10g).");
        double[] ex = f.ReadDataset("/grid/edges_x").ToDouble(), ey = f.ReadDataset("/grid/edges_y").ToDouble(), ez = f.ReadDataset("/grid/edges_z").ToDouble();
        int nx = ex.Length - 1, ny = ey.Length - 1, nz = ez.Length - 1, n = nx * ny * nz;
        var b1a = f.ReadDataset("/fields/B1plus");
        if (b1a.Shape.Length != 4 || b1a.Shape[0] != Ch || b1a.Shape[1] != nz || b1a.Shape[2] != ny || b1a.Shape[3] != nx || !b1a.IsComplex)
            throw Bad($"/fields/B1plus is {b1a}; expected complex [{Ch}, {nz}, {ny}, {nx}].", "/fields/B1plus");
        var inter = b1a.ToComplexInterleaved();
        var b1 = new Complex[Ch][];
        for (int c = 0; c < Ch; c++)
        {
            b1[c] = new Complex[n];
            for (int v = 0; v < n; v++)
            {
                double re = inter[2 * (c * n + v)], im = inter[2 * (c * n + v) + 1];
                if (!double.IsFinite(re) || !double.IsFinite(im)) throw Bad($"B1+ of channel {c + 1} at voxel {v} is not finite.", "/fields/B1plus");
                b1[c][v] = new Complex(re, im);
            }
        }
        byte[] Bytes(string p) { var a = f.ReadDataset(p); if (a.Count != n) throw Bad($"{p} has {a.Count} values; expected {n}.", p); return a.ToDouble().Select(x => (byte)x).ToArray(); }
        var status = Bytes("/targets/q10g/status");
        var rho = f.ReadDataset("/tissue/rho").ToDouble();
        var labels = f.ReadDataset("/tissue/labels").ToDouble().Select(x => (int)x).ToArray();
        if (rho.Length != n || labels.Length != n) throw Bad("tissue arrays do not match the grid.", "/tissue");
        string[] names = f.HasAttribute("/tissue/labels", "names") ? f.ReadStringArrayAttribute("/tissue/labels", "names") : BodyTissues.All.Select(t => t.Name).ToArray();
        var exact = f.ReadDataset("/targets/q10g/exact_slices").ToDouble().Select(x => (int)x).ToArray();
        if (exact.Length == 0 || exact.Any(k => k < 0 || k >= nz)) throw Bad("exact_slices empty or outside the slab.", "/targets/q10g/exact_slices");
        var pa = f.ReadDataset("/targets/q10g/matrices_packed");
        if (pa.Shape.Length != 2 || pa.Shape[0] != Ch * Ch) throw Bad($"matrices_packed is {pa}; expected [64, n].", "/targets/q10g/matrices_packed");
        int cubes = pa.Shape[1];
        var packed = pa.ToDouble().Select(x => (float)x).ToArray();
        foreach (var x in packed) if (!float.IsFinite(x)) throw Bad("non-finite Q-matrix entries.", "/targets/q10g/matrices_packed");
        var voxel = f.ReadDataset("/targets/q10g/voxel").ToDouble().Select(x => (int)x).ToArray();
        var orient = f.ReadDataset("/targets/q10g/orientation").ToDouble().Select(x => (byte)x).ToArray();
        var side = f.ReadDataset("/targets/q10g/side_m").ToDouble().Select(x => (float)x).ToArray();
        var centre = f.ReadDataset("/targets/q10g/centre_m").ToDouble().Select(x => (float)x).ToArray();
        if (voxel.Length != cubes || orient.Length != cubes || side.Length != cubes || centre.Length != 3 * cubes) throw Bad("inconsistent /targets/q10g array lengths.", "/targets/q10g");
        foreach (var v in voxel) if (v < 0 || v >= n || status[v] == 0) throw Bad($"cube reference voxel {v} outside the slab or on background.", "/targets/q10g/voxel");
        return new Surrogate3dSubject(id, family, path, nx, ny, nz, ex, ey, ez, b1, status, rho, labels, names, exact, packed, voxel, orient, side, centre);
    }

    /// <summary>(USED voxel, VALID cube containing it entirely) pairs, as targets.py <c>used_pairs</c>.</summary>
    private (int[], int[]) UsedPairs(byte[] orientation, float[] side, float[] centre)
    {
        var vs = new List<int>(); var cs = new List<int>();
        var edges = new[] { EdgesX, EdgesY, EdgesZ };
        Span<int> lo = stackalloc int[3], hi = stackalloc int[3];
        for (int c = 0; c < orientation.Length; c++)
        {
            if (orientation[c] != 7) continue;
            double h = side[c] / 2.0;
            bool empty = false;
            for (int a = 0; a < 3; a++)
            {
                var e = edges[a]; double d = e[1] - e[0], x = centre[3 * c + a];
                lo[a] = LowerBound(e, x - h - ContainTolerance * d);          // first edge ≥ low face
                hi[a] = UpperBound(e, x + h + ContainTolerance * d) - 1;      // last edge ≤ high face
                if (hi[a] <= lo[a]) empty = true;
            }
            if (empty) continue;
            for (int k = lo[2]; k < hi[2]; k++)
                for (int j = lo[1]; j < hi[1]; j++)
                    for (int i = lo[0]; i < hi[0]; i++)
                    {
                        int v = i + Nx * (j + Ny * k);
                        if (Status[v] == 2) { vs.Add(v); cs.Add(c); }
                    }
        }
        return (vs.ToArray(), cs.ToArray());
    }

    private static int LowerBound(double[] e, double x) { int i = 0; while (i < e.Length && e[i] < x) i++; return i; }
    private static int UpperBound(double[] e, double x) { int i = 0; while (i < e.Length && e[i] <= x) i++; return i; }

    /// <summary>bᴴQb (W/kg) of every stored cube for a drive b (V peak incident per port).</summary>
    public double[] CubeSar(ReadOnlySpan<Complex> b)
    {
        if (b.Length != Ch) throw new SarKitInputException($"Drive has {b.Length} weights; subject {Id} has {Ch} channels.");
        int n = Cubes;
        var s = new double[n];
        for (int i = 0; i < Ch; i++)
        {
            double a2 = b[i].Real * b[i].Real + b[i].Imaginary * b[i].Imaginary;
            var row = _packed.AsSpan(i * n, n);
            for (int c = 0; c < n; c++) s[c] += a2 * row[c];
        }
        int p = 0;
        for (int i = 0; i < Ch; i++)
            for (int j = i + 1; j < Ch; j++, p++)
            {
                var x = Complex.Conjugate(b[i]) * b[j];   // Re(conj(b_i) Q_ij b_j) = Re(x) Re Q - Im(x) Im Q
                double re = 2 * x.Real, im = -2 * x.Imaginary;
                var rr = _packed.AsSpan((Ch + p) * n, n); var ri = _packed.AsSpan((Ch + 28 + p) * n, n);
                for (int c = 0; c < n; c++) s[c] += re * rr[c] + im * ri[c];
            }
        return s;
    }

    /// <summary>
    /// IEC/IEEE 62704-1 10 g SAR map (W/kg) of the drive b over the slab, [k][j][i] flattened: 0 on background, NaN
    /// where a non-exact slice has a USED voxel whose containing cubes are all centred outside the slab.
    /// </summary>
    public double[] Sar10gMap(ReadOnlySpan<Complex> b)
    {
        var q = CubeSar(b);
        var map = new double[Nx * Ny * Nz];
        Array.Fill(map, double.NegativeInfinity);
        for (int c = 0; c < q.Length; c++) { int v = _voxel[c]; if (q[c] > map[v]) map[v] = q[c]; }
        for (int p = 0; p < _usedVoxel.Length; p++) { int v = _usedVoxel[p]; double x = q[_usedCube[p]]; if (x > map[v]) map[v] = x; }
        for (int v = 0; v < map.Length; v++)
            if (Status[v] == 0) map[v] = 0;
            else if (double.IsNegativeInfinity(map[v])) map[v] = double.NaN;
        foreach (var k in ExactSlices)
            for (int v = k * SliceCells; v < (k + 1) * SliceCells; v++)
                if (double.IsNaN(map[v])) throw new SarKitInputException($"'{FilePath}': tissue voxel {v} of exact slice {k} has no 10 g cube (file inconsistent).") { SourceFile = FilePath, Dataset = "/targets/q10g" };
        return map;
    }

    /// <summary>Tissue mask of slice k (ρ &gt; 0: every tissue voxel, not air or bowel gas), [j][i].</summary>
    public byte[] SliceMask(int k)
    {
        var m = new byte[SliceCells];
        for (int c = 0; c < SliceCells; c++) m[c] = Rho[k * SliceCells + c] > 0 ? (byte)1 : (byte)0;
        return m;
    }
}
