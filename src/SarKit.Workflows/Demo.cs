using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="Demo.Run"/> runs on.</summary>
public sealed record DemoRequest
{
    /// <summary>The demo dataset (docs/demo-data.md, ptx8_7T_demo.h5).</summary>
    public required string DatasetPath { get; init; }
    /// <summary>Random drives for the Q-matrix check (≥ 1).</summary>
    public int RandomDrives { get; init; } = 5;
}

/// <summary>
/// The whole pipeline on the built-in 8-channel 7 T openEMS dataset (<c>sarkit demo</c>, docs/demo-data.md) with
/// self-checks: SarKit point SAR vs openEMS's own local SAR (/reference/openems_local_sar, W/kg per (1 V incident)²),
/// the CP drive's point, 10 g and 1 g psSAR (<see cref="PeakSarEvaluation"/>), the averaged 10 g Q-matrix set vs the
/// scalar IEC/IEEE 62704-1 psSAR for random drives, and a certified VOP compression of that set
/// (<see cref="VopCompressor"/>, <see cref="VopVerifier"/>). <see cref="DemoResult.AllChecksPass"/> is the verdict.
/// </summary>
public static class Demo
{
    /// <summary>Tolerances of the checks and VOP settings.</summary>
    public const double OpenEmsTolerance = 1e-5, QSetTolerance = 1e-9, VopMargin = 0.10, VopSetTolerance = 1e-9;
    /// <summary>Random drives of the VOP certificate.</summary>
    public const int VopRandomDrives = 20_000;
    private const string ReferenceDataset = "/reference/openems_local_sar";

    /// <summary>Runs the demo. Progress stages: "Reading demo dataset", "Averaging cubes (10 g)", "Averaging cubes (1 g)", "Averaged Q-matrices (10 g)", "VOP compression (10 % margin)", "VOP certificate".</summary>
    public static DemoResult Run(DemoRequest request, SarKitSettings? settings = null, IProgress<StageReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        int randomDrives = request.RandomDrives;
        if (randomDrives < 1) throw new SarKitInputException($"--random-drives {randomDrives}: need at least 1.");
        var clock = settings.Time;
        long total = clock.GetTimestamp();
        var timings = new Dictionary<string, double>();
        T Time<T>(string step, Func<T> f)
        {
            cancellation.ThrowIfCancellationRequested();
            long t0 = clock.GetTimestamp(); var r = f(); timings[step] = clock.GetElapsedTime(t0).TotalSeconds; return r;
        }

        var path = request.DatasetPath;
        var info = Time("info", () => DatasetDescription.Describe(path));
        var ds = Time("read_dataset", () => progress.Run("Reading demo dataset", _ => DatasetFiles.Open(path)));
        var n = ds.E.Normalisation;
        int nch = ds.Channels;

        // per-channel point SAR and openEMS comparison
        var reference = Time("read_openems_reference", () => ReadReference(path, ds));
        var channels = Time("point_sar_channels", () => Enumerable.Range(0, nch).Select(c =>
        {
            var local = LocalSar.Compute(ds.Tissue, ds.E, DriveText.Single(nch, c, n));
            var (peak, at) = LocalSar.Peak(local);
            double? diff = reference is null ? null : MaxRelDiff(local, reference, c, ds.Tissue.Rho);
            return new DemoChannelResult(c, ds.E.ChannelNames[c], peak, ResultParts.Index(ds.Grid, at), ResultParts.Centre(ds.Grid, at), diff);
        }).ToArray());
        double? openEmsDiff = reference is null ? null : channels.Max(c => c.OpenemsMaxRelDiff!.Value);
        var openEms = new DemoCheckResult("SarKit point SAR vs openEMS local SAR (all channels, all tissue voxels), max relative difference",
            openEmsDiff, OpenEmsTolerance, openEmsDiff is { } d1 && d1 <= OpenEmsTolerance,
            reference is null ? $"{ReferenceDataset} not found in the demo file" : null);

        // CP drive: point, 10 g, 1 g
        var cp = DriveText.Cp(nch, n);
        var point = Time("cp_point_sar", () => PeakSarEvaluation.Prepare(ds, null).Evaluate(cp));
        var av10 = Time("cubes_10g", () => progress.Run($"Averaging cubes ({PeakSarEvaluation.MassText(0.010)})", p => PreparedAveraging.Prepare(ds, 0.010, null, p)));
        var ten = Time("cp_10g", () => PeakSarEvaluation.From(av10).Evaluate(cp));
        var av1 = Time("cubes_1g", () => progress.Run($"Averaging cubes ({PeakSarEvaluation.MassText(0.001)})", p => PreparedAveraging.Prepare(ds, 0.001, null, p)));
        var one = Time("cp_1g", () => PeakSarEvaluation.From(av1).Evaluate(cp));

        // averaged Q-matrix set vs scalar averaging for random drives
        var qset = Time("qmatrices_10g", () => progress.Run("Averaged Q-matrices (10 g)", p => av10.QSet(p)));
        var rng = new Random(20261121);
        var checks = Time("qmatrix_check", () => Enumerable.Range(0, randomDrives).Select(_ =>
        {
            var b = new DriveVector(Enumerable.Range(0, nch).Select(__ => Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())), n);
            var scalar = av10.Average(LocalSar.Compute(ds.Tissue, ds.E, b)).Peak;
            var fromQ = qset.PeakSar(b).Peak;
            return new DemoDriveCheckResult(ResultParts.Drive(b), scalar, fromQ, Math.Abs(fromQ - scalar) / scalar);
        }).ToArray());
        double qDiff = checks.Max(c => c.RelDiff);
        var qCheck = new DemoCheckResult($"max over the 10 g Q-matrix set of b^H Q b vs scalar IEC/IEEE 62704-1 psSAR ({randomDrives} random drives), max relative difference",
            qDiff, QSetTolerance, qDiff <= QSetTolerance, null);

