using System.Globalization;
using SarKit.Compression;

namespace SarKit.Surrogate;

/// <summary>Result of <see cref="SurrogateVops.Build"/>.</summary>
/// <param name="Set">The compressed VOP set with its certificate attached (write it only when <see cref="Certified"/>).</param>
/// <param name="Verification">The verifier's details.</param>
/// <param name="QMatrices">Number of 2D 10 g Q-matrices (tissue cells) that were compressed.</param>
/// <param name="SafetyFactor">The factor the Q-matrices were multiplied by.</param>
public sealed record SurrogateVopResult(VopSet Set, VopVerificationResult Verification, int QMatrices, double SafetyFactor)
{
    public bool Certified => Verification.Certificate.Passed;
}

/// <summary>
/// A subject's VOP set from the per-channel surrogate's predicted e_n: the 2D-adapted 10 g Q-matrices
/// (<see cref="SurrogateQMatrices.MassAveraged"/>) multiplied by the calibrated safety factor SF, compressed and certified
/// (<see cref="CertifiedVopCompression"/>). The certified set then bounds SF × the predicted 2D 10 g SAR of every drive w:
/// max_j wᴴV_jw ≥ SF·wᴴQ10g(r)w for every tissue cell r, and (diagonal margin Z = ε·SAR_wc·I of the scaled matrices)
/// max_j wᴴV_jw ≤ SF·max_r wᴴQ10g(r)w + ε·SAR_wc·‖w‖² (Lee et al., MRM 2012). SF is config.json "safety_factor", the q95
/// of true/predicted peak 10 g SAR over the validation subjects (docs/surrogate.md), so the VOPs inherit the surrogate's
/// calibrated (not guaranteed) coverage of the true SAR. The set is therefore marked <b>surrogate-calibrated, not certified
/// against true SAR</b> (<see cref="VopSarBasis.MarkSurrogate"/>, with the calibration's coverage) before it is certified,
/// so the certificate digest binds the label and every reader shows it.
/// </summary>
public static class SurrogateVops
{
    /// <summary>SF × the 2D 10 g Q-matrices of every tissue cell (packed, cells × N²) and the cell index of each.</summary>
    public static (double[] Packed, int[] Cells) ScaledQMatrices(PerChannelPrediction prediction, SquareMassAverage2D average, double safetyFactor)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (!(safetyFactor > 0) || !double.IsFinite(safetyFactor)) throw new SarKitInputException($"Surrogate VOPs: safety factor {safetyFactor}; expected a positive finite number.");
        var (packed, cells) = SurrogateQMatrices.MassAveraged(average, prediction.E);
        if (safetyFactor != 1) for (int k = 0; k < packed.Length; k++) packed[k] *= safetyFactor;
        return (packed, cells);
    }

    /// <summary>Builds, compresses and certifies the subject's VOP set (see the class remarks).</summary>
    /// <param name="prediction">Predicted e_n (√(W/kg) per unit drive).</param>
    /// <param name="average">The subject's 2D 10 g averaging (density, cell size).</param>
    /// <param name="safetyFactor">SF (config.json "safety_factor"); 1 = the plain predicted 10 g SAR.</param>
    /// <param name="compression">Compressor settings (default: iterative, diagonal margin 5 %); set <see cref="VopCompressionOptions.Normalisation"/> to the drive unit of the input B1⁺.</param>
    /// <param name="verifier">Verifier settings.</param>
    /// <param name="description">Name of the Q-matrices in messages and the set's attributes.</param>
    /// <param name="compressProgress">Optional progress of the compression.</param>
    /// <param name="verifyProgress">Optional progress of the certification.</param>
    /// <param name="cancellationToken">Cancels the compression and the certification.</param>
    /// <param name="coverage">What the calibration covers (<see cref="SurrogateCalibrationCoverage.Describe"/> of the model); stored in the set's
    /// <c>sar_basis_coverage</c> attribute. Null: "calibration coverage not stated" with the factor.</param>
    public static SurrogateVopResult Build(PerChannelPrediction prediction, SquareMassAverage2D average, double safetyFactor,
        VopCompressionOptions? compression = null, VopVerifierOptions? verifier = null, string description = "surrogate 2D 10 g Q-matrices",
        IProgress<VopCompressionProgress>? compressProgress = null, IProgress<VopVerificationProgress>? verifyProgress = null,
        CancellationToken cancellationToken = default, string? coverage = null)
    {
        var (packed, cells) = ScaledQMatrices(prediction, average, safetyFactor);
        if (cells.Length == 0) throw new SarKitInputException("Surrogate VOPs: no tissue cells (ρ > 0) to build Q-matrices from.");
        var ci = CultureInfo.InvariantCulture;
        var (set, r) = CertifiedVopCompression.Run(packed, prediction.Channels, compression ?? new VopCompressionOptions(), verifier ?? new VopVerifierOptions(),
            description, s =>
            {
                s.Attributes["surrogate_safety_factor"] = safetyFactor.ToString("R", ci);
                s.Attributes["surrogate_q_matrices"] = "2D-adapted 10 g (SquareMassAverage2D) of the predicted e_n, times surrogate_safety_factor";
                s.Attributes["surrogate_cell_size_m"] = average.CellSize.ToString("R", ci);
                s.Attributes["surrogate_grid"] = $"{prediction.Ny} x {prediction.Nx}";
                VopSarBasis.MarkSurrogate(s, coverage ?? $"calibration coverage not stated (safety factor {safetyFactor.ToString("G4", ci)})");
            }, compressProgress, verifyProgress, cancellationToken);
        return new SurrogateVopResult(set, r, cells.Length, safetyFactor);
    }
}
