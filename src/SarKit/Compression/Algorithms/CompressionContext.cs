using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// The input of one compression run, prepared once: the packed Q-matrices, their λ_max (worst-case SAR per matrix),
/// the processing order (λ_max descending, ties by index, as in Lee et al. 2012), SAR_wc = max λ_max, the mean matrix
/// (Kuehne's first "fake candidate") and the run's threading, cancellation and progress.
/// </summary>
internal sealed class CompressionContext
{
    public double[] Q { get; }
    public int N { get; }
    public int NN { get; }
    public int Count { get; }
    public double[] Lambda { get; }
    /// <summary>Matrix indices sorted by λ_max descending.</summary>
    public int[] Order { get; }
    public double SarWc { get; }
    public double[] Mean { get; }
    public int Threads { get; }
    public CancellationToken Cancellation { get; }
    public IProgress<VopCompressionProgress>? Progress { get; }

    public CompressionContext(double[] q, int n, int threads, CancellationToken ct, IProgress<VopCompressionProgress>? progress)
    {
        Q = q; N = n; NN = n * n; Count = q.Length / NN;
        Threads = Math.Max(1, threads); Cancellation = ct; Progress = progress;
        Lambda = new double[Count];
        HermitianKernels.LargestEigenvalues(q, n, Lambda);
        SarWc = TensorPrimitives.Max(Lambda);
        Order = new int[Count];
        for (int i = 0; i < Count; i++) Order[i] = i;
        var keys = new (double, int)[Count];
        for (int i = 0; i < Count; i++) keys[i] = (-Lambda[i], i);
        Array.Sort(keys, Order);
        Mean = new double[NN];
        for (int i = 0; i < Count; i++) TensorPrimitives.Add(Mean, q.AsSpan(i * NN, NN), Mean);
        TensorPrimitives.Multiply(Mean, 1.0 / Count, Mean);
    }

    public ReadOnlySpan<double> Matrix(int i) => Q.AsSpan(i * NN, NN);
}

/// <summary>A growing list of VOPs V_j = Q_src(j) + Z (packed, margin included) with their source indices.</summary>
internal sealed class VopList
{
    private readonly int _nn;
    public double[] Packed { get; private set; }
    public int Count { get; private set; }
    public List<int> Sources { get; } = [];

    public VopList(int nn, int capacity = 64) { _nn = nn; Packed = new double[nn * Math.Max(1, capacity)]; }

    public void Add(int source, ReadOnlySpan<double> q, ReadOnlySpan<double> z)
    {
        if ((Count + 1) * _nn > Packed.Length)
        {
            var p = new double[Packed.Length * 2];
            Packed.AsSpan(0, Count * _nn).CopyTo(p);
            Packed = p;
        }
        TensorPrimitives.Add(q, z, Packed.AsSpan(Count * _nn, _nn));
        Sources.Add(source);
        Count++;
    }

    public ReadOnlySpan<double> Matrix(int j) => Packed.AsSpan(j * _nn, _nn);
    public double[] ToArray() => Packed.AsSpan(0, Count * _nn).ToArray();
}
