using System.Numerics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Shared;

/// <summary>
/// Test fixtures shared by SarKit.Tests and SarKit.Web.Tests (this file is linked into both projects, see their .csproj).
/// </summary>
internal static class TestMatrices
{
    /// <summary>
    /// k random n×n positive semidefinite Hermitian matrices, each Q = Σ v vᴴ of two vectors with entries uniform in
    /// [−0.5, 0.5) + i[−0.5, 0.5) drawn from <c>new Random(seed)</c>, packed back to back (<see cref="HermitianPacking"/>).
    /// </summary>
    internal static double[] RandomPsd(int seed, int n, int k)
    {
        var rng = new Random(seed);
        var res = new List<double>();
        for (int m = 0; m < k; m++)
        {
            var q = new Complex[n, n];
            for (int r = 0; r < 2; r++)
            {
                var v = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] += v[i] * Complex.Conjugate(v[j]);
            }
            res.AddRange(HermitianPacking.Pack(q));
        }
        return res.ToArray();
    }
}
