using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// A dot product Σ_k x_k y_k whose summation order is fixed by the definition below and not by the machine, so the result
/// is the same bits on every instruction set (SSE2, AVX, AVX2, AVX-512, Arm64 AdvSIMD, no SIMD), under the JIT, ReadyToRun
/// and Native AOT builds. <c>System.Numerics.Tensors.TensorPrimitives.Dot</c> does not promise this: it adds in lanes of the
/// widest vector the process may use (2, 4 or 8 doubles) and may fuse the multiply-add where FMA exists, so a SAR value
/// changed in its last digits between an AVX-512 and an AVX2-only run, or between the JIT and the AOT build of the same
/// source (issue 18). A safety result should not depend on the machine it was computed on.
/// <para>
/// The order: eight lane sums s_j = Σ_{i ≡ j (mod 8), i &lt; 8⌊n/8⌋} x_i·y_i (j = 0…7), each added in increasing i with a
/// separately rounded product (no fused multiply-add); then u_j = s_j + s_{j+4} (j = 0…3), t = (u_0 + u_1) + (u_2 + u_3);
/// then the n mod 8 tail products added to t one by one in increasing i. Any vector width computes exactly these IEEE-754
/// operations (two 256-bit or four 128-bit accumulators, or eight scalars), so all give the same bits.
/// </para>
/// </summary>
public static class FixedOrderDot
{
    /// <summary>Number of independent lane sums of the definition (fixed; not the machine's vector width).</summary>
    public const int Lanes = 8;

    /// <summary>
    /// Σ_k x_k y_k in the fixed order of <see cref="FixedOrderDot"/>. Throws <see cref="ArgumentException"/> when the lengths
    /// differ.
    /// </summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        => Dot(x, y, Vector256.IsHardwareAccelerated ? DotPath.Vector256 : Vector128.IsHardwareAccelerated ? DotPath.Vector128 : DotPath.Scalar);

    /// <summary>
    /// Σ_k x_k x_k in the fixed order of <see cref="FixedOrderDot"/> (= <c>Dot(x, x)</c>; replaces
    /// <c>TensorPrimitives.SumOfSquares</c>, whose lane order depends on the vector width).
    /// </summary>
    public static double SumOfSquares(ReadOnlySpan<double> x) => Dot(x, x);

    /// <summary>
    /// Σ_k x_k added one by one in increasing k (a plain sequential sum: the same bits on every machine; replaces
    /// <c>TensorPrimitives.Sum</c>, whose lane order depends on the vector width). For reporting sums (means over
    /// drives), not for hot loops.
    /// </summary>
    public static double Sum(ReadOnlySpan<double> x)
    {
        double t = 0;
        for (int i = 0; i < x.Length; i++) t += x[i];
        return t;
    }

    /// <summary>How the eight lane sums are formed: all paths give the same bits (tests run each on one machine).</summary>
    internal enum DotPath { Scalar, Vector128, Vector256 }

    /// <summary><see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/> along a chosen path (any path runs anywhere: a vector type without hardware support is emulated lane by lane).</summary>
    internal static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y, DotPath path)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Dot product of spans of different lengths ({x.Length} and {y.Length}).", nameof(y));
        int n = x.Length, blocks = n / Lanes * Lanes;
        double t = blocks == 0 ? 0.0 : path switch
        {
            DotPath.Vector256 => Blocks256(x, y, blocks),
            DotPath.Vector128 => Blocks128(x, y, blocks),
            _ => BlocksScalar(x, y, blocks),
        };
        for (int i = blocks; i < n; i++) t += x[i] * y[i];
        return t;
    }

    /// <summary>Lanes 0–3 and 4–7 in two 256-bit accumulators.</summary>
    private static double Blocks256(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int blocks)
    {
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double py = ref MemoryMarshal.GetReference(y);
        var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero;
        for (int i = 0; i < blocks; i += Lanes)
        {
            a0 += Vector256.LoadUnsafe(ref px, (nuint)i) * Vector256.LoadUnsafe(ref py, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref px, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref py, (nuint)(i + 4));
        }
        var u = a0 + a1; // u_j = s_j + s_{j+4}
        return (u.GetElement(0) + u.GetElement(1)) + (u.GetElement(2) + u.GetElement(3));
    }

    /// <summary>Lanes 0–1, 2–3, 4–5, 6–7 in four 128-bit accumulators.</summary>
    private static double Blocks128(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int blocks)
    {
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double py = ref MemoryMarshal.GetReference(y);
        var a0 = Vector128<double>.Zero; var a1 = Vector128<double>.Zero;
        var a2 = Vector128<double>.Zero; var a3 = Vector128<double>.Zero;
        for (int i = 0; i < blocks; i += Lanes)
        {
            a0 += Vector128.LoadUnsafe(ref px, (nuint)i) * Vector128.LoadUnsafe(ref py, (nuint)i);
            a1 += Vector128.LoadUnsafe(ref px, (nuint)(i + 2)) * Vector128.LoadUnsafe(ref py, (nuint)(i + 2));
            a2 += Vector128.LoadUnsafe(ref px, (nuint)(i + 4)) * Vector128.LoadUnsafe(ref py, (nuint)(i + 4));
            a3 += Vector128.LoadUnsafe(ref px, (nuint)(i + 6)) * Vector128.LoadUnsafe(ref py, (nuint)(i + 6));
        }
        var lo = a0 + a2; var hi = a1 + a3; // (u_0, u_1), (u_2, u_3)
        return (lo.GetElement(0) + lo.GetElement(1)) + (hi.GetElement(0) + hi.GetElement(1));
    }

    /// <summary>The eight lane sums and their combination without SIMD (same operations, same order).</summary>
    private static double BlocksScalar(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int blocks)
    {
        Span<double> s = stackalloc double[Lanes];
        s.Clear();
        for (int i = 0; i < blocks; i += Lanes)
            for (int j = 0; j < Lanes; j++) s[j] += x[i + j] * y[i + j];
        return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    }
}
