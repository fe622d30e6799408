using System.Security.Cryptography;
using SarKit.Fields;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// Original Q-matrices read in chunks, so that sets larger than memory (10⁷ matrices) can be verified and reported on
/// while streamed from disk. Matrices are returned in <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/> layout (n² doubles each), in
/// file order; <see cref="VopSet.HashMatrices"/> of the whole sequence equals the SHA-256 of the concatenated chunks.
/// Implementations: <see cref="PackedQMatrixSource"/> (in memory), <see cref="ConcatenatedQMatrixSource"/> and the
/// file readers of <c>SarKit.IO.Formats.QMatrixSources</c>. Not thread-safe: read from one thread.
/// </summary>
public interface IQMatrixSource : IDisposable
{
    /// <summary>Matrix size N (channels).</summary>
    int Channels { get; }
    /// <summary>Number of matrices.</summary>
    long Count { get; }
    /// <summary>File name(s) or "memory", for messages and provenance.</summary>
    string Description { get; }
    /// <summary>Drive normalisation of the matrices when the file states it.</summary>
    FieldNormalisation Normalisation { get; }
    /// <summary>Reads matrices [first, first + k) into <paramref name="packedOut"/> (k = packedOut.Length / n²).</summary>
    void Read(long first, Span<double> packedOut);
}

/// <summary>Helpers over <see cref="IQMatrixSource"/>.</summary>
public static class QMatrixSourceExtensions
{
    /// <summary>Default chunk of matrices read at once (64 Ki matrices: 32 MB at N = 8).</summary>
    public const int DefaultChunk = 65536;

    /// <summary>Reads the whole source into one packed array (for compression; throws when it cannot fit in one array).</summary>
    public static double[] ReadAll(this IQMatrixSource s) => s.ReadRange(0, s.Count);

    /// <summary>Reads matrices [first, first + count) into one packed array.</summary>
    public static double[] ReadRange(this IQMatrixSource s, long first, long count)
    {
        long nn = (long)s.Channels * s.Channels;
        if (first < 0 || count < 0 || first + count > s.Count)
            throw new SarKitInputException($"{s.Description}: matrices [{first}, {first + count}) requested, the source has {s.Count}.") { SourceFile = s.Description };
        if (count * nn > Array.MaxLength)
            throw new SarKitInputException($"{s.Description}: {count} matrices of {s.Channels}×{s.Channels} do not fit in memory at once; use --partition i/N and `sarkit vop merge`.") { SourceFile = s.Description };
        var r = new double[count * nn];
        int chunk = Math.Max(1, (int)Math.Min(DefaultChunk, Math.Max(1, count)));
        for (long done = 0; done < count; done += chunk)
        {
            int k = (int)Math.Min(chunk, count - done);
            s.Read(first + done, r.AsSpan((int)(done * nn), (int)(k * nn)));
        }
        return r;
    }

    /// <summary>
    /// Streams the source once, in chunks: SHA-256 of all matrices (identical to <see cref="VopSet.HashMatrices"/> of the
    /// concatenation), SAR_wc = max λ_max and the sum of all matrices (packed), the input of a global margin.
    /// </summary>
    public static (string Sha256, double SarWorstCase, double[] Sum) Summarise(this IQMatrixSource s, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        int n = s.Channels, nn = n * n;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sum = new double[nn];
        double wc = 0;
        int chunk = (int)Math.Min(DefaultChunk, Math.Max(1, s.Count));
        var buf = new double[(long)chunk * nn];
        var lam = new double[chunk];
        for (long first = 0; first < s.Count; first += chunk)
        {
            ct.ThrowIfCancellationRequested();
            int k = (int)Math.Min(chunk, s.Count - first);
            var span = buf.AsSpan(0, k * nn);
            s.Read(first, span);
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<double>)span));
            for (int i = 0; i < k; i++)
            {
                var q = span.Slice(i * nn, nn);
                for (int t = 0; t < nn; t++) sum[t] += q[t];
            }
            // λ_max(Q) ≤ ‖Q‖_F: a matrix whose bound is below SAR_wc so far cannot raise it, so per block of 1024 only the
            // others get the eigenvalue solve (moved to the front of their block; the buffer is scratch once hashed and
            // summed). SAR_wc stays the exact maximum (the 1e-12 slack covers the rounding of the norm; NaN and ∞ always
            // take the solve).
            for (int b0 = 0; b0 < k; b0 += 1024)
            {
                int b1 = Math.Min(k, b0 + 1024), m = b0;
                for (int i = b0; i < b1; i++)
                {
                    var q = span.Slice(i * nn, nn);
                    if (HermitianKernels.FrobeniusNorm(q, n) * (1 + 1e-12) < wc) continue;
                    if (m != i) q.CopyTo(span.Slice(m * nn, nn));
                    m++;
                }
                HermitianKernels.LargestEigenvalues(span.Slice(b0 * nn, (m - b0) * nn), n, lam.AsSpan(0, m - b0));
                for (int i = 0; i < m - b0; i++) wc = Math.Max(wc, lam[i]);
            }
            progress?.Report((double)(first + k) / s.Count);
        }
        return (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), wc, sum);
    }
}

