using System.Numerics;

namespace SarKit.Averaging;

/// <summary>
/// Summed-volume table of a voxel quantity with C components per voxel: S[a,b,c] = Σ_{i&lt;a, j&lt;b, k&lt;c} q[i,j,k]
/// on (Nx+1)(Ny+1)(Nz+1) nodes, components contiguous per node. Because q is constant inside each voxel, the integral of q
/// over [0,x]×[0,y]×[0,z] (continuous index coordinates) is the trilinear interpolation of S, so the integral of q over
/// any axis-aligned box with fractional faces — exactly the weighted sum Σ w_i q_i with w_i the product of the voxel's
/// per-axis overlap fractions (the IEC/IEEE 62704-1 partial-layer weights k, k², k³ for a centred cube) — costs at most
/// 4×4×4 node reads, independent of the box size.
/// Sums are accumulated in double; relative cancellation error is ~1e-16 × (total / box integral).
/// </summary>
public sealed class PrefixSum3D : IVoxelIntegral
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Components { get; }
    internal readonly double[] S;
    private readonly long _sy, _sz; // node strides (in nodes)
    private readonly int _planes;   // node planes held: Nz + 1 (whole table) or a ring of the most recent planes (window)

    private PrefixSum3D(int nx, int ny, int nz, int comps, int planes = -1)
    {
        Nx = nx; Ny = ny; Nz = nz; Components = comps;
        _sy = nx + 1; _sz = (long)(nx + 1) * (ny + 1);
        _planes = planes < 0 ? nz + 1 : planes;
        S = new double[_sz * _planes * comps];
    }

    /// <summary>Node offset of node plane <paramref name="k"/> (its slot in the ring of a window).</summary>
    private long PlaneOffset(int k) => k % _planes * _sz;

    /// <summary>
    /// A window of the C-component table of an Nx × Ny × Nz voxel block that holds only the <paramref name="planes"/> most
    /// recent node planes (z-slabs), filled one plane at a time by <see cref="ComputePlane"/>. Each plane gets exactly the
    /// additions, in the same order, of the whole table built by <see cref="Build(int, int, int, int, Action{int, Span{double}}, Func{int, bool}?)"/>
    /// (running sum along x, then along y, then plane k += plane k − 1), so <see cref="Box(in Box3, Span{double})"/> on a
    /// box whose z-nodes are still held returns the whole table's result bit for bit. Memory: planes·(Nx+1)(Ny+1)·C doubles.
    /// </summary>
    internal static PrefixSum3D Window(int nx, int ny, int nz, int components, int planes)
    {
        if (planes < 2) throw new ArgumentOutOfRangeException(nameof(planes), planes, "a window holds at least two node planes");
        return new PrefixSum3D(nx, ny, nz, components, Math.Min(planes, nz + 1));
    }

    /// <summary>Number of node planes a window holds (Nz + 1 for a whole table).</summary>
    internal int PlanesHeld => _planes;

    /// <summary>
    /// Computes node plane <paramref name="k"/> (1..Nz; it sums voxel z-slices 0..k−1) of a window from voxel slice k − 1
    /// and plane k − 1, which must be the previous plane computed (planes in increasing order starting at 1).
    /// <paramref name="fill"/> and <paramref name="skip"/> as in <see cref="Build(int, int, int, int, Action{int, Span{double}}, Func{int, bool}?)"/>.
    /// </summary>
    internal void ComputePlane(int k, Action<int, Span<double>> fill, Func<int, bool>? skip = null)
    {
        if (k < 1 || k > Nz) throw new ArgumentOutOfRangeException(nameof(k), k, $"node plane 1..{Nz}");
        int c = Components, nx = Nx, ny = Ny;
        var s = S;
        long plane = PlaneOffset(k) * c, planeLen = _sz * c, rowLen = (nx + 1) * c;
        Array.Clear(s, (int)plane, (int)planeLen);
        Parallel.For(0, ny, j =>
        {
            long row = plane + (j + 1) * _sy * c;
            int v = nx * (j + ny * (k - 1));
            for (int i = 0; i < nx; i++, v++)
            {
                long at = row + (long)(i + 1) * c;
                var d = new Span<double>(s, (int)at, c);
                if (skip is null || !skip(v)) fill(v, d);
                Add(d, new Span<double>(s, (int)(at - c), c));
            }
        });
        // along y (row j += row j−1, j = 2..Ny): columns are independent, so split the row into ranges of ≥ 4096 values, at
        // most 64 (a split of the work, not a thread count: it never changes the arithmetic)
        int parts = (int)Math.Clamp(rowLen / 4096, 1, 64);
        long part = (rowLen + parts - 1) / parts;
        Parallel.For(0, parts, p =>
        {
            long a0 = p * part, len = Math.Min(part, rowLen - a0);
            if (len <= 0) return;
            for (int j = 2; j <= ny; j++)
            {
                long a = plane + j * _sy * c + a0, b = plane + (j - 1) * _sy * c + a0;
                Add(new Span<double>(s, (int)a, (int)len), new ReadOnlySpan<double>(s, (int)b, (int)len));
            }
        });
        if (k >= 2)
        {
            long prev = PlaneOffset(k - 1) * c;
            Parallel.For(0, ny + 1, j =>
            {
                long off = j * _sy * c;
                Add(new Span<double>(s, (int)(plane + off), (int)rowLen), new ReadOnlySpan<double>(s, (int)(prev + off), (int)rowLen));
            });
        }
    }

    /// <summary>Lowest and highest node plane (≥ 1) the z-taps of <paramref name="box"/> read; (0, 0) when it reads none.</summary>
    internal static (int Low, int High) PlanesRead(in Box3 box, int nz)
    {
        Taps tz = default;
        tz.Build(box.Z0, box.Z1, nz);
        int lo = int.MaxValue, hi = 0;
        for (int t = 0; t < tz.Count; t++) { lo = Math.Min(lo, tz.Index[t]); hi = Math.Max(hi, tz.Index[t]); }
        return tz.Count == 0 ? (0, 0) : (lo, hi);
    }

    /// <summary>Builds the table of a scalar voxel quantity (linear index order, x fastest).</summary>
    public static PrefixSum3D Build(int nx, int ny, int nz, ReadOnlySpan<double> values)
    {
        var p = new PrefixSum3D(nx, ny, nz, 1);
        var s = p.S;
        unsafe
        {
            fixed (double* pv = values)
            {
                double* src = pv;
                Parallel.For(0, nz, k =>
                {
                    for (int j = 0; j < ny; j++)
                    {
                        long row = (k + 1) * p._sz + (j + 1) * p._sy;
                        long n = (long)nx * (j + (long)ny * k);
                        double run = 0;
                        for (int i = 0; i < nx; i++) { run += src[n + i]; s[row + i + 1] = run; }
                    }
                });
            }
        }
        p.CumulateYZ();
        return p;
    }

    /// <summary>
    /// Builds a C-component table, filling voxel values through <paramref name="fill"/>(linear voxel index, destination span of C doubles).
    /// The callback is invoked in parallel over z-planes and must be thread-safe; destinations start zeroed.
    /// </summary>
    public static PrefixSum3D Build(int nx, int ny, int nz, int components, Action<int, Span<double>> fill, Func<int, bool>? skip = null)
    {
        var p = new PrefixSum3D(nx, ny, nz, components);
        var s = p.S;
        int c = components;
        Parallel.For(0, nz, k =>
        {
            for (int j = 0; j < ny; j++)
            {
                long row = ((k + 1) * p._sz + (j + 1) * p._sy) * c;
                int v = nx * (j + ny * k);
                for (int i = 0; i < nx; i++, v++)
                {
                    long at = row + (long)(i + 1) * c;
                    var d = new Span<double>(s, (int)at, c);
                    if (skip is null || !skip(v)) fill(v, d);
                    // running sum along x
                    var prev = new Span<double>(s, (int)(at - c), c);
                    Add(d, prev);
                }
            }
        });
        p.CumulateYZ();
        return p;
    }

    private static void Add(Span<double> dst, ReadOnlySpan<double> src)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= dst.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(dst.Slice(i)) + new Vector<double>(src.Slice(i))).CopyTo(dst.Slice(i));
        for (; i < dst.Length; i++) dst[i] += src[i];
    }

    private void CumulateYZ()
    {
        int c = Components;
        long rowLen = (Nx + 1) * c;
        var s = S;
        // along y within each z-plane (planes independent)
        Parallel.For(1, Nz + 1, k =>
        {
            for (int j = 2; j <= Ny; j++)
            {
                long a = (k * _sz + j * _sy) * c, b = (k * _sz + (j - 1) * _sy) * c;
                Add(new Span<double>(s, (int)a, (int)rowLen), new ReadOnlySpan<double>(s, (int)b, (int)rowLen));
            }
        });
        // along z: plane k += plane k-1 (rows independent)
        long planeLen = _sz * c;
        for (int k = 2; k <= Nz; k++)
        {
            long a = k * planeLen, b = (k - 1) * planeLen;
            int kk = k;
            Parallel.For(0, Ny + 1, j =>
            {
                long off = j * _sy * c;
                Add(new Span<double>(s, (int)(a + off), (int)rowLen), new ReadOnlySpan<double>(s, (int)(b + off), (int)rowLen));
            });
        }
    }

    /// <summary>Integral of a scalar table over the box [x0,x1]×[y0,y1]×[z0,z1] in continuous index coordinates (clamped to the grid).</summary>
    public double Box(in Box3 box)
    {
        Taps tx = default, ty = default, tz = default;
        tx.Build(box.X0, box.X1, Nx); ty.Build(box.Y0, box.Y1, Ny); tz.Build(box.Z0, box.Z1, Nz);
        double sum = 0;
        var s = S;
        for (int c = 0; c < tz.Count; c++)
        {
            long zc = tz.Index[c] * _sz;
            double yzSum = 0;
            for (int b = 0; b < ty.Count; b++)
            {
                long yb = zc + ty.Index[b] * _sy;
                double t = 0;
                for (int a = 0; a < tx.Count; a++) t += tx.Weight[a] * s[yb + tx.Index[a]];
                yzSum += ty.Weight[b] * t;
            }
            sum += tz.Weight[c] * yzSum;
        }
        return sum;
    }

    /// <summary>Integral over an integer index box [i0,i1)×[j0,j1)×[k0,k1) (8 reads).</summary>
    public double IntegerBox(int i0, int i1, int j0, int j1, int k0, int k1)
    {
        var s = S;
        return s[k1 * _sz + j1 * _sy + i1] - s[k1 * _sz + j1 * _sy + i0] - s[k1 * _sz + j0 * _sy + i1] + s[k1 * _sz + j0 * _sy + i0]
             - s[k0 * _sz + j1 * _sy + i1] + s[k0 * _sz + j1 * _sy + i0] + s[k0 * _sz + j0 * _sy + i1] - s[k0 * _sz + j0 * _sy + i0];
    }

    /// <summary>Integral of every component over a box, added into <paramref name="result"/> (C doubles).</summary>
    public void Box(in Box3 box, Span<double> result)
    {
        Taps tx = default, ty = default, tz = default;
        tx.Build(box.X0, box.X1, Nx); ty.Build(box.Y0, box.Y1, Ny); tz.Build(box.Z0, box.Z1, Nz);
        int comps = Components;
        var s = S;
        for (int c = 0; c < tz.Count; c++)
        {
            long zc = PlaneOffset(tz.Index[c]);
            for (int b = 0; b < ty.Count; b++)
            {
                long yb = zc + ty.Index[b] * _sy;
                double wyz = tz.Weight[c] * ty.Weight[b];
                for (int a = 0; a < tx.Count; a++)
                {
                    double w = wyz * tx.Weight[a];
                    var src = new ReadOnlySpan<double>(s, (int)((yb + tx.Index[a]) * comps), comps);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src, w, result, result);
                }
            }
        }
    }

    /// <summary>
    /// Interpolation taps along one axis for ∫_{lo}^{hi} = F(hi) − F(lo), F linear between nodes (F(0) = 0): at most four
    /// (node, weight) pairs, merged when nodes coincide.
    /// </summary>
    private struct Taps
    {
        public Int4 Index;
        public Double4 Weight;
        public int Count;

        public void Build(double lo, double hi, int n)
        {
            Count = 0;
            Add(hi, +1, n);
            Add(lo, -1, n);
        }

        private void Add(double x, double sign, int n)
        {
            if (x <= 0) return;
            if (x >= n) { Put(n, sign); return; }
            int a = (int)x; // x > 0: truncation = floor
            double f = x - a;
            if (f != 1) Put(a, sign * (1 - f));
            if (f != 0) Put(a + 1, sign * f);
        }

        private void Put(int a, double w)
        {
            if (a == 0) return;
            for (int t = 0; t < Count; t++) if (Index[t] == a) { Weight[t] += w; return; }
            Index[Count] = a; Weight[Count] = w; Count++;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(4)]
    private struct Int4 { private int _e; }

    [System.Runtime.CompilerServices.InlineArray(4)]
    private struct Double4 { private double _e; }
}

