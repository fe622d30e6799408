namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// Reusable scratch space for the Hermitian kernels in <see cref="HermitianKernels"/>: a full complex N×N working matrix
/// (split real/imaginary parts, row-major), a complex N×N eigenvector accumulator and an N-vector. One instance per thread;
/// it grows on demand and is never shared between threads, so kernel calls allocate nothing once it is large enough.
/// </summary>
public sealed class HermitianWorkspace
{
    [ThreadStatic] private static HermitianWorkspace? s_current;

    internal double[] Re = [];
    internal double[] Im = [];
    internal double[] VRe = [];
    internal double[] VIm = [];
    internal double[] Diag = [];
    internal double[] Sub = [];
    internal double[] PRe = [];
    internal double[] PIm = [];

    /// <summary>Largest N the buffers currently hold.</summary>
    public int Capacity { get; private set; }

    /// <summary>Creates a workspace for matrices up to <paramref name="capacity"/>×<paramref name="capacity"/> (grows later if needed).</summary>
    public HermitianWorkspace(int capacity = 8) => Ensure(capacity);

    /// <summary>The calling thread's own workspace (created on first use).</summary>
    public static HermitianWorkspace ForCurrentThread => s_current ??= new HermitianWorkspace();

    internal void Ensure(int n)
    {
        if (n <= Capacity) return;
        int nn = n * n;
        Re = new double[nn]; Im = new double[nn]; VRe = new double[nn]; VIm = new double[nn]; Diag = new double[n];
        Sub = new double[n]; PRe = new double[n]; PIm = new double[n];
        Capacity = n;
    }
}
