using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

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

    /// <summary>
    /// Relative tolerance τ of <see cref="CheckPositiveSemidefinite"/>: a correlation matrix R is accepted when
    /// R + τ·tr(R)·I is positive definite, i.e. λ_min(R) &gt; −τ·tr(R). The energy an accepted block can hide is at most
    /// τ·tr(R)·λ_max(Q) for any matrix Q (10⁻⁶ of the block's own energy scale); rounding of R = Σ x xᴴ Δt in double (and
    /// of float32 sources) stays far below it.
    /// </summary>
    public const double PsdRelativeTolerance = 1e-6;

    /// <summary>
    /// Checks that packed weights w(R) (<see cref="HermitianPacking.DriveWeights"/> layout: R_ii = w_i, R_ij = (w_o + i·w_{o+1})/2
    /// for i &lt; j) describe a Hermitian positive semidefinite R, as every correlation Σ x xᴴ Δt is: all values finite,
    /// diagonal ≥ 0, and a Cholesky factorisation of R + τ·tr(R)·I succeeds (τ = <paramref name="relativeTolerance"/>);
    /// with tr(R) = 0 every entry must be 0. Returns null when it is, else the reason. An indefinite R would let
    /// tr(Q R) be negative and cancel energy delivered by other blocks.
    /// </summary>
    public static string? CheckPositiveSemidefinite(ReadOnlySpan<double> packedWeights, int channels, double relativeTolerance = PsdRelativeTolerance)
    {
        int n = channels;
        if (packedWeights.Length != n * n) return $"{packedWeights.Length} values, expected {n * n}";
        for (int k = 0; k < packedWeights.Length; k++) if (!double.IsFinite(packedWeights[k])) return $"value {k} is {packedWeights[k]}";
        double tr = 0;
        for (int i = 0; i < n; i++)
        {
            if (packedWeights[i] < 0) return $"negative channel energy R[{i},{i}] = {packedWeights[i]}";
            tr += packedWeights[i];
        }
        if (!double.IsFinite(tr)) return $"trace {tr} overflows";
        if (tr == 0)
        {
            foreach (var v in packedWeights) if (v != 0) return "not positive semidefinite: zero diagonal with non-zero off-diagonal terms";
            return null;
        }
        double delta = relativeTolerance * tr;
        var a = new Complex[n, n];
        for (int i = 0; i < n; i++) a[i, i] = packedWeights[i] + delta;
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                var z = new Complex(packedWeights[o] / 2, packedWeights[o + 1] / 2); o += 2;
                a[i, j] = z; a[j, i] = Complex.Conjugate(z);
            }
        // in-place Cholesky A = L Lᴴ (lower triangle)
        for (int j = 0; j < n; j++)
        {
            double d = a[j, j].Real;
            for (int k = 0; k < j; k++) d -= a[j, k].Real * a[j, k].Real + a[j, k].Imaginary * a[j, k].Imaginary;
            if (!(d > 0)) return $"not positive semidefinite (λ_min < −{relativeTolerance:G}·tr R; pivot {j} is {d:G4} with tr R = {tr:G4})";
            double l = Math.Sqrt(d);
            a[j, j] = l;
            for (int i = j + 1; i < n; i++)
            {
                var sum = a[i, j];
                for (int k = 0; k < j; k++) sum -= a[i, k] * Complex.Conjugate(a[j, k]);
                a[i, j] = sum / l;
            }
        }
        return null;
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
