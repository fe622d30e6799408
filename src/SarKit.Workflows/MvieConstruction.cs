using SarKit.Constraints;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="MvieConstruction.Run"/> reduces (options of <c>sarkit mvie</c>, docs/mvie.md).</summary>
public sealed record MvieRequest
{
    /// <summary>Q-matrix HDF5 file (<c>sarkit qmatrices</c> / <c>sarkit margin qe</c>).</summary>
    public required string Q { get; init; }
    /// <summary>Output HDF5 file with the matrix A and its certificate.</summary>
    public required string Output { get; init; }
    /// <summary>Explicit power constraint A ⪰ floor·I, W/kg per drive unit²; null: added only when the intersection is unbounded.</summary>
    public double? PowerFloor { get; init; }
    /// <summary>Random unit drives for the power-loss statistics (0: skip).</summary>
    public int Samples { get; init; } = 1000;
    /// <summary>Barrier duality-gap bound on log det A.</summary>
    public double Tolerance { get; init; } = 1e-9;
}

/// <summary>
/// The single maximum-volume inscribed ellipsoid SAR constraint of a Q-matrix set (<c>sarkit mvie</c>, docs/mvie.md):
/// A ⪰ Q_i ∀i with maximal ellipsoid volume (min log det A, <see cref="MvieSolver"/>), the certificate
/// max_i λ_max(A⁻¹Q_i) ≤ 1, the allowed-power loss over random unit drives (<see cref="MviePowerLoss"/>), written with
/// <see cref="MvieFile"/>.
/// </summary>
public static class MvieConstruction
{
    /// <summary>
    /// Reads, solves, samples the power loss and writes the MVIE file; the result says whether the certificate passed
    /// (<see cref="MvieConstructionResult.CertificatePassed"/>; the file is written either way).
    /// </summary>
    public static MvieConstructionResult Run(MvieRequest request, IWorkflowStages? stages = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        string qPath = request.Q, outPath = request.Output;
        if (!File.Exists(qPath)) throw new SarKitInputException($"--q '{qPath}': file does not exist.") { SourceFile = qPath };
        var ext = Path.GetExtension(outPath).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5")) throw new SarKitInputException($"--output '{outPath}': expected a .h5 or .hdf5 file name.") { SourceFile = outPath };
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{outPath}': the folder {dir} does not exist.") { SourceFile = outPath };
        int ns = request.Samples;
        if (ns < 0) throw new SarKitInputException($"--samples {ns}: expected ≥ 0.");
        var set = stages.Stage("Reading Q-matrices", _ => QMatrixSetFile.Read(qPath));
        var r = stages.Stage("MVIE", pr => MvieSolver.Solve(set.Packed, set.Channels, new MvieOptions { PowerFloor = request.PowerFloor, GapTolerance = request.Tolerance }, pr));
        var loss = ns > 0 ? stages.Stage("Power loss", _ => MviePowerLoss.Sample(set.Packed, set.Channels, r.Packed, ns, 1)) : null;
        MvieFile.Write(outPath, r, set.Normalisation, loss, new Dictionary<string, string> { ["source_file"] = Path.GetFullPath(qPath) });
        var res = new MvieConstructionResult
        {
            InputFile = Path.GetFullPath(qPath), OutputFile = Path.GetFullPath(outPath), Count = r.Count, Channels = r.Channels, LogDet = r.LogDet,
            CertificateMaxRatio = r.CertificateMaxRatio, CertificatePassed = r.CertificatePassed, CertificateScale = r.CertificateScale, DominanceFailures = r.DominanceFailures,
            SarWorstCase = r.SarWorstCase, LambdaMaxA = HermitianKernels.LargestEigenvalue(r.Packed, r.Channels),
            Regularisation = r.Regularisation, PowerFloor = r.PowerFloor, Unbounded = r.Unbounded, Contacts = r.ContactCount,
            Rounds = r.Rounds, NewtonSteps = r.NewtonSteps, ActiveSetSize = r.ActiveSetSize, FullEvaluations = r.FullEvaluations,
            PowerFraction = loss is null ? null : new MviePowerResult(loss.Samples, loss.MaxFraction, loss.MeanFraction, loss.MinFraction, 1.0 / r.Channels, loss.OuterBoundHolds),
            Unit = set.Attributes.TryGetValue("unit", out var u) ? u : "", ElapsedS = r.ElapsedSeconds, SarkitVersion = VopSetOperations.SarkitVersion,
        };
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return res;
    }
}
