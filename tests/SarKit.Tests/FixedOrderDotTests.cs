using System.Numerics;
using SarKit.Numerics.LinearAlgebra;
using static SarKit.Numerics.LinearAlgebra.FixedOrderDot;

namespace SarKit.Tests;

/// <summary>
/// <see cref="FixedOrderDot"/>: every vector path (256-bit, 128-bit, scalar) gives the bits of the documented order, which
/// is what makes a SAR independent of the instruction set (the CLI-level check across instruction sets is
/// Cli/InstructionSetParityTests); and the value is the dot product within the rounding bound.
/// </summary>
public class FixedOrderDotTests
{
    /// <summary>The definition written out independently: 8 lane sums, (s0+s4)+(s1+s5) + (s2+s6)+(s3+s7), then the tail.</summary>
    private static double Definition(double[] x, double[] y)
    {
        int n = x.Length, blocks = n / 8 * 8;
        var s = new double[8];
        for (int i = 0; i < blocks; i++) s[i % 8] += x[i] * y[i];
        double t = blocks == 0 ? 0.0 : ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        for (int i = blocks; i < n; i++) t += x[i] * y[i];
        return t;
    }

    private static double[] Values(Random r, int n) =>
        Enumerable.Range(0, n).Select(_ => (r.NextDouble() - 0.4) * Math.Pow(10, r.Next(-6, 7))).ToArray();

    [Fact]
    public void SumIsSequentialAndSumOfSquaresIsTheFixedOrderDot()
    {
        var r = new Random(17);
        foreach (int n in new[] { 0, 1, 7, 8, 9, 63, 64, 1000 })
        {
            var x = Values(r, n);
            double t = 0;
            for (int i = 0; i < n; i++) t += x[i];
            Assert.Equal(BitConverter.DoubleToInt64Bits(t), BitConverter.DoubleToInt64Bits(Sum(x)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(Definition(x, x)), BitConverter.DoubleToInt64Bits(SumOfSquares(x)));
        }
    }

    [Fact]
    public void EveryVectorPathGivesTheBitsOfTheFixedOrder()
    {
        var r = new Random(20261207);
        int differsFromSequential = 0;
        for (int n = 0; n <= 130; n++)
            for (int rep = 0; rep < 4; rep++)
            {
                var x = Values(r, n); var y = Values(r, n);
                long want = BitConverter.DoubleToInt64Bits(Definition(x, y));
                foreach (var path in new[] { DotPath.Vector256, DotPath.Vector128, DotPath.Scalar })
                    Assert.True(want == BitConverter.DoubleToInt64Bits(FixedOrderDot.Dot(x, y, path)), $"n = {n}, path {path}: not the bits of the fixed order");
                Assert.Equal(want, BitConverter.DoubleToInt64Bits(FixedOrderDot.Dot(x, y)));
                double seq = 0;
                for (int i = 0; i < n; i++) seq += x[i] * y[i];
                if (seq != Definition(x, y)) differsFromSequential++;
            }
        // the order matters (else this test could not tell orders apart): a plain left-to-right sum differs in many cases
        Assert.True(differsFromSequential > 50, $"only {differsFromSequential} of 524 cases differ from the sequential sum");
    }

    [Fact]
    public void IsTheDotProductWithinTheRoundingBound()
    {
        var r = new Random(7);
        foreach (int n in new[] { 1, 7, 8, 9, 36, 64, 100, 1000 })
        {
            var x = Values(r, n); var y = Values(r, n);
            // reference in twice the working precision (Ogita, Rump and Oishi 2005, Dot2: exact products by FMA, error-free sums)
            double hi = 0, lo = 0, abs = 0;
            for (int i = 0; i < n; i++)
            {
                double p = x[i] * y[i], pe = Math.FusedMultiplyAdd(x[i], y[i], -p);
                double s = hi + p, z = s - hi, se = (hi - (s - z)) + (p - z);
                hi = s; lo += pe + se; abs += Math.Abs(p);
            }
            double err = Math.Abs(FixedOrderDot.Dot(x, y) - (hi + lo));
            Assert.True(err <= (n + 1) * 1.2e-16 * abs + 1e-300, $"n = {n}: error {err:G3} above the bound {(n + 1) * 1.2e-16 * abs:G3}");
        }
    }

    [Fact]
    public void RefusesSpansOfDifferentLengths() =>
        Assert.Throws<ArgumentException>(() => FixedOrderDot.Dot(new double[8], new double[9]));

    [Fact]
    public void QuadraticFormIsBHermitianQB()
    {
        // bᴴQb of a random Hermitian Q, 8 channels (64 packed values: the common case), against the complex sum
        var r = new Random(3);
        int n = 8;
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++)
        {
            q[i, i] = r.NextDouble() + 1;
            for (int j = i + 1; j < n; j++) { q[i, j] = new Complex(r.NextDouble() - 0.5, r.NextDouble() - 0.5); q[j, i] = Complex.Conjugate(q[i, j]); }
        }
        var b = Enumerable.Range(0, n).Select(_ => Complex.FromPolarCoordinates(r.NextDouble() + 0.5, 2 * Math.PI * r.NextDouble())).ToArray();
        Complex want = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) want += Complex.Conjugate(b[i]) * q[i, j] * b[j];
        double got = HermitianPacking.QuadraticForm(HermitianPacking.Pack(q), HermitianPacking.DriveWeights(b));
        Assert.Equal(want.Real, got, 1e-12 * Math.Abs(want.Real));
    }
}
