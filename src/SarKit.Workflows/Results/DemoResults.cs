namespace SarKit.Workflows.Results;

/// <summary>The whole pipeline on the built-in openEMS demo dataset with self-checks (<see cref="Demo"/>, docs/demo-data.md).</summary>
[JsonResult("sarkit demo --json", Order = 13)]
public sealed record DemoResult
{
    /// <summary>Demo dataset used.</summary>
    public required string InputFile { get; init; }
    /// <summary>The <c>info --json</c> object of the demo file.</summary>
    public required DatasetDescriptionResult Dataset { get; init; }
    /// <summary>Point SAR per channel.</summary>
    public required DemoChannelResult[] Channels { get; init; }
    /// <summary>CP drive results.</summary>
    public required DemoCpResult Cp { get; init; }
    /// <summary>The averaged 10 g Q-matrix set and its random-drive checks.</summary>
    public required DemoQMatricesResult Qmatrices { get; init; }
    /// <summary>VOP set of the 10 g Q-matrices at a 10 % margin (iterative Lee + Kuehne) and its certificate.</summary>
    public required DemoVopResult Vops { get; init; }
    /// <summary>(1) SarKit vs openEMS point SAR, tolerance 1e-5; (2) Q-set psSAR vs scalar psSAR, tolerance 1e-9; (3) VOP certificate passed (value: largest violation / SAR_wc, ≤ 1e-9).</summary>
    public required DemoCheckResult[] Checks { get; init; }
    /// <summary>Exit code 0 iff true.</summary>
    public required bool AllChecksPass { get; init; }
    /// <summary>Seconds per step (<c>info</c>, <c>read_dataset</c>, …, <c>total</c>), s.</summary>
    public required Dictionary<string, double> TimingsS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>Point SAR of one channel driven alone.</summary>
/// <param name="Channel">Channel index.</param>
/// <param name="Name">Channel name.</param>
/// <param name="PeakPointSarWPerKg">Peak point SAR for 1 V peak incident on that port, W/kg.</param>
/// <param name="PeakVoxelIndex">Voxel of the peak.</param>
/// <param name="PeakLocationM">Centre of that voxel, m.</param>
/// <param name="OpenemsMaxRelDiff">Max over tissue voxels of |SarKit − openEMS| / openEMS local SAR; null when the reference is missing.</param>
public sealed record DemoChannelResult(int Channel, string Name, double PeakPointSarWPerKg, VoxelIndexResult PeakVoxelIndex, PointResult PeakLocationM, double? OpenemsMaxRelDiff);

/// <summary>One self-check of the demo.</summary>
/// <param name="Name">What is checked.</param>
/// <param name="Value">Checked value (null when it cannot be computed).</param>
/// <param name="Tolerance">Largest value that passes.</param>
/// <param name="Pass">Whether the check passes.</param>
/// <param name="Note">Why the value is missing; else null.</param>
public sealed record DemoCheckResult(string Name, double? Value, double Tolerance, bool Pass, string? Note);

/// <summary>The CP drive: point SAR, 10 g and 1 g psSAR.</summary>
/// <param name="Point">Point SAR (a <c>sar --json</c> object).</param>
/// <param name="TenGram">10 g psSAR (a <c>sar --json</c> object).</param>
/// <param name="OneGram">1 g psSAR (a <c>sar --json</c> object).</param>
public sealed record DemoCpResult(PeakSarResult Point, PeakSarResult TenGram, PeakSarResult OneGram);

/// <summary>One random drive: psSAR from scalar averaging and from the Q-matrix set.</summary>
/// <param name="Drive">The drive.</param>
/// <param name="ScalarPsSarWPerKg">psSAR from scalar IEC/IEEE 62704-1 averaging, W/kg.</param>
/// <param name="QSetPsSarWPerKg">max over the Q-matrix set of bᴴQb, W/kg.</param>
/// <param name="RelDiff">|Q-set − scalar| / scalar.</param>
public sealed record DemoDriveCheckResult(DriveResult Drive, double ScalarPsSarWPerKg, double QSetPsSarWPerKg, double RelDiff);

/// <summary>The demo's VOP set and certificate.</summary>
/// <param name="Count">Number of VOPs.</param>
/// <param name="Margin">Diagonal margin as a fraction of SAR_wc.</param>
/// <param name="Algorithm">Compression algorithm.</param>
/// <param name="SarWcWPerKg">Worst-case SAR per unit drive², W/kg.</param>
/// <param name="CertificatePassed">Whether the independent verifier certified the set.</param>
/// <param name="MatricesChecked">Q-matrices proven dominated.</param>
/// <param name="LargestViolation">Largest dominance violation.</param>
/// <param name="RandomDrives">Random drives checked (20 000).</param>
/// <param name="RandomMaxRelativeUnderestimation">Largest relative underestimation over the random drives.</param>
public sealed record DemoVopResult(int Count, double Margin, string Algorithm, double SarWcWPerKg, bool CertificatePassed, long MatricesChecked, double LargestViolation, long RandomDrives, double RandomMaxRelativeUnderestimation);

/// <summary>The averaged 10 g Q-matrix set of the demo.</summary>
/// <param name="Count">Matrices in the set.</param>
/// <param name="ValidCubes">Valid step-1 cubes.</param>
/// <param name="Channels">Matrix size N.</param>
/// <param name="RandomDriveChecks">Random drives: scalar vs Q-set psSAR.</param>
public sealed record DemoQMatricesResult(int Count, int ValidCubes, int Channels, DemoDriveCheckResult[] RandomDriveChecks);
