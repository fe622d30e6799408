using System.Globalization;
using System.Numerics;
using System.Text;
using SarKit.Compression;
using SarKit.Constraints;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Reporting;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="SpokesDesign.Run"/> designs (options of <c>sarkit spokes</c>, docs/pulse-design.md).</summary>
public sealed record SpokesRequest : PulseDesignRequest
{
    /// <summary>Number of sub-pulses K (1 = RF shim).</summary>
    public int SubPulses { get; init; } = 3;
    /// <summary>Default trajectory when <see cref="KPositions"/> is null: "kt" (centre, ±x, −x, ±y, ±z in that order) or "spokes" (centre, then ± along the two in-plane axes of the slice).</summary>
    public string Trajectory { get; init; } = "kt";
    /// <summary>Step of the default trajectory, rad/m; null: 2π / (largest extent of the region of interest).</summary>
    public double? KStepRadPerM { get; init; }
    /// <summary>Explicit k-space positions (kx, ky, kz) in rad/m, one per sub-pulse; null: the default trajectory.</summary>
    public IReadOnlyList<(double X, double Y, double Z)>? KPositions { get; init; }
    /// <summary>Sub-pulse shape.</summary>
    public SubPulseShape Shape { get; init; } = SubPulseShape.Hard;
    /// <summary>Sub-pulse duration, s (rounded to the 1 µs RF raster; a multiple of 10 µs for the Pulseq output).</summary>
    public double SubPulseDurationS { get; init; } = 0.2e-3;
    /// <summary>Time-bandwidth product of the sinc shape.</summary>
    public double TimeBandwidth { get; init; } = 4;
    /// <summary>Gap between sub-pulses (gradient blips), s.</summary>
    public double GapS { get; init; } = 0.1e-3;
    /// <summary>Repetition time, s: SAR and average power are averaged over it.</summary>
    public double RepetitionTimeS { get; init; } = 10e-3;
    /// <summary>Target small-tip flip angle in the region, degrees.</summary>
    public double TargetFlipDeg { get; init; } = 10;
    /// <summary>Waveform CSV to write (the first design, one repetition, period_s = TR), accepted by <c>sarkit pulse check</c>; null: none.</summary>
    public string? WaveformOutput { get; init; }
    /// <summary>Pulseq file to write (one block per sub-pulse with RF_SHIMS, then silence to TR), accepted by <c>sarkit seq check</c>; null: none.</summary>
    public string? SeqOutput { get; init; }
    /// <summary>
    /// Continuation: the first start begins at the RF shim of the first sub-pulse alone (the K = 1 design under the same
    /// constraints, the other sub-pulses zero: feasible, with the shim's objective), instead of target phase 0. Off by
    /// default: on the demo (K = 5) the phase-0 start with phase extrapolation reached a lower NRMSE (docs/pulse-design.md).
    /// </summary>
    public bool StartFromShim { get; init; }
}

