using System.Globalization;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Margins;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="MarginApplication.Qe"/> applies (options of <c>sarkit margin qe</c>, docs/margins.md).</summary>
public sealed record MarginQeRequest
{
    /// <summary>Dataset file (.h5, .mat, .npz).</summary>
    public required string Fields { get; init; }
    /// <summary>Averaging mass, kg (IEC/IEEE 62704-1 cubes).</summary>
    public required double MassKg { get; init; }
    /// <summary>The E-field uncertainty model (σ_e, k, r, expectation term, K_e form).</summary>
    public required FieldUncertaintyModel Model { get; init; }
    /// <summary>Output Q-matrix HDF5 file with Q + Q_e (or Q_e alone with <see cref="MarginOnly"/>).</summary>
    public required string Output { get; init; }
    /// <summary>Write the averaged Q_e alone instead of Q + Q_e.</summary>
    public bool MarginOnly { get; init; }
    /// <summary>Drive of the reported SAR increase, from the (unpadded) dataset; null: maximum |E| at the tissue centre.</summary>
    public Func<SarDataset, DriveVector>? Drive { get; init; }
    /// <summary>Also apply the margin to this VOP file as V_j + β·I, β = max λ_max(Q_e) (certificate dropped); with <see cref="VopsOutput"/>.</summary>
    public string? Vops { get; init; }
    /// <summary>Output VOP file for <see cref="Vops"/>.</summary>
    public string? VopsOutput { get; init; }
}

/// <summary>What <see cref="MarginApplication.Validate"/> checks (options of <c>sarkit margin validate</c>).</summary>
public sealed record MarginValidateRequest
{
    /// <summary>Dataset file (.h5, .mat, .npz).</summary>
    public required string Fields { get; init; }
    /// <summary>Averaging mass, kg.</summary>
    public required double MassKg { get; init; }
    /// <summary>The E-field uncertainty model.</summary>
    public required FieldUncertaintyModel Model { get; init; }
    /// <summary>Given drives (besides the focus drive and the random ones), from the dataset.</summary>
    public Func<SarDataset, IReadOnlyList<DriveVector>>? Drives { get; init; }
    /// <summary>Error draws per drive.</summary>
    public int Trials { get; init; } = 2000;
    /// <summary>Random unit drives.</summary>
    public int RandomDrives { get; init; } = 10;
    /// <summary>Error distribution.</summary>
    public FieldErrorDistribution Distribution { get; init; } = FieldErrorDistribution.Gaussian;
    /// <summary>Student-t degrees of freedom (&gt; 4).</summary>
    public double Nu { get; init; } = 5;
    /// <summary>Random seed.</summary>
    public int Seed { get; init; }
    /// <summary>0: one error vector per channel for the whole body; b ≥ 1: independent errors per block of b³ voxels
    /// (<see cref="MarginValidationOptions.ErrorBlockVoxels"/>).</summary>
    public int ErrorBlockVoxels { get; init; }
}

/// <summary>
/// E-field uncertainty SAR margins (docs/margins.md; Ferrand et al.): the hot-spot coefficient C_r
/// (<see cref="HotSpotCoefficient"/>), the protected Q-matrix set Q + Q_e averaged over every IEC/IEEE 62704-1 cube
/// (<see cref="EFieldMargin"/>), optionally applied to a VOP set, and its Monte-Carlo validation
/// (<see cref="MarginValidation"/>). The use cases of <c>sarkit margin cr|qe|validate</c>.
/// </summary>
public static class MarginApplication
{
    /// <summary>C_r = E[max of r standard normals] = r∫xφ(x)Φ(x)^(r−1)dx with k + C_r and the Gaussian tail 1 − Φ(k).</summary>
    public static MarginCrResult Cr(int r, double k)
    {
        double cr = HotSpotCoefficient.Cr(r);
        var res = new MarginCrResult(r, cr, k, k + cr, HotSpotCoefficient.NormalUpperTail(k), VopSetOperations.SarkitVersion);
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return res;
    }

