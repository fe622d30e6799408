using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Sar;

namespace SarKit.Supervision;

/// <summary>
/// Channel correlation matrix R = Σ_t x_t x_tᴴ Δt of multi-channel drive samples, kept in the packed weight form of
/// <see cref="HermitianPacking.DriveWeights"/> so that the absorbed energy per unit mass for a Hermitian Q is a dot product:
/// tr(Q R) = Σ_t x_tᴴ Q x_t Δt = Σ_k w_k(R) P_k(Q). Because w(·) is linear in x xᴴ, w(R) = Σ_t Δt·w(x_t).
/// Computed with SIMD dot products over contiguous per-channel samples (4 real dots per channel pair).
/// </summary>
public static class RfCorrelation
{
    /// <summary>
    /// Adds Δt·Σ_t w(x_t) to <paramref name="weights"/> (length N²) for samples stored planar: channel c's real parts are
    /// <c>re[c*length .. (c+1)*length)</c>, imaginary parts likewise in <paramref name="im"/>.
    /// </summary>
    public static void Accumulate(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int channels, int length, double dt, Span<double> weights)
        => Accumulate(re, im, channels, length, length, dt, weights);

    /// <summary>As <see cref="Accumulate(ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, double, Span{double})"/> with channel c at offset c·<paramref name="stride"/>.</summary>
    public static void Accumulate(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int channels, int length, int stride, double dt, Span<double> weights)
    {
        if (weights.Length != channels * channels) throw new ArgumentException("weights must have N² entries", nameof(weights));
        if (re.Length < (channels - 1) * stride + length || im.Length < (channels - 1) * stride + length) throw new ArgumentException("sample arrays too short");
        // chunks of ChunkSamples keep all channels of a chunk in cache while every channel pair is visited
        for (int c0 = 0; c0 < length; c0 += ChunkSamples)
            AccumulateChunk(re[c0..], im[c0..], channels, Math.Min(ChunkSamples, length - c0), stride, dt, weights);
    }

    private const int ChunkSamples = 512;

    private static void AccumulateChunk(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int channels, int length, int stride, double dt, Span<double> weights)
    {
        for (int i = 0; i < channels; i++)
        {
            var ri = re.Slice(i * stride, length); var ii = im.Slice(i * stride, length);
            weights[i] += dt * (TensorPrimitives.Dot(ri, ri) + TensorPrimitives.Dot(ii, ii));
        }
        int o = channels;
        for (int i = 0; i < channels; i++)
        {
            var ri = re.Slice(i * stride, length); var ii = im.Slice(i * stride, length);
            for (int j = i + 1; j < channels; j++)
            {
                var rj = re.Slice(j * stride, length); var ij = im.Slice(j * stride, length);
                // c = Σ conj(x_i) x_j
                double cr = TensorPrimitives.Dot(ri, rj) + TensorPrimitives.Dot(ii, ij);
                double ci = TensorPrimitives.Dot(ri, ij) - TensorPrimitives.Dot(ii, rj);
                weights[o++] += 2 * dt * cr;
                weights[o++] += -2 * dt * ci;
            }
        }
    }

    /// <summary>Packed weights of R = e·a aᴴ for a static shim: channel c sends a_c·s(t) with e = Σ|s|²Δt.</summary>
    public static double[] StaticShim(ReadOnlySpan<Complex> a, double energy)
    {
        var w = HermitianPacking.DriveWeights(a);
        for (int k = 0; k < w.Length; k++) w[k] *= energy;
        return w;
    }

    /// <summary>Naive reference: Σ_t x_tᴴ Q x_t Δt per sample (used by tests and the benchmark baseline).</summary>
    public static double NaiveEnergy(ReadOnlySpan<double> packedQ, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int channels, int length, double dt)
    {
        var x = new Complex[channels];
        Span<double> w = stackalloc double[channels * channels];
        double e = 0;
        for (int t = 0; t < length; t++)
        {
            for (int c = 0; c < channels; c++) x[c] = new Complex(re[c * length + t], im[c * length + t]);
            WeightsInto(x, w);
            e += TensorPrimitives.Dot(packedQ, w) * dt;
        }
        return e;
    }

    /// <summary>Writes w(x) (see <see cref="HermitianPacking.DriveWeights"/>) into <paramref name="w"/> without allocating.</summary>
    public static void WeightsInto(ReadOnlySpan<Complex> x, Span<double> w)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++) w[i] = x[i].Real * x[i].Real + x[i].Imaginary * x[i].Imaginary;
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double cr = x[i].Real * x[j].Real + x[i].Imaginary * x[j].Imaginary;
                double ci = x[i].Real * x[j].Imaginary - x[i].Imaginary * x[j].Real;
                w[o++] = 2 * cr; w[o++] = -2 * ci;
            }
    }
}