/// <summary>
/// Spokes / kT-points pulse design under certified local-SAR limits (<c>sarkit spokes</c>, docs/pulse-design.md).
/// Small-tip-angle system matrix A_full = [A_1 … A_K] (<see cref="SpokesSystem"/>; Grissom 2006, Setsompop 2008, Cloos 2012),
/// magnitude-least-squares flip-angle target by variable exchange (<see cref="RfShimSolver"/> on the stacked weights),
/// subject to the time-averaged constraints Σ_j c_j w_jᴴQ_iw_j ≤ local limit for the chosen set (every original 10 g
/// Q-matrix by row generation, a VOP set, the MVIE, or "vop-seeded": the VOP design polished against every original by row
/// generation from that design), the same with the global Q, per-channel peak power κ|w_{n,j}|² and
/// average power Σ_j c_j κ|w_{n,j}|², c_j = ∫p_j² dt / TR. Every design is certified against every original 10 g
/// Q-matrix; a violation is never reported as valid (scaled to the limits, labelled, <see cref="SpokesResult.Passed"/>
/// false for the written design).
/// </summary>
public static class SpokesDesign
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const double RfRasterS = 1e-6, BlockRasterS = 1e-5;

    /// <summary>Runs the design(s), writes the requested files and returns the result.</summary>
    public static SpokesResult Run(SpokesRequest q, SarKitSettings? settings = null, IProgress<StageReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        settings ??= SarKitSettings.Default;
        long start = settings.Time.GetTimestamp();
        Check(q);
        DatasetFiles.RequireExisting(q.FieldsPath);
        var ds = progress.Run("Reading dataset", _ => DatasetFiles.Open(q.FieldsPath));
        int n = ds.Channels, kk = q.SubPulses, nk = n * kk;
        var norm = ds.E.Normalisation;
        var warnings = new List<string>();
        var (b1, origin) = progress.Run("B1+ maps", _ => B1PlusMap.For(ds, q.Sense));
        if (origin == B1PlusMap.Origin.FromCurlE)
            warnings.Add("B1+ derived from E by Faraday's law with finite differences (no H or B1+ in the dataset): accurate inside homogeneous tissue, O(1) errors in the voxels next to tissue interfaces.");
        var (roi, roiText) = RfShimDesign.Region(ds, q);
        var b1t = new Complex[roi.Length * n];
        var pos = new (double X, double Y, double Z)[roi.Length];
        for (int r = 0; r < roi.Length; r++)
        {
            pos[r] = ds.Grid.Centre(roi[r]);
            for (int c = 0; c < n; c++) b1t[r * n + c] = b1.Get(c, 0, roi[r]);
        }
        var (kpos, trajectory) = Trajectory(q, pos, roiText);
        var pulse = SubPulse.Create(q.Shape, q.SubPulseDurationS, RfRasterS, q.TimeBandwidth);
        double pulseLength = kk * pulse.DurationS + (kk - 1) * q.GapS;
        if (pulseLength > q.RepetitionTimeS * (1 + 1e-12))
            throw new SarKitInputException($"--tr {q.RepetitionTimeS.ToString(Inv)} s: shorter than the pulse ({kk} × {pulse.DurationS.ToString(Inv)} s + gaps = {pulseLength.ToString(Inv)} s).");
        var cw = Enumerable.Repeat(pulse.Energy / q.RepetitionTimeS, kk).ToArray();
        // flip angle in degrees: γ[rad/(s·T)]·area[s]·B1[T per drive unit]·180/π = 360·γ/2π·area·B1
        var a = SpokesSystem.SystemMatrix(b1t, n, pos, kpos, Enumerable.Repeat(pulse.Area, kk).ToArray(), 360 * DriveCalibration.Gamma1H);
        var target = Enumerable.Repeat(q.TargetFlipDeg, roi.Length).ToArray();

        var (originals, originalSource) = RfShimDesign.LoadOriginals(q.QPath, q.FieldsPath, ds, n, norm, warnings, progress);
        int nn = n * n, count = originals.Length / nn;
        cancellation.ThrowIfCancellationRequested();

        bool[]? gMask = ds.Tissue.Masks.TryGetValue(q.GlobalRegion, out var m) ? m : null;
        string gRegion = gMask is null ? "tissue" : q.GlobalRegion;
        var gq = RegionQ.Compute(gRegion, ds.Tissue, ds.E, gMask, settings);
        var always = new List<double[]>();
        if (q.GlobalLimitWPerKg > 0) always.Add(SpokesSystem.BlockDiagonal(gq.Packed, n, cw.Select(c => c / q.GlobalLimitWPerKg).ToArray()));
        double? kappa = PulseDesignRequest.PowerPerDriveUnitSquared(norm);
        if (q.HasPowerLimits(n) && kappa is null)
            throw new SarKitInputException($"Channel power limits need fields normalised per incident volt or √W; '{q.FieldsPath}' is {norm.ToId()}.") { SourceFile = q.FieldsPath };
        if (kappa is { } kp)
        {
            int mm = nk * nk;
            double[] peakLimit = q.PeakPowerLimits(n), averageLimit = q.AveragePowerLimits(n);
            for (int i = 0; i < nk; i++) // peak |p| = 1: κ|w_{n,j}|² ≤ P_peak,n for every channel n and sub-pulse j
                if (peakLimit[i % n] > 0) { var e = new double[mm]; e[i] = kp / peakLimit[i % n]; always.Add(e); }
            for (int c = 0; c < n; c++) // Σ_j c_j κ|w_{n,j}|² ≤ P_avg,n per channel
                if (averageLimit[c] > 0) { var e = new double[mm]; for (int j = 0; j < kk; j++) e[j * n + c] = cw[j] * kp / averageLimit[c]; always.Add(e); }
        }
        var localC = cw.Select(c => c / q.LocalLimitWPerKg).ToArray();

        var originalsHash = new Lazy<string>(() => VopSet.HashMatrices(originals));
        double[]? stackedOriginals = null; // the originals as (NK)×(NK) block-diagonal forms, stacked once for "all" and "vop-seeded"
        var results = new List<SpokesDesignResult>();
        Complex[]? allW = null; double? allNrmse = null;
        // default solver for K > 1: block-diagonal inner kernels, the direct MLS barrier method after each start's first exchange
        // and extrapolated target phases in the exchange steps after it (docs/pulse-design.md, "Speed of the spokes design")
        var opts = q.Solver ?? (kk > 1
            ? q.SolverOptions() with { Inner = new ShimQcqpOptions { DiagonalBlocks = kk }, PhaseExtrapolation = true, DirectNewton = new MlsNewtonOptions() }
            : q.SolverOptions());
        var written = new List<Complex[]>();
        foreach (var spec in q.Constraints)
        {
            cancellation.ThrowIfCancellationRequested();
            var (kind, file) = RfShimDesign.ParseSpec(spec);
            double[] set; int setCount;
            double shimCpu = 0, shimWall = 0; int shimIters = 0, shimNewton = 0;
            switch (kind)
            {
                case "all": set = originals; setCount = count; break;
                case "vop" or "vop-seeded":
                {
                    var v = VopSetFile.Read(file);
                    if (v.Channels != n) throw new SarKitInputException($"--constraints {kind}={file}: {v.Channels} channels, the dataset has {n}.") { SourceFile = file };
                    if (v.SourceSha256.Length > 0 && !string.Equals(v.SourceSha256, originalsHash.Value, StringComparison.OrdinalIgnoreCase))
                        warnings.Add($"VOP set {Path.GetFileName(file)} was compressed from other matrices than the originals used here (source SHA-256 differs); the design is still certified against these originals.");
                    set = v.Packed; setCount = v.Count; break;
                }
                default:
                {
                    var mv = MvieFile.Read(file);
                    if (mv.Channels != n) throw new SarKitInputException($"--constraints mvie={file}: {mv.Channels} channels, the dataset has {n}.") { SourceFile = file };
                    set = mv.Packed; setCount = 1; break;
                }
            }
            double[] StackOriginals() => stackedOriginals ??= progress.Run($"Stacking {count:N0} originals ({nk}×{nk})", _ => SpokesSystem.BlockDiagonalMany(originals, n, localC));
            var stacked = kind == "all" ? StackOriginals() : progress.Run($"Stacking {setCount:N0} constraints ({nk}×{nk})", _ => SpokesSystem.BlockDiagonalMany(set, n, localC));
            var optsK = opts;
            if (q.StartFromShim && kk > 1)
            {
                // continuation: the shim of sub-pulse 1 alone under the same constraints (leading N×N blocks), then the other sub-pulses from 0
                var a1 = new Complex[roi.Length * n];
                for (int row = 0; row < roi.Length; row++) Array.Copy(a, row * nk, a1, row * n, n);
                var always1 = always.Select(c => Leading(c, nk, n)).Where(c => c.Any(x => x != 0)).ToList();
                var set1 = SpokesSystem.BlockDiagonalMany(set, n, [localC[0]]);
                var o1 = opts with { Inner = opts.Inner with { DiagonalBlocks = 1 }, InitialWeights = null };
                var s1 = progress.Run($"Shim of sub-pulse 1 ({kind})", _ => kind == "all"
                    ? RfShimSolver.Solve(a1, n, target, always1, set1, o1, cancellation)
                    : RfShimSolver.Solve(a1, n, target, always1.Concat(Split(set1, nn)).ToList(), null, o1, cancellation));
                var w0 = new Complex[nk];
                Array.Copy(s1.W, w0, n);
                optsK = opts with { InitialWeights = w0 };
                shimCpu = s1.CpuSeconds; shimWall = s1.ElapsedSeconds; shimIters = s1.Iterations; shimNewton = s1.NewtonSteps;
            }
            var sol = progress.Run($"Spokes ({kind}, K = {kk}, {setCount:N0} constraints)", _ => kind == "all"
                ? RfShimSolver.Solve(a, nk, target, always, stacked, optsK, cancellation)
                : RfShimSolver.Solve(a, nk, target, always.Concat(Split(stacked, nk * nk)).ToList(), null, optsK, cancellation));
            sol = sol with
            {
                CpuSeconds = sol.CpuSeconds + shimCpu, ElapsedSeconds = sol.ElapsedSeconds + shimWall,
                Iterations = sol.Iterations + shimIters, NewtonSteps = sol.NewtonSteps + shimNewton,
            };
            bool rowGen = kind == "all";
            if (kind == "vop-seeded")
            {
                // Polish against every original from the VOP design: one start (the VOP design already chose among the starts), its
                // first target phases arg(A·w_vop), first inner solve warm-started from w_vop, the active subset seeded by the
                // originals with the largest time-averaged SAR at w_vop (no λ_max seed). The VOP design is feasible for the
                // originals (the VOPs dominate them) and no exchange step increases the MLS objective, so the result is no worse.
                var vopSol = sol;
                var all = StackOriginals();
                var atVop = SpokesSystem.Evaluate(originals, n, vopSol.W, cw);
                int seedCount = Math.Min(optsK.Inner.InitialActive, atVop.Length);
                var seedRows = Enumerable.Range(0, atVop.Length).OrderByDescending(i => atVop[i]).Take(seedCount).ToArray();
                var pol = progress.Run($"Polish against {count:N0} originals (K = {kk})", _ =>
                    RfShimSolver.Solve(a, nk, target, always, all, optsK with { Starts = 1, InitialWeights = vopSol.W, InitialActiveRows = seedRows }, cancellation));
                sol = pol with
                {
                    Iterations = vopSol.Iterations + pol.Iterations, NewtonSteps = vopSol.NewtonSteps + pol.NewtonSteps, DirectNewtonSteps = vopSol.DirectNewtonSteps + pol.DirectNewtonSteps,
                    Rounds = vopSol.Rounds + pol.Rounds, ElapsedSeconds = vopSol.ElapsedSeconds + pol.ElapsedSeconds, CpuSeconds = vopSol.CpuSeconds + pol.CpuSeconds,
                };
                // optimised against the originals: its own constraint set is the originals
                set = originals; setCount = count; rowGen = true;
            }
            double setSar = SpokesSystem.Evaluate(set, n, sol.W, cw).Max();
            var (w, r) = Certify(kind, file, setCount, rowGen ? sol.ActiveConstraints - always.Count : setCount, sol, setSar, a, nk, n, kpos, cw, target, originals, gq.Packed, q, kappa);
            if (kind == "all") { allW = w; allNrmse = r.Nrmse; }
            results.Add(r); written.Add(w);
        }
        if (allW is not null && allNrmse is { } an)
        {
            double pAll = AveragePower(allW, n, cw);
            for (int i = 0; i < results.Count; i++)
                results[i] = results[i] with { PowerRelativeToAll = pAll > 0 ? AveragePower(written[i], n, cw) / pAll : null, NrmseExcessOverAll = results[i].Nrmse - an };
        }
        string unit = "", waveFile = "", seqFile = "", seqCal = "";
        if (q.WaveformOutput is not null || q.SeqOutput is not null)
            unit = norm switch
            {
                FieldNormalisation.PerVoltIncident => "V",
                FieldNormalisation.PerSqrtWattIncident => "sqrt(W)",
                FieldNormalisation.PerAmpere => "A",
                _ => throw new SarKitInputException($"--waveform-output/--seq-output: the dataset's drive unit ({norm.ToId()}) has no waveform unit; use a dataset normalised per incident volt, √W or ampere."),
            };
        if (q.WaveformOutput is { } wOut) { WriteWaveform(wOut, written[0], n, pulse, q, unit, results[0]); waveFile = Path.GetFullPath(wOut); }
        if (q.SeqOutput is { } sOut) { WriteSeq(sOut, written[0], n, pulse, q); seqFile = Path.GetFullPath(sOut); seqCal = $"1 {unit}/uT"; }
        var result = new SpokesResult
        {
            Passed = results[0].Certified && !results[0].ScaledToLimit, InputFile = Path.GetFullPath(q.FieldsPath),
            B1Origin = origin switch { B1PlusMap.Origin.Stored => "stored", B1PlusMap.Origin.FromH => "from_h", _ => "from_curl_e" },
            B1Convention = q.Sense == B1RotationSense.CounterClockwise ? "counterclockwise" : "clockwise",
            Roi = roiText, RoiVoxels = roi.Length, Trajectory = trajectory, SubPulseCount = kk, SubPulseShape = q.Shape == SubPulseShape.Hard ? "hard" : "sinc",
            SubPulseDurationS = pulse.DurationS, TimeBandwidth = q.TimeBandwidth, GapS = q.GapS, PulseLengthS = pulseLength, RepetitionTimeS = q.RepetitionTimeS,
            SarWeights = cw, TargetFlipDeg = q.TargetFlipDeg, LocalLimitWPerKg = q.LocalLimitWPerKg, GlobalLimitWPerKg = q.GlobalLimitWPerKg, GlobalRegion = gRegion,
            ChannelPeakPowerW = q.ChannelPeakPowerW, ChannelAveragePowerW = q.ChannelAveragePowerW,
            ChannelPeakPowersW = q.ChannelPeakPowersW?.ToArray(), ChannelAveragePowersW = q.ChannelAveragePowersW?.ToArray(), OriginalMatrices = count, OriginalSource = originalSource,
            Normalisation = norm.ToId(), Designs = results, WaveformFile = waveFile, SeqFile = seqFile, SeqCalibration = seqCal, Warnings = warnings,
            ElapsedS = settings.Time.GetElapsedTime(start).TotalSeconds, SarkitVersion = SarKitVersion.Current,
        };
        ResultJson.RequireFinite(result);
        return result;
    }

    private static double Norm2(Complex z) => z.Real * z.Real + z.Imaginary * z.Imaginary;

    // Σ_j c_j ‖w_j‖² (drive unit² per TR; times κ: time-averaged incident power).
    private static double AveragePower(Complex[] w, int n, double[] cw)
    {
        double s = 0;
        for (int j = 0; j < cw.Length; j++) for (int c = 0; c < n; c++) s += cw[j] * Norm2(w[j * n + c]);
        return s;
    }

    private static ((double X, double Y, double Z)[] K, string Name) Trajectory(SpokesRequest q, (double X, double Y, double Z)[] pos, string roiText)
    {
        if (q.KPositions is { } given)
        {
            if (given.Count != q.SubPulses) throw new SarKitInputException($"--k: {given.Count} positions for {q.SubPulses} sub-pulses.");
            foreach (var g in given)
                if (!double.IsFinite(g.X) || !double.IsFinite(g.Y) || !double.IsFinite(g.Z)) throw new SarKitInputException($"--k: position ({g.X}, {g.Y}, {g.Z}) is not finite.");
            return (given.ToArray(), "given");
        }
        double ext = 0;
        foreach (var f in new Func<(double X, double Y, double Z), double>[] { p => p.X, p => p.Y, p => p.Z })
            ext = Math.Max(ext, pos.Max(f) - pos.Min(f));
        double step = q.KStepRadPerM ?? (ext > 0 ? 2 * Math.PI / ext : 0);
        var dirs = new List<(double, double, double)> { (0, 0, 0) };
        if (q.Trajectory == "spokes")
        {
            // in-plane axes of the slice (normal = the axis of the slice; a mask without slice: z)
            int normal = roiText.Contains("slice x", StringComparison.Ordinal) ? 0 : roiText.Contains("slice y", StringComparison.Ordinal) ? 1 : 2;
            var axes = Enumerable.Range(0, 3).Where(i => i != normal).ToArray();
            static (double, double, double) Unit(int ax) => ax == 0 ? (1, 0, 0) : ax == 1 ? (0, 1, 0) : (0, 0, 1);
            var (u, v) = (Unit(axes[0]), Unit(axes[1]));
            var uv = (u.Item1 + v.Item1, u.Item2 + v.Item2, u.Item3 + v.Item3);
            dirs.AddRange([u, (-u.Item1, -u.Item2, -u.Item3), v, (-v.Item1, -v.Item2, -v.Item3), uv, (-uv.Item1, -uv.Item2, -uv.Item3)]);
        }
        else dirs.AddRange([(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]);
        if (q.SubPulses > dirs.Count)
            throw new SarKitInputException($"--sub-pulses {q.SubPulses}: the default {q.Trajectory} trajectory has {dirs.Count} positions; give the positions with --k.");
        return (dirs.Take(q.SubPulses).Select(d => (d.Item1 * step, d.Item2 * step, d.Item3 * step)).ToArray(), q.Trajectory);
    }

    // Certification against every original: Σ_j c_j w_jᴴQ_iw_j, global, channel powers; a violation is scaled to the limits and labelled.
    private static (Complex[] W, SpokesDesignResult R) Certify(string kind, string file, int setCount, int active, RfShimSolution sol, double setSar, Complex[] a, int nk, int n,
        (double X, double Y, double Z)[] kpos, double[] cw, double[] target, double[] originals, double[] globalQ, SpokesRequest q, double? kappa)
    {
        double[] peakLimit = q.PeakPowerLimits(n), averageLimit = q.AveragePowerLimits(n);
        (double Peak, int Arg, double Global, double Ratio) Measure(Complex[] x)
        {
            var qs = SpokesSystem.Evaluate(originals, n, x, cw);
            int arg = 0; for (int i = 1; i < qs.Length; i++) if (qs[i] > qs[arg]) arg = i;
            double peak = qs[arg], glob = SpokesSystem.Evaluate(globalQ, n, x, cw)[0];
            double ratio = peak / q.LocalLimitWPerKg;
            if (!double.IsFinite(ratio)) ratio = double.PositiveInfinity;
            if (q.GlobalLimitWPerKg > 0) ratio = Math.Max(ratio, glob / q.GlobalLimitWPerKg);
            if (kappa is { } kp)
                for (int c = 0; c < n; c++)
                {
                    double avg = 0;
                    for (int j = 0; j < cw.Length; j++)
                    {
                        double p = kp * Norm2(x[j * n + c]);
                        avg += cw[j] * p;
                        if (peakLimit[c] > 0) ratio = Math.Max(ratio, p / peakLimit[c]);
                    }
                    if (averageLimit[c] > 0) ratio = Math.Max(ratio, avg / averageLimit[c]);
                }
            return (peak, arg, glob, ratio);
        }
        var w = sol.W;
        var meas = Measure(w);
        bool certified = meas.Ratio <= 1, scaled = false;
        var written = w;
        if (!certified)
        {
            if (!double.IsFinite(meas.Ratio)) throw new InvalidOperationException("The optimised pulse has a non-finite SAR.");
            double s = 1 / Math.Sqrt(meas.Ratio) * (1 - 1e-9);
            written = w.Select(x => x * s).ToArray();
            meas = Measure(written);
            scaled = true;
            if (meas.Ratio > 1) throw new InvalidOperationException("Scaling a pulse to the limits did not meet them."); // quadratic forms: cannot happen
        }
        var z = new Complex[target.Length];
        RfShimSolver.MlsObjective(a, nk, target, written, 0, z);
        double mean = z.Average(x => x.Magnitude), sd = Math.Sqrt(z.Average(x => (x.Magnitude - mean) * (x.Magnitude - mean)));
        var subs = new List<SpokeWeightsResult>();
        for (int j = 0; j < cw.Length; j++)
            subs.Add(new SpokeWeightsResult([kpos[j].X, kpos[j].Y, kpos[j].Z], Enumerable.Range(0, n).Select(c => written[j * n + c].Magnitude).ToArray(),
                Enumerable.Range(0, n).Select(c => written[j * n + c].Phase * 180 / Math.PI).ToArray()));
        var r = new SpokesDesignResult
        {
            Constraints = kind, ConstraintFile = file.Length > 0 ? Path.GetFullPath(file) : "", ConstraintCount = setCount, ActiveConstraints = active,
            Nrmse = RfShimSolver.Nrmse(a, nk, target, written), CoefficientOfVariation = mean > 0 ? sd / mean : 0, MeanFlipDeg = mean,
            PeakSar10gWPerKg = meas.Peak, PeakCube = meas.Arg, ConstraintSar10gWPerKg = setSar, LimitFractionUsed = meas.Peak / q.LocalLimitWPerKg,
            GlobalSarWPerKg = meas.Global, AverageIncidentPowerW = kappa is { } k2 ? k2 * AveragePower(written, n, cw) : null, PowerRelativeToAll = null, NrmseExcessOverAll = null,
            Certified = certified, ScaledToLimit = scaled, SubPulses = subs, Iterations = sol.Iterations, NewtonSteps = sol.NewtonSteps, DirectNewtonSteps = sol.DirectNewtonSteps,
            SolveS = sol.ElapsedSeconds, SolveCpuS = sol.CpuSeconds,
        };
        return (written, r);
    }

    // The leading n×n principal block of a packed m×m Hermitian matrix.
    private static double[] Leading(double[] packed, int m, int n)
    {
        var full = HermitianPacking.Unpack(packed, m);
        var sub = new Complex[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) sub[i, j] = full[i, j];
        return HermitianPacking.Pack(sub);
    }

    private static IEnumerable<double[]> Split(double[] p, int mm) { for (int i = 0; i < p.Length / mm; i++) yield return p.AsSpan(i * mm, mm).ToArray(); }

    private static void Check(SpokesRequest q)
    {
        static void Pos(double v, string name, bool zeroOk = false)
        {
            if (!double.IsFinite(v) || v < 0 || (!zeroOk && v == 0)) throw new SarKitInputException($"{name} {v.ToString(Inv)}: expected a finite value {(zeroOk ? "≥ 0" : "> 0")}.");
        }
        q.CheckCommon("all", "vop", "vop-seeded", "mvie");
        Pos(q.TargetFlipDeg, "--target-deg");
        Pos(q.SubPulseDurationS, "--sub-pulse-duration"); Pos(q.GapS, "--gap", true); Pos(q.RepetitionTimeS, "--tr"); Pos(q.TimeBandwidth, "--tbw");
        if (q.KStepRadPerM is { } ks) Pos(ks, "--k-step", true);
        if (q.TargetFlipDeg > 90) throw new SarKitInputException($"--target-deg {q.TargetFlipDeg.ToString(Inv)}: the small-tip-angle design is valid for small flip angles; expected ≤ 90°.");
        if (q.SubPulses < 1 || q.SubPulses > 64) throw new SarKitInputException($"--sub-pulses {q.SubPulses}: expected 1 to 64.");
        if (q.Trajectory is not ("kt" or "spokes")) throw new SarKitInputException($"--trajectory '{q.Trajectory}': expected kt or spokes.");
        if (q.SubPulseDurationS > 1 || q.SubPulseDurationS < RfRasterS) throw new SarKitInputException($"--sub-pulse-duration {q.SubPulseDurationS.ToString(Inv)} s: expected 1 µs to 1 s.");
        if (q.SeqOutput is not null)
            foreach (var (v, name) in new[] { (q.SubPulseDurationS, "--sub-pulse-duration"), (q.GapS, "--gap"), (q.RepetitionTimeS, "--tr") })
                if (!OnPulseqBlockRaster(v))
                    throw new SarKitInputException($"{name} {v.ToString(Inv)} s: --seq-output needs a multiple of the 10 µs Pulseq block raster.");
        PulseDesignRequest.CheckOutput(q.WaveformOutput, "--waveform-output", ".csv");
        PulseDesignRequest.CheckOutput(q.SeqOutput, "--seq-output", ".seq");
    }

    /// <summary>True when <paramref name="seconds"/> is a multiple of the 10 µs Pulseq block raster (what <see cref="SpokesRequest.SeqOutput"/> needs of the sub-pulse duration, gap and TR).</summary>
    public static bool OnPulseqBlockRaster(double seconds) => double.IsFinite(seconds) && Math.Abs(seconds / BlockRasterS - Math.Round(seconds / BlockRasterS)) <= 1e-6;

    // One repetition: sub-pulse j = w_j·p(t), gaps of zeros between them, period_s = TR (1 µs raster).
    private static void WriteWaveform(string path, Complex[] w, int n, SubPulse pulse, SpokesRequest q, string unit, SpokesDesignResult d)
    {
        int gap = (int)Math.Round(q.GapS / RfRasterS), m = pulse.Samples.Length, kk = q.SubPulses;
        long samples = (long)kk * m + (long)(kk - 1) * gap;
        if (samples > 10_000_000) throw new SarKitInputException($"--waveform-output: {samples} samples at 1 µs (more than 10⁷).");
        var sb = new StringBuilder();
        sb.Append("# unit: ").Append(unit).Append('\n');
        sb.Append("# raster_s: ").Append(RfRasterS.ToString("R", Inv)).Append('\n');
        sb.Append("# samples: ").Append(samples.ToString(Inv)).Append('\n');
        sb.Append("# period_s: ").Append(q.RepetitionTimeS.ToString("R", Inv)).Append('\n');
        sb.Append("# ").Append(kk).Append("-sub-pulse pTx pulse from sarkit spokes ").Append(SarKitVersion.Current).Append(" (constraints ").Append(d.Constraints)
          .Append(d.ScaledToLimit ? ", SCALED to the limits: the optimised design violated a limit" : ", certified").Append("), repeated every period_s\n");
        sb.Append(string.Join(",", Enumerable.Range(1, n).Select(c => $"re_{c},im_{c}"))).Append('\n');
        var zero = string.Join(",", Enumerable.Repeat("0,0", n));
        for (int j = 0; j < kk; j++)
        {
            if (j > 0) for (int t = 0; t < gap; t++) sb.Append(zero).Append('\n');
            for (int t = 0; t < m; t++)
            {
                for (int c = 0; c < n; c++)
                {
                    var x = w[j * n + c] * pulse.Samples[t];
                    if (c > 0) sb.Append(',');
                    sb.Append(x.Real.ToString("R", Inv)).Append(',').Append(x.Imaginary.ToString("R", Inv));
                }
                sb.Append('\n');
            }
        }
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, sb.ToString()));
    }

    // Pulseq 1.5.1: one block per sub-pulse (RF event j with RF_SHIMS row j), gap blocks, a final delay to TR. RF amplitude
    // (Hz) = γ·max_n|w_{n,j}|·1 µT per drive unit, shim magnitudes |w_{n,j}|/max, so that with the calibration
    // "1 <unit>/uT" the drive is x_n = w_{n,j}·p(t) exactly.
    private static void WriteSeq(string path, Complex[] w, int n, SubPulse pulse, SpokesRequest q)
    {
        int kk = q.SubPulses, m = pulse.Samples.Length;
        long dPulse = (long)Math.Round(q.SubPulseDurationS / BlockRasterS), dGap = (long)Math.Round(q.GapS / BlockRasterS), dTr = (long)Math.Round(q.RepetitionTimeS / BlockRasterS);
        long rest = dTr - kk * dPulse - (kk - 1) * dGap;
        if (m * RfRasterS > dPulse * BlockRasterS + RfRasterS / 2) throw new InvalidOperationException("Sub-pulse longer than its block.");
        var sb = new StringBuilder();
        sb.Append("# Pulseq sequence file\n# ").Append(kk).Append("-sub-pulse pTx pulse from sarkit spokes ").Append(SarKitVersion.Current)
          .Append("; check with: sarkit seq check FILE --calibration '1 <drive unit>/uT' --q|--vops ...\n\n");
        sb.Append("[VERSION]\nmajor 1\nminor 5\nrevision 1\n\n");
        sb.Append("[DEFINITIONS]\nAdcRasterTime 1e-07\nBlockDurationRaster 1e-05\nGradientRasterTime 1e-05\nName sarkit_spokes\nRadiofrequencyRasterTime 1e-06\n\n");
        sb.Append("# NUM DUR RF  GX  GY  GZ  ADC  EXT\n[BLOCKS]\n");
        int id = 0;
        for (int j = 0; j < kk; j++)
        {
            if (j > 0 && dGap > 0) sb.Append(string.Create(Inv, $"{++id} {dGap} 0 0 0 0 0 0\n"));
            sb.Append(string.Create(Inv, $"{++id} {dPulse} {j + 1} 0 0 0 0 {j + 1}\n"));
        }
        if (rest > 0) sb.Append(string.Create(Inv, $"{++id} {rest} 0 0 0 0 0 0\n"));
        sb.Append("\n# id ampl. mag_id phase_id time_shape_id center delay freqPPM phasePPM freq phase use\n[RF]\n");
        var maxes = new double[kk];
        for (int j = 0; j < kk; j++)
        {
            for (int c = 0; c < n; c++) maxes[j] = Math.Max(maxes[j], w[j * n + c].Magnitude);
            double amp = DriveCalibration.Gamma1H * maxes[j] * 1e-6;
            sb.Append(string.Create(Inv, $"{j + 1} {amp:R} 1 2 0 {m * RfRasterS * 1e6 / 2:R} 0 0 0 0 0 e\n"));
        }
        sb.Append("\n# id type ref next_id\n[EXTENSIONS]\n");
        for (int j = 0; j < kk; j++) sb.Append(string.Create(Inv, $"{j + 1} 1 {j + 1} 0\n"));
        sb.Append("\nextension RF_SHIMS 1\n");
        for (int j = 0; j < kk; j++)
        {
            sb.Append(string.Create(Inv, $"{j + 1} {n}"));
            for (int c = 0; c < n; c++)
            {
                var x = w[j * n + c];
                double mag = maxes[j] > 0 ? x.Magnitude / maxes[j] : 0;
                sb.Append(string.Create(Inv, $" {mag:R} {x.Phase:R}"));
            }
            sb.Append('\n');
        }
        sb.Append("\n[SHAPES]\n\nshape_id 1\nnum_samples ").Append(m).Append('\n');
        foreach (var p in pulse.Samples) sb.Append(Math.Abs(p).ToString("R", Inv)).Append('\n');
        sb.Append("\nshape_id 2\nnum_samples ").Append(m).Append('\n');
        foreach (var p in pulse.Samples) sb.Append(p < 0 ? "0.5\n" : "0\n");
        // [SIGNATURE]: MD5 of everything before the line break that precedes the section (Pulseq's own signing rule)
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
        sb.Append("\n[SIGNATURE]\n# This is the hash of the Pulseq file, calculated right before the [SIGNATURE] section was added\nType md5\nHash ").Append(hash).Append('\n');
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, sb.ToString()));
    }
}