/// <summary>Q-matrices already in memory (packed, back to back).</summary>
public sealed class PackedQMatrixSource : IQMatrixSource
{
    private readonly double[] _packed;

    public PackedQMatrixSource(double[] packed, int channels, string description = "memory", FieldNormalisation normalisation = FieldNormalisation.Unspecified)
    {
        OverestimationReport.CheckSet(packed, channels, description);
        _packed = packed; Channels = channels; Description = description; Normalisation = normalisation;
    }

    public int Channels { get; }
    public long Count => _packed.Length / (Channels * Channels);
    public string Description { get; }
    public FieldNormalisation Normalisation { get; }
    /// <summary>The packed matrices (no copy).</summary>
    public double[] Packed => _packed;

    public void Read(long first, Span<double> packedOut)
    {
        int nn = Channels * Channels;
        if (packedOut.Length % nn != 0 || first < 0 || first * nn + packedOut.Length > _packed.Length)
            throw new ArgumentOutOfRangeException(nameof(first), $"{Description}: read of {packedOut.Length / nn} matrices at {first} outside 0..{Count}.");
        _packed.AsSpan((int)(first * nn), packedOut.Length).CopyTo(packedOut);
    }

    public void Dispose() { }
}

/// <summary>Several sources read one after the other (e.g. the Q-matrix files of all partitions of a merge).</summary>
public sealed class ConcatenatedQMatrixSource : IQMatrixSource
{
    private readonly IQMatrixSource[] _parts;
    private readonly long[] _starts;

    /// <summary>Concatenates <paramref name="parts"/> (takes ownership: disposing this disposes them). All must have the same channel count.</summary>
    public ConcatenatedQMatrixSource(IReadOnlyList<IQMatrixSource> parts)
    {
        if (parts.Count == 0) throw new SarKitInputException("No Q-matrix inputs given.");
        int n = parts[0].Channels;
        foreach (var p in parts)
            if (p.Channels != n)
                throw new SarKitInputException($"{p.Description}: {p.Channels} channels, but {parts[0].Description} has {n}; all Q-matrix inputs must have the same channel count.") { SourceFile = p.Description };
        _parts = parts.ToArray();
        _starts = new long[_parts.Length + 1];
        for (int i = 0; i < _parts.Length; i++) _starts[i + 1] = _starts[i] + _parts[i].Count;
        var norms = _parts.Select(p => p.Normalisation).Where(x => x != FieldNormalisation.Unspecified).Distinct().ToArray();
        Normalisation = norms.Length == 1 ? norms[0] : FieldNormalisation.Unspecified;
    }

    public int Channels => _parts[0].Channels;
    public long Count => _starts[^1];
    public string Description => string.Join(", ", _parts.Select(p => p.Description));
    public FieldNormalisation Normalisation { get; }
    /// <summary>Index of the first matrix of each part in the concatenation.</summary>
    public IReadOnlyList<long> PartStarts => _starts;

    public void Read(long first, Span<double> packedOut)
    {
        int nn = Channels * Channels;
        long k = packedOut.Length / nn;
        int p = 0;
        while (p < _parts.Length - 1 && first >= _starts[p + 1]) p++;
        long done = 0;
        while (done < k)
        {
            long local = first + done - _starts[p];
            long take = Math.Min(k - done, _parts[p].Count - local);
            if (take > 0) _parts[p].Read(local, packedOut.Slice((int)(done * nn), (int)(take * nn)));
            done += Math.Max(0, take);
            p++;
            if (p >= _parts.Length && done < k) throw new ArgumentOutOfRangeException(nameof(first));
        }
    }

    public void Dispose() { foreach (var p in _parts) p.Dispose(); }
}