        // certified VOP compression of the 10 g Q-matrix set: compress, then the independent verifier
        var qPacked = qset.AllPacked.ToArray();
        var vops = Time("vop_compress_10pct", () => progress.Run("VOP compression (10 % margin)", _ =>
            VopCompressor.Compress(qPacked, qset.Channels, new VopCompressionOptions { Epsilon = VopMargin, Normalisation = n })));
        VopVerificationResult verification;
        using (var source = new PackedQMatrixSource(qPacked, qset.Channels, "demo 10 g Q-matrices", n))
            verification = Time("vop_certify", () => progress.Run("VOP certificate", _ =>
                VopVerifier.Certify(vops, source, new VopVerifierOptions { RandomDrives = VopRandomDrives })));
        var cert = verification.Certificate;
        var vopCheck = new DemoCheckResult($"VOP set ({vops.Count} VOPs, {VopMargin:P0} margin) certified: convex-combination dominance of all {qset.Count} Q-matrices " +
            $"+ {VopRandomDrives} random drives; largest violation / SAR_wc", cert.LargestViolation / vops.SarWorstCase, VopSetTolerance,
            cert.Passed && verification.UnderestimatingDrives == 0 && vops.HasValidCertificate(out _), null);

        timings["total"] = clock.GetElapsedTime(total).TotalSeconds;
        return new DemoResult
        {
            InputFile = path,
            Dataset = info,
            Channels = channels,
            Cp = new DemoCpResult(point.Result with { InputFile = path }, ten.Result with { InputFile = path }, one.Result with { InputFile = path }),
            Qmatrices = new DemoQMatricesResult(qset.Count, av10.Cubes.ValidCubeCount, qset.Channels, checks),
            Vops = new DemoVopResult(vops.Count, VopMargin, vops.Algorithm, vops.SarWorstCase, cert.Passed, cert.MatricesChecked, cert.LargestViolation,
                cert.RandomDrives, cert.RandomMaxRelativeUnderestimation),
            Checks = [openEms, qCheck, vopCheck],
            AllChecksPass = openEms.Pass && qCheck.Pass && vopCheck.Pass,
            TimingsS = timings,
            SarkitVersion = SarKitVersion.Current,
        };
    }

    /// <summary>openEMS's local SAR per channel [nch][voxel], W/kg per (1 V peak incident)² (docs/demo-data.md), or null when absent.</summary>
    private static double[]? ReadReference(string path, SarDataset ds)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.IsDataset(ReferenceDataset)) return null;
        var a = f.ReadDataset(ReferenceDataset);
        long expected = (long)ds.Channels * ds.Grid.VoxelCount;
        if (a.Count != expected)
            throw new SarKitInputException($"{path}: {ReferenceDataset} has shape [{string.Join(",", a.Shape)}], expected [{ds.Channels},{ds.Grid.Nz},{ds.Grid.Ny},{ds.Grid.Nx}].") { SourceFile = path, Dataset = ReferenceDataset };
        return a.ToDouble();
    }

    /// <summary>max over tissue voxels of |a − b| / b (b floored at 1e-12 of the channel's peak).</summary>
    private static double MaxRelDiff(double[] local, double[] reference, int channel, double[] rho)
    {
        int nv = local.Length; int o = channel * nv;
        double peak = 0;
        for (int v = 0; v < nv; v++) peak = Math.Max(peak, reference[o + v]);
        double worst = 0;
        for (int v = 0; v < nv; v++)
        {
            if (rho[v] <= 0) continue;
            double b = reference[o + v];
            worst = Math.Max(worst, Math.Abs(local[v] - b) / Math.Max(b, 1e-12 * peak));
        }
        return worst;
    }
}
