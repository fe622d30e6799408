using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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

    /// <remarks>
    /// The sample sums use <see cref="FixedOrderDot"/> (a fixed summation order), not a
    /// vector-width-dependent dot product, so these weights are the same bits on every
    /// instruction set and in the JIT and Native AOT builds.
    /// </remarks>
    private static void AccumulateChunk(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int channels, int length, int stride, double dt, Span<double> weights)
    {
        for (int i = 0; i < channels; i++)
        {
            var ri = re.Slice(i * stride, length); var ii = im.Slice(i * stride, length);
            weights[i] += dt * (FixedOrderDot.Dot(ri, ri) + FixedOrderDot.Dot(ii, ii));
        }
        int o = channels;
        for (int i = 0; i < channels; i++)
        {
            var ri = re.Slice(i * stride, length); var ii = im.Slice(i * stride, length);
            for (int j = i + 1; j < channels; j++)
            {
                var rj = re.Slice(j * stride, length); var ij = im.Slice(j * stride, length);
                // c = Σ conj(x_i) x_j
                double cr = FixedOrderDot.Dot(ri, rj) + FixedOrderDot.Dot(ii, ij);
                double ci = FixedOrderDot.Dot(ri, ij) - FixedOrderDot.Dot(ii, rj);
                weights[o++] += 2 * dt * cr;
                weights[o++] += -2 * dt * ci;
            }
        }
    }

    /// <summary>Channels handled by <see cref="AccumulateInterleaved8"/>.</summary>
    public const int InterleavedChannels = 8;

    /// <summary>
    /// Adds Δt·Σ_t w(x_t) to <paramref name="weights"/> (N² = 64 packed entries) for 8-channel complex64 samples as stored in a
    /// samples × channels file: <paramref name="iq"/> holds re₀ im₀ re₁ im₁ … re₇ im₇ of sample 0, then of sample 1, … (no
    /// deinterleaving). Each sample is widened to double (exact) as two 8-lane vectors v₀ = (re₀, im₀, …, re₃, im₃) and
    /// v₁ = (re₄ … im₇); 24 accumulators collect re_i·v_h and im_i·v_h (h = 0 only for i &lt; 4, the upper triangle), each lane
    /// one fused multiply-add per sample in sample order, and the packed weights are formed once per call as in
    /// <see cref="Accumulate(ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, double, Span{double})"/>:
    /// w_i += Δt(Σre_i² + Σim_i²), w_o += 2Δt(Σre_i re_j + Σim_i im_j), w_{o+1} += −2Δt(Σre_i im_j − Σim_i re_j).
    /// The AVX-512 path (<see cref="Vector512"/>) and the portable path do the same operations in the same order (bit-identical).
    /// Silent samples (all values ±0, e.g. between RF pulses) are skipped: they would add exactly +0 to accumulators that
    /// start at +0 and so are never −0, i.e. the result is the same bit for bit.
    /// Rounding: every lane is a sequential sum of <paramref name="count"/> products (relative error ≤ count·u of the sum of
    /// their magnitudes), the same order of magnitude as the dot products of the planar path.
    /// Returns false when a sample is NaN/∞ (exponent all ones; the weights are then meaningless and must be discarded).
    /// </summary>
    public static bool AccumulateInterleaved8(ReadOnlySpan<float> iq, int count, double dt, Span<double> weights, bool allowSimd = true)
    {
        const int n = InterleavedChannels;
        if (weights.Length != n * n) throw new ArgumentException("weights must have 64 entries", nameof(weights));
        if (count < 0 || iq.Length < 2 * n * count) throw new ArgumentException("sample array too short", nameof(iq));
        // acc[(2i + k)·2 + h] lane l: Σ_t (k = 0: re_i, 1: im_i)·v_h[l]
        Span<double> acc = stackalloc double[2 * n * 2 * 8];
        acc.Clear();
        bool finite;
        unsafe
        {
            fixed (float* p = iq)
                finite = allowSimd && Vector512.IsHardwareAccelerated ? Interleaved8Simd<Float32Samples>(p, count, acc) : Interleaved8Portable<Float32Samples>(p, count, acc);
        }
        AddInterleavedWeights(acc, dt, weights);
        return finite;
    }

    /// <summary>Samples per call of the int16 kernel for which every partial sum is an exact integer in double:
    /// |code| ≤ 2¹⁵, so a product is ≤ 2³⁰, a lane sum of 2²² samples ≤ 2⁵² and the sum of two lanes ≤ 2⁵³.</summary>
    public const int Int16ExactSamples = 1 << 22;

    /// <summary>
    /// <see cref="AccumulateInterleaved8"/> for 8-channel complex int16 samples (e.g. DAC codes) as stored in a samples × channels ×
    /// (I, Q) file: <paramref name="iq"/> holds I₀ Q₀ I₁ Q₁ … I₇ Q₇ of sample 0, then of sample 1, …; the sample value is
    /// <paramref name="lsb"/>·(I + iQ) (<paramref name="lsb"/> = value of one code step in the source unit). The codes are widened to
    /// double (exact) and multiplied and summed exactly as in the complex64 kernel (same 24 accumulators, same order; silent
    /// all-zero samples skipped), but here every product (≤ 2³⁰ in magnitude; −32768 is its two's-complement value) and every
    /// partial sum is an integer below 2⁵³, so the sums are <b>exact</b> whatever the order: the AVX-512 and the portable path are
    /// bit-identical by construction. Calls longer than <see cref="Int16ExactSamples"/> are split into pieces of that length.
    /// The only rounding is the scaling of each exact integer sum S: w += (2)·fl(fl(lsb²)·Δt)·S, i.e. at most 3 roundings (≤ 3u
    /// relative per entry, plus the addition to <paramref name="weights"/>). Integer codes are always finite: nothing to flag.
    /// </summary>
    public static void AccumulateInterleaved8Int16(ReadOnlySpan<short> iq, int count, double lsb, double dt, Span<double> weights, bool allowSimd = true)
    {
        const int n = InterleavedChannels;
        if (weights.Length != n * n) throw new ArgumentException("weights must have 64 entries", nameof(weights));
        if (count < 0 || iq.Length < 2 * n * count) throw new ArgumentException("sample array too short", nameof(iq));
        double f = lsb * lsb * dt;
        if (!(double.IsFinite(f) && f > 0)) throw new ArgumentOutOfRangeException(nameof(lsb), lsb, "lsb²·Δt must be finite and > 0");
        Span<double> acc = stackalloc double[2 * n * 2 * 8];
        bool simd = allowSimd && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        for (int t0 = 0; t0 < count; t0 += Int16ExactSamples)
        {
            int cn = Math.Min(Int16ExactSamples, count - t0);
            acc.Clear();
            unsafe
            {
                fixed (short* p = iq)
                {
                    short* s = p + 2L * n * t0;
                    _ = simd ? Interleaved8Simd<Int16Samples>(s, cn, acc) : Interleaved8Portable<Int16Samples>(s, cn, acc);
                }
            }
            AddInterleavedWeights(acc, f, weights);
        }
    }

    /// <summary>Forms the packed weights from the 24 lane accumulators: w_i += f(Σre_i² + Σim_i²), w_o += 2f(Σre_i re_j + Σim_i im_j),
    /// w_{o+1} += −2f(Σre_i im_j − Σim_i re_j).</summary>
    private static void AddInterleavedWeights(ReadOnlySpan<double> acc, double f, Span<double> weights)
    {
        const int n = InterleavedChannels;
        // P(i, k, j, kj) = Σ_t x_i^k x_j^kj (k, kj: 0 re, 1 im), j ≥ i
        static double P(ReadOnlySpan<double> acc, int i, int k, int j, int kj) => acc[((2 * i + k) * 2 + j / 4) * 8 + 2 * (j % 4) + kj];
        for (int i = 0; i < n; i++) weights[i] += f * (P(acc, i, 0, i, 0) + P(acc, i, 1, i, 1));
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double cr = P(acc, i, 0, j, 0) + P(acc, i, 1, j, 1);
                double ci = P(acc, i, 0, j, 1) - P(acc, i, 1, j, 0);
                weights[o++] += 2 * f * cr;
                weights[o++] += -2 * f * ci;
            }
    }

    /// <summary>How one stored 8-channel sample (16 values) becomes 16 doubles in the fused kernels: exact widening, the
    /// silence test (all 16 values zero) and, for floating-point storage, the NaN/∞ test on the raw bits.</summary>
    private unsafe interface IInterleavedSamples
    {
        /// <summary>Widens sample <paramref name="t"/> of <paramref name="src"/> into v[0..16); returns false when it is silent
        /// (v is then not written); sets <paramref name="bad"/> for a NaN/∞ value.</summary>
        static abstract bool WidenPortable(void* src, int t, Span<double> v, ref bool bad);

        /// <summary>Widens the non-silent samples among [0, <paramref name="count"/>) of <paramref name="src"/> into consecutive
        /// 16-double rows of <paramref name="buf"/>, returning how many; NaN/∞ lanes are or-ed into <paramref name="bad"/>.</summary>
        static abstract int WidenSimd(void* src, int count, double* buf, ref Vector512<uint> bad);
    }

    /// <summary>complex64 storage (float re, im).</summary>
    private readonly struct Float32Samples : IInterleavedSamples
    {
        public static unsafe bool WidenPortable(void* src, int t, Span<double> v, ref bool bad)
        {
            float* s = (float*)src + 16L * t;
            bool live = false;
            for (int l = 0; l < 16; l++)
            {
                v[l] = s[l];
                uint bits = BitConverter.SingleToUInt32Bits(s[l]);
                if ((bits & 0x7F80_0000u) == 0x7F80_0000u) bad = true;
                if ((bits & 0x7FFF_FFFFu) != 0) live = true;
            }
            return live;
        }

        public static unsafe int WidenSimd(void* src, int count, double* buf, ref Vector512<uint> bad)
        {
            float* s = (float*)src;
            var expo = Vector512.Create(0x7F80_0000u);
            var magnitude = Vector512.Create(0x7FFF_FFFFu);
            int live = 0;
            for (int t = 0; t < count; t++)
            {
                var f = Vector512.Load(s + 16 * t);
                bad |= Vector512.Equals(f.AsUInt32() & expo, expo);
                if ((f.AsUInt32() & magnitude) == Vector512<uint>.Zero) continue;
                Vector512.WidenLower(f).Store(buf + 16 * live);
                Vector512.WidenUpper(f).Store(buf + 16 * live + 8);
                live++;
            }
            return live;
        }
    }

    /// <summary>complex int16 storage (I, Q codes).</summary>
    private readonly struct Int16Samples : IInterleavedSamples
    {
        public static unsafe bool WidenPortable(void* src, int t, Span<double> v, ref bool bad)
        {
            short* s = (short*)src + 16L * t;
            bool live = false;
            for (int l = 0; l < 16; l++) { v[l] = s[l]; if (s[l] != 0) live = true; }
            return live;
        }

        public static unsafe int WidenSimd(void* src, int count, double* buf, ref Vector512<uint> bad)
        {
            short* s = (short*)src;
            int live = 0;
            for (int t = 0; t < count; t++)
            {
                var c = Vector256.Load(s + 16 * t);
                if (c == Vector256<short>.Zero) continue;
                var w = Avx512F.ConvertToVector512Int32(c);
                Avx512F.ConvertToVector512Double(w.GetLower()).Store(buf + 16 * live);
                Avx512F.ConvertToVector512Double(w.GetUpper()).Store(buf + 16 * live + 8);
                live++;
            }
            return live;
        }
    }

    private static unsafe bool Interleaved8Portable<TS>(void* src, int count, Span<double> acc) where TS : struct, IInterleavedSamples
    {
        bool bad = false;
        Span<double> v = stackalloc double[16];
        for (int t = 0; t < count; t++)
        {
            if (!TS.WidenPortable(src, t, v, ref bad)) continue;
            for (int i = 0; i < 8; i++)
                for (int k = 0; k < 2; k++)
                {
                    double x = v[2 * i + k];
                    for (int h = i < 4 ? 0 : 1; h < 2; h++)
                    {
                        var a = acc.Slice(((2 * i + k) * 2 + h) * 8, 8);
                        for (int l = 0; l < 8; l++) a[l] = Math.FusedMultiplyAdd(x, v[8 * h + l], a[l]);
                    }
                }
        }
        return !bad;
    }

    /// <summary>AVX-512 kernel of <see cref="AccumulateInterleaved8"/> and <see cref="AccumulateInterleaved8Int16"/>: the 24
    /// accumulators stay in registers; the samples are widened 256 at a time into an L1 buffer (with the NaN/∞ test on the raw
    /// bits for floats) so that the per-channel factors are broadcast loads.</summary>
    private static unsafe bool Interleaved8Simd<TS>(void* src, int count, Span<double> acc) where TS : struct, IInterleavedSamples
    {
        const int chunk = 256;
        double* buf = stackalloc double[16 * chunk];
        var bad = Vector512<uint>.Zero;
        int bytesPerValue = typeof(TS) == typeof(Int16Samples) ? 2 : 4;
        fixed (double* pa = acc)
        {
            var a00 = Vector512.Load(pa + 0 * 8); var a01 = Vector512.Load(pa + 1 * 8); var b00 = Vector512.Load(pa + 2 * 8); var b01 = Vector512.Load(pa + 3 * 8);
            var a10 = Vector512.Load(pa + 4 * 8); var a11 = Vector512.Load(pa + 5 * 8); var b10 = Vector512.Load(pa + 6 * 8); var b11 = Vector512.Load(pa + 7 * 8);
            var a20 = Vector512.Load(pa + 8 * 8); var a21 = Vector512.Load(pa + 9 * 8); var b20 = Vector512.Load(pa + 10 * 8); var b21 = Vector512.Load(pa + 11 * 8);
            var a30 = Vector512.Load(pa + 12 * 8); var a31 = Vector512.Load(pa + 13 * 8); var b30 = Vector512.Load(pa + 14 * 8); var b31 = Vector512.Load(pa + 15 * 8);
            var a41 = Vector512.Load(pa + 17 * 8); var b41 = Vector512.Load(pa + 19 * 8);
            var a51 = Vector512.Load(pa + 21 * 8); var b51 = Vector512.Load(pa + 23 * 8);
            var a61 = Vector512.Load(pa + 25 * 8); var b61 = Vector512.Load(pa + 27 * 8);
            var a71 = Vector512.Load(pa + 29 * 8); var b71 = Vector512.Load(pa + 31 * 8);
            for (int c0 = 0; c0 < count; c0 += chunk)
            {
                int cn = Math.Min(chunk, count - c0);
                // silent samples (all 16 values zero) add exactly +0 to every accumulator (which is never −0): skipped
                int live = TS.WidenSimd((byte*)src + 16L * bytesPerValue * c0, cn, buf, ref bad);
                for (int t = 0; t < live; t++)
                {
                    double* p = buf + 16 * t;
                    var v0 = Vector512.Load(p); var v1 = Vector512.Load(p + 8);
                    a00 = Vector512.FusedMultiplyAdd(Vector512.Create(p[0]), v0, a00); a01 = Vector512.FusedMultiplyAdd(Vector512.Create(p[0]), v1, a01);
                    b00 = Vector512.FusedMultiplyAdd(Vector512.Create(p[1]), v0, b00); b01 = Vector512.FusedMultiplyAdd(Vector512.Create(p[1]), v1, b01);
                    a10 = Vector512.FusedMultiplyAdd(Vector512.Create(p[2]), v0, a10); a11 = Vector512.FusedMultiplyAdd(Vector512.Create(p[2]), v1, a11);
                    b10 = Vector512.FusedMultiplyAdd(Vector512.Create(p[3]), v0, b10); b11 = Vector512.FusedMultiplyAdd(Vector512.Create(p[3]), v1, b11);
                    a20 = Vector512.FusedMultiplyAdd(Vector512.Create(p[4]), v0, a20); a21 = Vector512.FusedMultiplyAdd(Vector512.Create(p[4]), v1, a21);
                    b20 = Vector512.FusedMultiplyAdd(Vector512.Create(p[5]), v0, b20); b21 = Vector512.FusedMultiplyAdd(Vector512.Create(p[5]), v1, b21);
                    a30 = Vector512.FusedMultiplyAdd(Vector512.Create(p[6]), v0, a30); a31 = Vector512.FusedMultiplyAdd(Vector512.Create(p[6]), v1, a31);
                    b30 = Vector512.FusedMultiplyAdd(Vector512.Create(p[7]), v0, b30); b31 = Vector512.FusedMultiplyAdd(Vector512.Create(p[7]), v1, b31);
                    a41 = Vector512.FusedMultiplyAdd(Vector512.Create(p[8]), v1, a41); b41 = Vector512.FusedMultiplyAdd(Vector512.Create(p[9]), v1, b41);
                    a51 = Vector512.FusedMultiplyAdd(Vector512.Create(p[10]), v1, a51); b51 = Vector512.FusedMultiplyAdd(Vector512.Create(p[11]), v1, b51);
                    a61 = Vector512.FusedMultiplyAdd(Vector512.Create(p[12]), v1, a61); b61 = Vector512.FusedMultiplyAdd(Vector512.Create(p[13]), v1, b61);
                    a71 = Vector512.FusedMultiplyAdd(Vector512.Create(p[14]), v1, a71); b71 = Vector512.FusedMultiplyAdd(Vector512.Create(p[15]), v1, b71);
                }
            }
            a00.Store(pa + 0 * 8); a01.Store(pa + 1 * 8); b00.Store(pa + 2 * 8); b01.Store(pa + 3 * 8);
            a10.Store(pa + 4 * 8); a11.Store(pa + 5 * 8); b10.Store(pa + 6 * 8); b11.Store(pa + 7 * 8);
            a20.Store(pa + 8 * 8); a21.Store(pa + 9 * 8); b20.Store(pa + 10 * 8); b21.Store(pa + 11 * 8);
            a30.Store(pa + 12 * 8); a31.Store(pa + 13 * 8); b30.Store(pa + 14 * 8); b31.Store(pa + 15 * 8);
            a41.Store(pa + 17 * 8); b41.Store(pa + 19 * 8); a51.Store(pa + 21 * 8); b51.Store(pa + 23 * 8);
            a61.Store(pa + 25 * 8); b61.Store(pa + 27 * 8); a71.Store(pa + 29 * 8); b71.Store(pa + 31 * 8);
        }
        return bad == Vector512<uint>.Zero;
    }

    /// <summary>
    /// Applies per-channel complex drive factors f to packed weights of samples x (<see cref="HermitianPacking.DriveWeights"/>
    /// layout), giving the weights of f∘x: R_ii·|f_i|², and R_ij·conj(f_i)f_j for i &lt; j, i.e.
    /// w_o' = g_r w_o + g_i w_{o+1}, w_{o+1}' = −g_i w_o + g_r w_{o+1} with g = conj(f_i) f_j. Exact in exact arithmetic;
    /// in floating point each entry gains at most ~6u relative to its magnitude bound (covered by the caller's rounding bound).
    /// </summary>
    public static void ApplyDriveFactors(Span<double> weights, IReadOnlyList<Complex> factors)
    {
        int n = factors.Count;
        if (weights.Length != n * n) throw new ArgumentException("weights must have N² entries", nameof(weights));
        for (int i = 0; i < n; i++) { var f = factors[i]; weights[i] *= f.Real * f.Real + f.Imaginary * f.Imaginary; }
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, o += 2)
            {
                var g = Complex.Conjugate(factors[i]) * factors[j];
                double wr = weights[o], wi = weights[o + 1];
                weights[o] = g.Real * wr + g.Imaginary * wi;
                weights[o + 1] = -g.Imaginary * wr + g.Real * wi;
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
            e += FixedOrderDot.Dot(packedQ, w) * dt;
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
