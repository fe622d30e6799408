using System.Numerics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Surrogate;

/// <summary>
/// Q-matrices of a 2D slice from per-channel SAR-weighted fields e_n = √(σ/2ρ)·E_n (simulated, or predicted by the
/// per-channel surrogate): point Q_ij(r) = conj(e_i(r))·e_j(r), so that wᴴQ(r)w = |Σ w_n e_n(r)|² is the point SAR of
/// the shim w, and the 2D-adapted 10 g matrices Q10g(r) = Σ_square ρQ / Σ_square ρ over each tissue cell's square of
/// <see cref="SquareMassAverage2D"/> (the average is linear, so wᴴQ10g w equals the averaged point SAR of every shim).
/// Output is SarKit's packed Hermitian layout (<see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>), one matrix per tissue cell, ready
/// for <see cref="Compression.VopCompressor"/>.
/// </summary>
public static class SurrogateQMatrices
{
    /// <summary>2D 10 g Q-matrices of every tissue cell (ρ &gt; 0).</summary>
    /// <param name="average">The slice's square averaging (grid size, cell size, density).</param>
    /// <param name="e">e_n per channel, [channel][i + nx·j] (√(W/kg) per unit drive).</param>
    /// <returns>Packed matrices (cells × N², in cell order) and the cell index i + nx·j of each.</returns>
    public static (double[] Packed, int[] Cells) MassAveraged(SquareMassAverage2D average, IReadOnlyList<Complex[]> e)
    {
        ArgumentNullException.ThrowIfNull(average);
        int n = e.Count;
        if (n == 0) throw new SarKitInputException("Q-matrices: no channels.");
        int cellsTotal = e[0].Length;
        foreach (var ch in e)
            if (ch.Length != cellsTotal) throw new SarKitInputException($"Q-matrices: channel fields have {ch.Length} and {cellsTotal} cells.");
        var hw = average.HalfWidth;
        if (hw.Length != cellsTotal) throw new SarKitInputException($"Q-matrices: {cellsTotal} field cells but the averaging grid has {hw.Length}.");
        var cells = Enumerable.Range(0, cellsTotal).Where(c => hw[c] >= 0).ToArray();
        int nn = n * n;
        var packed = new double[(long)cells.Length * nn];
        var component = new double[cellsTotal];
        var averaged = new double[cellsTotal];
        for (int k = 0; k < nn; k++)
        {
            // point value of packed component k: diagonal |e_i|², off-diagonal Re/Im of conj(e_i) e_j
            var (i, j, imag) = ComponentOf(n, k);
            for (int c = 0; c < cellsTotal; c++)
            {
                var v = Complex.Conjugate(e[i][c]) * e[j][c];
                component[c] = imag ? v.Imaginary : v.Real;
            }
            average.Average(component, averaged);
            for (int q = 0; q < cells.Length; q++) packed[(long)q * nn + k] = averaged[cells[q]];
        }
        return (packed, cells);
    }

    /// <summary>(i, j, imaginary part?) of packed component k (diagonal first, then Re/Im pairs for i &lt; j).</summary>
    internal static (int I, int J, bool Imag) ComponentOf(int n, int k)
    {
        if (k < n) return (k, k, false);
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                if (k == o) return (i, j, false);
                if (k == o + 1) return (i, j, true);
                o += 2;
            }
        throw new ArgumentOutOfRangeException(nameof(k));
    }
}