/// <summary>An axis-aligned box in continuous voxel-index coordinates (voxel i spans [i, i+1]).</summary>
public readonly record struct Box3(double X0, double X1, double Y0, double Y1, double Z0, double Z1)
{
    /// <summary>Volume in voxel units.</summary>
    public double Volume => (X1 - X0) * (Y1 - Y0) * (Z1 - Z0);
}

/// <summary>Integral of a scalar voxel quantity over boxes in continuous voxel-index coordinates.</summary>
internal interface IVoxelIntegral
{
    /// <summary>Σ_i q_i · (product of voxel i's per-axis overlaps with the box).</summary>
    double Box(in Box3 box);
    /// <summary>Σ q over the integer index box [i0,i1)×[j0,j1)×[k0,k1).</summary>
    double IntegerBox(int i0, int i1, int j0, int j1, int k0, int k1);
}

/// <summary>
/// The straightforward way to integrate over a box: loop over every voxel it touches (cost ∝ box volume).
/// Used as the baseline in benchmarks and as an independent check; results equal <see cref="PrefixSum3D"/> to rounding.
/// </summary>
internal sealed class DirectVoxelSum : IVoxelIntegral
{
    private readonly double[] _q; private readonly int _nx, _ny, _nz;
    public DirectVoxelSum(double[] q, int nx, int ny, int nz) { _q = q; _nx = nx; _ny = ny; _nz = nz; }

