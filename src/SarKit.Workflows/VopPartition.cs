using System.Globalization;
using SarKit.Compression;
using SarKit.Fields;

namespace SarKit.Workflows;

/// <summary>
/// Partition i of N of a Q-matrix input (scale-out, docs/vop-cli.md "Partitions"): the contiguous block
/// [⌊(i−1)K/N⌋, ⌊iK/N⌋) of K matrices; the N blocks cover the input exactly once.
/// </summary>
/// <param name="I">Block index, 1 ≤ I ≤ N.</param>
/// <param name="N">Number of blocks, ≥ 1.</param>
public sealed record VopPartition(int I, int N)
{
    /// <summary>Parses "i/N" (null: no partition); bad text is a <see cref="SarKitInputException"/> naming <c>--partition</c>.</summary>
    public static VopPartition? Parse(string? text)
    {
        if (text is null) return null;
        var m = text.Split('/');
        if (m.Length != 2 || !int.TryParse(m[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || !int.TryParse(m[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || i < 1 || i > n)
            throw new SarKitInputException($"--partition '{text}': expected i/N with 1 ≤ i ≤ N, e.g. 3/16.");
        return new VopPartition(i, n);
    }

    /// <summary>Block <paramref name="p"/> of <paramref name="total"/> matrices: (first, count); the whole input without a partition.</summary>
    public static (long First, long Count) Range(VopPartition? p, long total)
    {
        if (p is null) return (0, total);
        long a = (long)((System.Numerics.BigInteger)(p.I - 1) * total / p.N), b = (long)((System.Numerics.BigInteger)p.I * total / p.N);
        return (a, b - a);
    }

    /// <summary>"i/N".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{I}/{N}");

    /// <summary>The block of <paramref name="inner"/> selected by <paramref name="p"/>, as a source (does not own <paramref name="inner"/>).</summary>
    internal static IQMatrixSource Slice(IQMatrixSource inner, VopPartition? p) => new RangeSource(inner, Range(p, inner.Count));

    private sealed class RangeSource(IQMatrixSource inner, (long First, long Count) range) : IQMatrixSource
    {
        public int Channels => inner.Channels;
        public long Count => range.Count;
        public string Description => range.First == 0 && range.Count == inner.Count ? inner.Description : $"{inner.Description} [{range.First}, {range.First + range.Count})";
        public FieldNormalisation Normalisation => inner.Normalisation;
        public void Read(long first, Span<double> packedOut) => inner.Read(range.First + first, packedOut);
        public void Dispose() { }
    }
}

/// <summary>
/// Progress of a VOP use case: <paramref name="Done"/> of <paramref name="Total"/> in <paramref name="Stage"/>, with a
/// detail text; or, when <paramref name="Message"/> is set, a one-line message between the stages.
/// </summary>
/// <param name="Stage">Stage name, e.g. "compress: pruning" or "verify: convex combination".</param>
/// <param name="Done">Work done in the stage (matrices, drives, or a fraction).</param>
/// <param name="Total">Work of the stage (≥ 1).</param>
/// <param name="Detail">Detail of the stage (iteration, ε, VOP count, failures), or empty.</param>
/// <param name="Message">A message instead of a stage report, or null.</param>
public sealed record VopProgress(string Stage, double Done, double Total, string Detail = "", string? Message = null);