    /// <summary>
    /// Averages Q + Q_e over every cube, writes the protected set (<see cref="QMatrixSetFile"/>; or Q_e alone) and, with
    /// <see cref="MarginQeRequest.Vops"/>, the VOP set V_j + β·I; reports the psSAR increase of the drive.
    /// </summary>
    public static MarginQeResult Qe(MarginQeRequest request, SarKitSettings? settings = null, IWorkflowStages? stages = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        var model = request.Model;
        string outPath = request.Output, fieldsPath = request.Fields;
        CheckH5Output(outPath);
        string? vopsIn = request.Vops, vopsOutPath = request.VopsOutput;
        if ((vopsIn is null) != (vopsOutPath is null)) throw new SarKitInputException("--vops and --vops-output go together.");
        VopSet? vopSet = null;
        if (vopsIn is not null)
        {
            if (!File.Exists(vopsIn)) throw new SarKitInputException($"--vops '{vopsIn}': file does not exist.") { SourceFile = vopsIn };
            CheckH5Output(vopsOutPath!);
            vopSet = VopSetFile.Read(vopsIn);
        }
        var (ds, cubes, padded) = Load(stages, fieldsPath, request.MassKg);
        if (vopSet is not null && vopSet.Channels != ds.Channels)
            throw new SarKitInputException($"--vops '{vopsIn}': {vopSet.Channels} channels, the dataset has {ds.Channels}.") { SourceFile = vopsIn };
        var q = stages.Stage("Averaged Q-matrices", pr => AveragedQMatrixSet.Compute(padded, cubes, progress: pr));
        var qe = stages.Stage("Averaged Q_e", pr => EFieldMargin.Averaged(padded, cubes, model, includeQ: false, pr));
        int n = ds.Channels;
        var sum = q.AllPacked.ToArray(); var qeP = qe.AllPacked;
        for (int i = 0; i < sum.Length; i++) sum[i] += qeP[i];
        var prot = AveragedQMatrixSet.FromPacked(cubes, n, sum, q.Normalisation);
        var dv = request.Drive is null ? new DriveVector(MarginValidation.FocusDrive(padded), ds.E.Normalisation) : request.Drive(ds);
        var inc = EFieldMargin.Increase(q, prot, dv);
        double sigmaAbs = model.AbsoluteSigma(ds.Tissue, ds.E);
        var attrs = new Dictionary<string, string>
        {
            ["efield_margin"] = EFieldMargin.Describe(model),
            ["efield_margin_content"] = request.MarginOnly ? "Q_e only" : "Q + Q_e",
            ["efield_margin_sigma_e_v_per_m"] = sigmaAbs.ToString("R", CultureInfo.InvariantCulture),
        };
        QMatrixSetFile.Write(request.MarginOnly ? qe : prot, outPath, fieldsPath, attrs);
        double? beta = null;
        if (vopSet is not null)
        {
            var tv = EFieldMargin.ApplyToVops(vopSet, qe.AllPacked, model);
            VopSetFile.Write(tv, vopsOutPath!);
            beta = double.Parse(tv.Attributes["efield_margin_beta"], CultureInfo.InvariantCulture);
        }
        var res = new MarginQeResult
        {
            InputFile = Path.GetFullPath(fieldsPath), OutputFile = Path.GetFullPath(outPath), Content = attrs["efield_margin_content"], MassKg = cubes.Options.TargetMassKg,
            Count = q.Count, Channels = n, SigmaE = model.SigmaE, SigmaERelative = model.Relative, SigmaEAbsolute = sigmaAbs,
            MeanFieldMagnitude = EFieldMargin.MeanFieldMagnitude(ds.Tissue, ds.E), K = model.K, R = model.R, Cr = HotSpotCoefficient.Cr(model.R),
            Expectation = model.IncludeExpectation, Form = model.Form.ToString().ToLowerInvariant(), Drive = ResultParts.Drive(dv),
            PeakSar = inc.PeakSar, ProtectedPeakSar = inc.ProtectedPeakSar, RelativeIncrease = inc.RelativeIncrease,
            Unit = $"W/kg per {ds.E.Normalisation.DriveUnit()}^2", ElapsedS = settings.Time.GetElapsedTime(t0).TotalSeconds, SarkitVersion = VopSetOperations.SarkitVersion,
            VopsOutput = vopsOutPath is null ? null : Path.GetFullPath(vopsOutPath), VopMarginBeta = beta,
        };
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return res;
    }