    public double Box(in Box3 b)
    {
        int i0 = Math.Max(0, (int)Math.Floor(b.X0)), i1 = Math.Min(_nx - 1, (int)Math.Ceiling(b.X1) - 1);
        int j0 = Math.Max(0, (int)Math.Floor(b.Y0)), j1 = Math.Min(_ny - 1, (int)Math.Ceiling(b.Y1) - 1);
        int k0 = Math.Max(0, (int)Math.Floor(b.Z0)), k1 = Math.Min(_nz - 1, (int)Math.Ceiling(b.Z1) - 1);
        double s = 0;
        for (int k = k0; k <= k1; k++)
        {
            double oz = AveragingCubeSet.Overlap(k, b.Z0, b.Z1);
            for (int j = j0; j <= j1; j++)
            {
                double oyz = oz * AveragingCubeSet.Overlap(j, b.Y0, b.Y1);
                int row = _nx * (j + _ny * k);
                for (int i = i0; i <= i1; i++) s += _q[row + i] * oyz * AveragingCubeSet.Overlap(i, b.X0, b.X1);
            }
        }
        return s;
    }

    public double IntegerBox(int i0, int i1, int j0, int j1, int k0, int k1)
    {
        double s = 0;
        for (int k = Math.Max(0, k0); k < Math.Min(_nz, k1); k++)
            for (int j = Math.Max(0, j0); j < Math.Min(_ny, j1); j++)
            {
                int row = _nx * (j + _ny * k);
                for (int i = Math.Max(0, i0); i < Math.Min(_nx, i1); i++) s += _q[row + i];
            }
        return s;
    }
}
