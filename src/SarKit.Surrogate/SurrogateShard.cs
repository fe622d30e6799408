using System.Numerics;
using SarKit.IO;
using SarKit.IO.Arrays;

namespace SarKit.Surrogate;

/// <summary>Reads the arrays of one subject shard (subject_NNNNN.npz, docs/surrogate.md "Files") with shape checks that
/// name the file and the array.</summary>
internal sealed class SurrogateShard : IDisposable
{
    private readonly NpzArchive _z;
    public SurrogateShard(string path, SurrogateManifest m)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"'{path}': subject shard listed in manifest.json does not exist.") { SourceFile = path };
        Path = path; Nx = m.Grid.Nx; Ny = m.Grid.Ny; Channels = m.Channels;
        _z = NpzArchive.Open(path);
    }

    public string Path { get; }
    public int Nx { get; }
    public int Ny { get; }
    public int Channels { get; }
    public int Cells => Nx * Ny;

    /// <summary>float32 array <paramref name="name"/> whose trailing axes are [ny, nx] and whose size is a multiple of ny·nx
    /// (<paramref name="lead"/> = expected leading count, or −1 for any).</summary>
    public float[] Floats(string name, int lead)
    {
        var a = _z.Find(name) ?? throw new SarKitInputException($"'{Path}': array '{name}' is missing.") { SourceFile = Path, Dataset = name };
        var s = a.Shape;
        bool ok = s.Length >= 2 && s[^2] == Ny && s[^1] == Nx;
        long size = 1; foreach (var d in s) size *= d;
        if (!ok || (lead >= 0 && size != (long)lead * Cells))
            throw new SarKitInputException($"'{Path}': array '{name}' has shape [{string.Join(", ", s)}]; expected {(lead >= 0 ? $"{lead} × " : "… × ")}[{Ny}, {Nx}] like the manifest grid.") { SourceFile = Path, Dataset = name };
        var d0 = _z.Read(name);
        return d0.Data as float[] ?? d0.ToDouble().Select(v => (float)v).ToArray();
    }

    /// <summary>1D or 2D per-shim values ('phases' [M, C], 'b1_mean_abs' [M]) as doubles.</summary>
    public double[] Values(string name, int expected)
    {
        var a = _z.Find(name) ?? throw new SarKitInputException($"'{Path}': array '{name}' is missing.") { SourceFile = Path, Dataset = name };
        var v = _z.Read(name).ToDouble();
        if (v.Length != expected) throw new SarKitInputException($"'{Path}': array '{name}' has {v.Length} values (shape [{string.Join(", ", a.Shape)}]); expected {expected}.") { SourceFile = Path, Dataset = name };
        return v;
    }

    public int Shims(int stated)
    {
        var a = _z.Find("phases") ?? throw new SarKitInputException($"'{Path}': array 'phases' is missing.") { SourceFile = Path, Dataset = "phases" };
        if (a.Shape.Length != 2 || a.Shape[1] != Channels) throw new SarKitInputException($"'{Path}': 'phases' has shape [{string.Join(", ", a.Shape)}]; expected [M, {Channels}].") { SourceFile = Path, Dataset = "phases" };
        if (a.Shape[0] != stated) throw new SarKitInputException($"'{Path}': {a.Shape[0]} shims; the manifest says {stated}.") { SourceFile = Path, Dataset = "phases" };
        return a.Shape[0];
    }

    public byte[] Mask()
    {
        var a = _z.Find("mask") ?? throw new SarKitInputException($"'{Path}': array 'mask' is missing.") { SourceFile = Path, Dataset = "mask" };
        if (a.Shape.Length != 2 || a.Shape[0] != Ny || a.Shape[1] != Nx) throw new SarKitInputException($"'{Path}': 'mask' has shape [{string.Join(", ", a.Shape)}]; expected [{Ny}, {Nx}] like the manifest grid.") { SourceFile = Path, Dataset = "mask" };
        return _z.Read("mask").ToDouble().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
    }

    public double[] Density() => Array.ConvertAll(Floats("rho", 1), v => (double)v);

    /// <summary>Per-channel complex maps ('b1_channels', 'e_channels' [C, 2, ny, nx]) as [channel][cell].</summary>
    public Complex[][] ChannelMaps(string name)
    {
        var f = Floats(name, 2 * Channels);
        int n = Cells;
        var r = new Complex[Channels][];
        for (int k = 0; k < Channels; k++)
        {
            r[k] = new Complex[n];
            for (int c = 0; c < n; c++) r[k][c] = new Complex(f[2 * k * n + c], f[(2 * k + 1) * n + c]);
        }
        return r;
    }

    /// <summary>Maximum of each of <paramref name="shims"/> maps of a [M, ny, nx] array.</summary>
    public double[] PeaksPerShim(string name, int shims)
    {
        var y = Floats(name, shims);
        int n = Cells;
        var p = new double[shims];
        for (int k = 0; k < shims; k++) { float m = float.NegativeInfinity; var s = y.AsSpan(k * n, n); foreach (var v in s) if (v > m) m = v; p[k] = m; }
        return p;
    }

    public void Dispose() => _z.Dispose();
}

/// <summary>A subject's per-channel maps for computing its normalised peak SAR of any shim (evaluation.normalised_peaks).</summary>
internal sealed class ShimPeakCalculator
{
    private readonly Complex[][] _b, _e;
    private readonly byte[] _mask;
    private readonly SquareMassAverage2D _avg;
    private readonly double[] _sar, _sar10;
    private readonly Complex[] _w;
    private readonly int[] _cells;

    public ShimPeakCalculator(Complex[][] b1, Complex[][] e, byte[] mask, SquareMassAverage2D average)
    {
        _b = b1; _e = e; _mask = mask; _avg = average;
        _sar = new double[mask.Length]; _sar10 = new double[mask.Length]; _w = new Complex[b1.Length];
        // cells where SAR or ⟨|B1⁺|⟩ can be non-zero (the body, and wherever some e_n ≠ 0); elsewhere SAR stays 0
        _cells = Enumerable.Range(0, mask.Length).Where(c => mask[c] != 0 || e.Any(ch => ch[c] != Complex.Zero)).ToArray();
    }

    /// <summary>(peak point SAR, peak 2D 10 g SAR) / ⟨|Σ w b|⟩² for w_n = exp(j·phases_n).</summary>
    public (double Sar, double Sar10g) Peaks(ReadOnlySpan<double> phases)
    {
        for (int k = 0; k < _w.Length; k++) _w[k] = Complex.FromPolarCoordinates(1, phases[k]);
        double sum = 0; int body = 0;
        foreach (int c in _cells)
        {
            Complex e = 0;
            for (int k = 0; k < _w.Length; k++) e += _w[k] * _e[k][c];
            _sar[c] = e.Real * e.Real + e.Imaginary * e.Imaginary;
            if (_mask[c] == 0) continue;
            Complex b = 0;
            for (int k = 0; k < _w.Length; k++) b += _w[k] * _b[k][c];
            sum += b.Magnitude; body++;
        }
        double mean = sum / body, norm = 1 / (mean * mean);
        double pk = 0;
        foreach (int c in _cells) { _sar[c] *= norm; pk = Math.Max(pk, _sar[c]); }
        _avg.Average(_sar, _sar10);
        double pk10 = 0;
        foreach (var v in _sar10) pk10 = Math.Max(pk10, v);
        return (pk, pk10);
    }
}
