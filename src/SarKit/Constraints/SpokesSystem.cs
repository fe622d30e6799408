using System.Numerics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>Shape of the RF sub-pulses of a spokes / kT-points pulse.</summary>
public enum SubPulseShape
{
    /// <summary>Rectangular (hard) pulse: p(t) = 1 over the duration (kT-points).</summary>
    Hard,
    /// <summary>Hanning-windowed sinc with a time-bandwidth product: p(t) = sinc(TBW·u)·(0.5 + 0.5 cos πu), u = 2t/τ − 1 ∈ [−1, 1] (slice-selective spokes).</summary>
    Sinc,
}

/// <summary>
/// One sampled RF sub-pulse shape p(t) with peak |p| = 1, on a raster Δt (sample n played during [nΔt, (n+1)Δt)).
/// <see cref="Area"/> = Σ p_n Δt (s; the flip-angle weight in the small-tip approximation) and <see cref="Energy"/> =
/// Σ p_n² Δt (s; the weight of the sub-pulse in the time-averaged SAR, tr(Q R) with R = Σ x_n x_nᴴ Δt) are the exact
/// sums on the raster, so they agree with what a waveform checker integrates.
/// </summary>
public sealed record SubPulse
{
    /// <summary>Samples (real, peak magnitude 1).</summary>
    public required double[] Samples { get; init; }
    /// <summary>Raster Δt, s.</summary>
    public required double RasterS { get; init; }
    /// <summary>Duration, s.</summary>
    public double DurationS => Samples.Length * RasterS;
    /// <summary>∫p dt on the raster, s.</summary>
    public double Area => Samples.Sum() * RasterS;
    /// <summary>∫p² dt on the raster, s.</summary>
    public double Energy => Samples.Sum(x => x * x) * RasterS;

    /// <summary>The sampled shape: <paramref name="durationS"/> rounded to whole raster samples; sinc with time-bandwidth <paramref name="tbw"/>.</summary>
    public static SubPulse Create(SubPulseShape shape, double durationS, double rasterS, double tbw = 4)
    {
        if (!(rasterS > 0) || !double.IsFinite(rasterS)) throw new SarKitInputException($"Sub-pulse raster {rasterS} s: expected a finite value > 0.");
        if (!(durationS >= rasterS) || !double.IsFinite(durationS) || durationS / rasterS > 1e7)
            throw new SarKitInputException($"Sub-pulse duration {durationS} s: expected a finite value of 1 to 10⁷ raster samples ({rasterS} s).");
        if (shape == SubPulseShape.Sinc && (!(tbw > 0) || !double.IsFinite(tbw) || tbw > 100)) throw new SarKitInputException($"Sinc time-bandwidth product {tbw}: expected (0, 100].");
        int m = (int)Math.Round(durationS / rasterS);
        var p = new double[m];
        for (int i = 0; i < m; i++)
        {
            if (shape == SubPulseShape.Hard) { p[i] = 1; continue; }
            double u = 2 * (i + 0.5) / m - 1, x = Math.PI * tbw / 2 * u;
            p[i] = (x == 0 ? 1 : Math.Sin(x) / x) * (0.5 + 0.5 * Math.Cos(Math.PI * u));
        }
        double peak = p.Max(Math.Abs);
        for (int i = 0; i < m; i++) p[i] /= peak;
        return new SubPulse { Samples = p, RasterS = rasterS };
    }
}

