namespace SarKit.Averaging;

/// <summary>
/// One axis of a rectilinear (graded) grid as the averaging cubes see it: the piecewise-linear map between physical
/// position (metres) and continuous voxel-index coordinate (cell i spans [i, i+1] ↔ [e_i, e_{i+1}]). Inside a cell the map
/// is linear, so the index-coordinate overlap of a box face with a cell is the physical fraction of the cell inside the
/// box, which is what the summed-volume tables integrate. Beyond the grid the end cells are continued with their widths
/// (only used to detect that a cube leaves the grid and to find the next breakpoint there).
/// </summary>
internal sealed class CubeAxis
{
    private readonly double[] _e;
    private const double Eps = 1e-9; // index units, as CubeShape

    public CubeAxis(ReadOnlySpan<double> edges) { _e = edges.ToArray(); }

    /// <summary>Number of cells.</summary>
    public int N => _e.Length - 1;

    /// <summary>Physical length of the axis (metres).</summary>
    public double Length => _e[^1] - _e[0];

    /// <summary>Position (metres) of edge <paramref name="n"/>; edges beyond the grid continue the end cell widths.</summary>
    public double Edge(long n)
    {
        int last = _e.Length - 1;
        if (n < 0) return _e[0] + n * (_e[1] - _e[0]);
        if (n > last) return _e[last] + (n - last) * (_e[last] - _e[last - 1]);
        return _e[n];
    }

    /// <summary>Physical position (metres) of the continuous index coordinate <paramref name="x"/>.</summary>
    public double ToPhysical(double x)
    {
        int n = N;
        if (x <= 0) return _e[0] + x * (_e[1] - _e[0]);
        if (x >= n) return _e[n] + (x - n) * (_e[n] - _e[n - 1]);
        int i = (int)x;
        return _e[i] + (x - i) * (_e[i + 1] - _e[i]);
    }

    /// <summary>Continuous index coordinate of the physical position <paramref name="p"/> (metres).</summary>
    public double ToIndex(double p)
    {
        int n = N;
        if (p <= _e[0]) return (p - _e[0]) / (_e[1] - _e[0]);
        if (p >= _e[n]) return n + (p - _e[n]) / (_e[n] - _e[n - 1]);
        int i = Array.BinarySearch(_e, p);
        if (i >= 0) return i;
        i = ~i - 1; // e[i] < p < e[i+1]
        return i + (p - _e[i]) / (_e[i + 1] - _e[i]);
    }

    /// <summary>Index of the first edge strictly above the index coordinate <paramref name="x"/> (ties within Eps count as equal).</summary>
    public static long EdgeAbove(double x) => (long)Math.Floor(x + Eps) + 1;

    /// <summary>Index of the last edge strictly below the index coordinate <paramref name="x"/>.</summary>
    public static long EdgeBelow(double x) => (long)Math.Ceiling(x - Eps) - 1;
}
