using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// The overestimation (margin) matrix Z of a VOP compression for ε = 1 (Orzada et al., MRM 2021, margin options):
/// Diagonal Z₁ = SAR_wc·I; Global Z₁ = S_g with S_g = Σ_i Q_i scaled so that
/// λ_max(S_g) = SAR_wc (Lee et al. 2012); User Z₁ = the given Hermitian PSD matrix. The margin of a run is Z = ε·Z₁.
/// </summary>
internal static class MarginMatrix
{
    public static double[] Unit(VopMarginKind kind, CompressionContext ctx, double[]? user)
    {
        int n = ctx.N, nn = ctx.NN;
        var z = new double[nn];
        switch (kind)
        {
            case VopMarginKind.Diagonal:
                for (int i = 0; i < n; i++) z[i] = ctx.SarWc;
                break;
            case VopMarginKind.Global:
                double lm = HermitianKernels.LargestEigenvalue(ctx.Mean, n);
                if (!(lm > 0)) throw new SarKitInputException("VOP compression: the global matrix (sum of all Q-matrices) has λ_max ≤ 0; the Global margin is undefined.");
                TensorPrimitives.Multiply(ctx.Mean, ctx.SarWc / lm, z);
                break;
            case VopMarginKind.User:
                if (user is null) throw new SarKitInputException("VOP compression: margin kind User needs UserMarginPacked (an N×N packed Hermitian PSD matrix).");
                if (user.Length != nn) throw new SarKitInputException($"VOP compression: UserMarginPacked has {user.Length} doubles, expected N² = {nn} for N = {n}.");
                foreach (var v in user) if (!double.IsFinite(v)) throw new SarKitInputException("VOP compression: UserMarginPacked contains a non-finite value.");
                var ev = new double[n];
                HermitianKernels.Eigenvalues(user, n, ev);
                if (ev[0] < -1e-12 * Math.Max(ev[n - 1], 0)) throw new SarKitInputException($"VOP compression: UserMarginPacked is not positive semidefinite (λ_min = {ev[0]:G6}); a margin must be PSD.");
                user.CopyTo(z, 0);
                break;
            default: throw new SarKitInputException($"VOP compression: unknown margin kind {kind}.");
        }
        return z;
    }

    public static double[] Scaled(double[] unit, double eps)
    {
        var z = new double[unit.Length];
        TensorPrimitives.Multiply(unit, eps, z);
        return z;
    }
}