    /// <summary>
    /// Monte-Carlo check: the probability that the true psSAR exceeds the psSAR from Q + Q_e, with its confidence
    /// interval, next to the target 1 − Φ(k) and the distribution-free Cantelli bound.
    /// </summary>
    public static MarginValidateResult Validate(MarginValidateRequest request, SarKitSettings? settings = null, IWorkflowStages? stages = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        var model = request.Model;
        var (ds, cubes, padded) = Load(stages, request.Fields, request.MassKg);
        var given = request.Drives?.Invoke(ds) ?? [];
        var q = stages.Stage("Averaged Q-matrices", pr => AveragedQMatrixSet.Compute(padded, cubes, progress: pr));
        var prot = stages.Stage("Averaged Q + Q_e", pr => EFieldMargin.Averaged(padded, cubes, model, includeQ: true, pr));
        var r = stages.Stage("Monte Carlo", pr => MarginValidation.Run(padded, cubes, q, prot, model,
            new MarginValidationOptions { Trials = request.Trials, RandomDrives = request.RandomDrives, Drives = given.ToList(), Distribution = request.Distribution, Nu = request.Nu, Seed = request.Seed, ErrorBlockVoxels = request.ErrorBlockVoxels }, pr));
        var res = new MarginValidateResult
        {
            InputFile = Path.GetFullPath(request.Fields), Margin = EFieldMargin.Describe(model), SigmaEAbsolute = r.SigmaEAbsolute,
            Distribution = request.Distribution.ToString().ToLowerInvariant(), Kurtosis = r.Kurtosis, Trials = r.Trials, Exceedances = r.Exceedances,
            Probability = r.Probability, CiLow = r.CiLow, CiHigh = r.CiHigh, Confidence = r.Confidence, Target = r.Target, CantelliBound = r.CantelliBound,
            WithinTarget = r.WithinTarget, ExceedsTarget = r.ExceedsTarget, ErrorBlockVoxels = r.ErrorBlockVoxels, ProbabilityWithoutMargin = r.ProbabilityWithoutMargin,
            Drives = r.Drives.Select(x => new MarginDriveResult(x.Label, x.PeakSar, x.ProtectedPeakSar, x.Trials, x.Exceedances, x.ExceedancesWithoutMargin, x.MaxTrueOverProtected, x.MeanTrueOverNominal)).ToArray(),
            ElapsedS = settings.Time.GetElapsedTime(t0).TotalSeconds, SarkitVersion = VopSetOperations.SarkitVersion,
        };
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return res;
    }

    private static void CheckH5Output(string output)
    {
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5")) throw new SarKitInputException($"--output '{output}': expected a .h5 or .hdf5 file name.") { SourceFile = output };
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{output}': the folder {dir} does not exist.") { SourceFile = output };
    }

    /// <summary>
    /// The dataset, its IEC/IEEE 62704-1 averaging cubes at <paramref name="massKg"/> on the air-padded grid (as many air
    /// voxels as the model's own air margin lacks, <see cref="AirPadding.Needed"/>) and the padded dataset.
    /// </summary>
    private static (SarDataset Ds, AveragingCubeSet Cubes, SarDataset Padded) Load(IWorkflowStages? stages, string fieldsPath, double massKg)
    {
        DatasetFiles.RequireExisting(fieldsPath);
        var ds = stages.Stage("Reading dataset", _ => DatasetFiles.Open(fieldsPath));
        var prepared = stages.Stage(string.Create(CultureInfo.InvariantCulture, $"Averaging cubes ({massKg * 1e3:G4} g)"), p => PreparedAveraging.Prepare(ds, massKg, null, p));
        return (ds, prepared.Cubes, new SarDataset(prepared.PaddedTissue, prepared.Padding.Pad(ds.E)));
    }
}