/// <summary>
/// Spokes / kT-points pTx pulse design in the small-tip-angle approximation (Pauly et al., J Magn Reson 1989;81:43;
/// Grissom et al., Magn Reson Med 2006;56:620; Setsompop et al., Magn Reson Med 2008;60:1422; Cloos et al., Magn Reson
/// Med 2012;67:72). Channel n plays w_{n,j}·p_j(t) during sub-pulse j (j = 1…K) and the excitation k-space position
/// during sub-pulse j is k_j (rad/m, k(t) = −γ∫_t^T G ds, gradient blips between sub-pulses). The flip angle is then
///
///     θ(r) = γ Σ_j e^{i k_j·r} a_j Σ_n B1+_n(r) w_{n,j},        a_j = ∫p_j dt,
///
/// linear in the stacked weights w = (w_1; …; w_K) (index j·N + n): θ = A_full w with A_full = [A_1 … A_K],
/// (A_j)_{r,n} = γ a_j e^{i k_j·r} B1+_n(r). SAR averaged over a repetition TR is a quadratic form with a
/// block-diagonal matrix: SAR_Q = Σ_j c_j w_jᴴ Q w_j = wᴴ blockdiag(c_1 Q, …, c_K Q) w, c_j = ∫p_j² dt / TR. So every
/// constraint set of RF shimming (every Q-matrix, VOPs, MVIE, global Q, channel powers) becomes a set of (NK)×(NK)
/// Hermitian PSD matrices and the same MLS / variable-exchange solver (<see cref="RfShimSolver"/>, <see cref="ShimQcqp"/>)
/// applies to the stacked variable. K = 1 with k = 0 and a hard pulse is the RF shim (flip ∝ |Σ B1+_n w_n|).
/// </summary>
public static class SpokesSystem
{
    /// <summary>
    /// A_full (R × N·K, row-major, column j·N + n) = scale·a_j·e^{i k_j·r}·B1+_n(r). <paramref name="b1"/>: R × N row-major;
    /// <paramref name="positions"/>: R positions (x, y, z) in m; <paramref name="k"/>: K positions in rad/m; <paramref name="areas"/>: a_j in s;
    /// <paramref name="scale"/> converts B1·s to the target unit (e.g. γ·180/π for degrees with B1 in T).
    /// </summary>
    public static Complex[] SystemMatrix(Complex[] b1, int n, (double X, double Y, double Z)[] positions, (double X, double Y, double Z)[] k, double[] areas, double scale)
    {
        ArgumentNullException.ThrowIfNull(b1); ArgumentNullException.ThrowIfNull(positions); ArgumentNullException.ThrowIfNull(k); ArgumentNullException.ThrowIfNull(areas);
        int r = positions.Length, kk = k.Length, cols = n * kk;
        if (b1.Length != r * n) throw new ArgumentException($"B1 has {b1.Length} entries, expected {r}×{n}.", nameof(b1));
        if (areas.Length != kk) throw new ArgumentException($"{areas.Length} areas for {kk} sub-pulses.", nameof(areas));
        var a = new Complex[r * cols];
        for (int row = 0; row < r; row++)
        {
            var p = positions[row];
            for (int j = 0; j < kk; j++)
            {
                var ph = Complex.FromPolarCoordinates(scale * areas[j], k[j].X * p.X + k[j].Y * p.Y + k[j].Z * p.Z);
                for (int c = 0; c < n; c++) a[row * cols + j * n + c] = ph * b1[row * n + c];
            }
        }
        return a;
    }

    /// <summary>Packed (N·K)² Hermitian matrix blockdiag(c_1 Q, …, c_K Q) of one packed N×N <paramref name="q"/> (<see cref="HermitianPacking"/>).</summary>
    public static double[] BlockDiagonal(ReadOnlySpan<double> q, int n, ReadOnlySpan<double> c)
    {
        int kk = c.Length, m = n * kk;
        var p = new double[m * m];
        BlockDiagonalInto(q, n, c, p);
        return p;
    }

    /// <summary><see cref="BlockDiagonal"/> of every matrix of <paramref name="packedMany"/> (N² doubles each, back to back), back to back.</summary>
    public static double[] BlockDiagonalMany(double[] packedMany, int n, double[] c)
    {
        ArgumentNullException.ThrowIfNull(packedMany); ArgumentNullException.ThrowIfNull(c);
        int nn = n * n, count = packedMany.Length / nn, m = n * c.Length, mm = m * m;
        var r = new double[(long)count * mm > int.MaxValue ? throw new SarKitInputException($"{count} matrices of {m}×{m} do not fit in one array; use a VOP set.") : count * mm];
        for (int i = 0; i < count; i++) BlockDiagonalInto(packedMany.AsSpan(i * nn, nn), n, c, r.AsSpan(i * mm, mm));
        return r;
    }

    private static void BlockDiagonalInto(ReadOnlySpan<double> q, int n, ReadOnlySpan<double> c, Span<double> p)
    {
        int m = n * c.Length;
        p.Clear();
        for (int j = 0; j < c.Length; j++)
        {
            int o0 = j * n;
            for (int i = 0; i < n; i++) p[o0 + i] = c[j] * q[i];
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                {
                    int src = HermitianPacking.OffDiagonalOffset(n, a, b), dst = HermitianPacking.OffDiagonalOffset(m, o0 + a, o0 + b);
                    p[dst] = c[j] * q[src]; p[dst + 1] = c[j] * q[src + 1];
                }
        }
    }

    /// <summary>Σ_j c_j w_jᴴ Q_i w_j for every packed N×N matrix Q_i of <paramref name="packedMany"/> and the stacked weights <paramref name="w"/> (N·K).</summary>
    public static double[] Evaluate(ReadOnlySpan<double> packedMany, int n, ReadOnlySpan<Complex> w, ReadOnlySpan<double> c)
    {
        int nn = n * n, count = packedMany.Length / nn;
        if (w.Length != n * c.Length) throw new ArgumentException($"{w.Length} weights for {n} channels × {c.Length} sub-pulses.", nameof(w));
        // Σ_j c_j w_jᴴQw_j = Σ_k P_k Σ_j c_j d_k(w_j): one combined weight vector, one dot product per matrix
        var wt = new double[nn];
        for (int j = 0; j < c.Length; j++)
        {
            var d = HermitianPacking.DriveWeights(w.Slice(j * n, n));
            for (int k = 0; k < nn; k++) wt[k] += c[j] * d[k];
        }
        var r = new double[count];
        for (int i = 0; i < count; i++) r[i] = HermitianPacking.QuadraticForm(packedMany.Slice(i * nn, nn), wt);
        return r;
    }
}
