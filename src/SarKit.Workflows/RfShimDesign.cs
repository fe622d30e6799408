using System.Globalization;
using System.Numerics;
using System.Text;
using SarKit.Compression;
using SarKit.Constraints;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Reporting;
using SarKit.Sar;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="RfShimDesign.Run"/> designs (options of <c>sarkit shim</c>, docs/pulse-design.md).</summary>
public sealed record RfShimRequest : PulseDesignRequest
{
    /// <summary>Target |B1+| in the region, µT.</summary>
    public double TargetUt { get; init; } = 1.0;
    /// <summary>Fraction of time the shim is transmitted, (0, 1].</summary>
    public double DutyCycle { get; init; } = 1;
    /// <summary>Drive JSON to write (the first design), accepted by <c>sarkit sar --drive</c>; null: none.</summary>
    public string? DriveOutput { get; init; }
    /// <summary>Waveform CSV to write (the first design as a block pulse repeated every duration/duty), accepted by <c>sarkit pulse check</c>; null: none.</summary>
    public string? WaveformOutput { get; init; }
    /// <summary>Block pulse duration of the waveform file, s.</summary>
    public double PulseDurationS { get; init; } = 1e-3;
}

/// <summary>
/// RF shimming under certified local-SAR limits (<c>sarkit shim</c>, docs/pulse-design.md): per-channel B1+ maps
/// (<see cref="B1PlusMap"/>), a region of interest, and the magnitude-least-squares shim (<see cref="RfShimSolver"/>)
/// subject to duty·wᴴQ_iw ≤ local limit for the chosen local constraint set (every original 10 g Q-matrix by row
/// generation, a VOP set, or the MVIE), duty·wᴴQ_gw ≤ global limit (region Q, <see cref="RegionQ"/>) and per-channel
/// peak/average incident power. Every design is then certified against every original 10 g Q-matrix (IEC/IEEE 62704-1
/// cubes; true peak 10 g SAR); a design that violates a limit there is never reported as valid: it is scaled down to the
/// limits and labelled <see cref="ShimDesignResult.ScaledToLimit"/>, and <see cref="RfShimResult.Passed"/> is false when
/// that happens to the written design. A circularly polarised reference drive, scaled to the best amplitude within the
/// limits, is reported last.
/// </summary>
public static class RfShimDesign
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs the design(s), writes the requested files and returns the result.</summary>
    public static RfShimResult Run(RfShimRequest q, SarKitSettings? settings = null, IProgress<StageReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        settings ??= SarKitSettings.Default;
        long start = settings.Time.GetTimestamp();
        Check(q);
        DatasetFiles.RequireExisting(q.FieldsPath);
        var ds = progress.Run("Reading dataset", _ => DatasetFiles.Open(q.FieldsPath));
        int n = ds.Channels;
        var norm = ds.E.Normalisation;
        var warnings = new List<string>();
        var (b1, origin) = progress.Run("B1+ maps", _ => B1PlusMap.For(ds, q.Sense));
        if (origin == B1PlusMap.Origin.FromCurlE)
            warnings.Add("B1+ derived from E by Faraday's law with finite differences (no H or B1+ in the dataset): accurate inside homogeneous tissue, O(1) errors in the voxels next to tissue interfaces.");
        var (roi, roiText) = Region(ds, q);
        var a = new Complex[roi.Length * n];
        for (int r = 0; r < roi.Length; r++)
            for (int c = 0; c < n; c++) a[r * n + c] = b1.Get(c, 0, roi[r]) * 1e6; // µT per drive unit
        var target = Enumerable.Repeat(q.TargetUt, roi.Length).ToArray();

        // Originals (every 10 g Q-matrix) for row generation and certification.
        var (originals, originalSource) = LoadOriginals(q.QPath, q.FieldsPath, ds, n, norm, warnings, progress);
        int nn = n * n, count = originals.Length / nn;
        if (count == 0) throw new SarKitInputException($"{q.FieldsPath}: no 10 g Q-matrices (no tissue?).") { SourceFile = q.FieldsPath };
        cancellation.ThrowIfCancellationRequested();

        // Global region and power constraints (always in the barrier), each scaled to "≤ 1".
        bool[]? gMask = ds.Tissue.Masks.TryGetValue(q.GlobalRegion, out var m) ? m : null;
        string gRegion = gMask is null ? "tissue" : q.GlobalRegion;
        var gq = RegionQ.Compute(gRegion, ds.Tissue, ds.E, gMask, settings);
        var always = new List<double[]>();
        if (q.GlobalLimitWPerKg > 0) always.Add(Scale(gq.Packed, q.DutyCycle / q.GlobalLimitWPerKg));
        double? kappa = PulseDesignRequest.PowerPerDriveUnitSquared(norm);
        if (q.HasPowerLimits(n) && kappa is null)
            throw new SarKitInputException($"Channel power limits need fields normalised per incident volt or √W; '{q.FieldsPath}' is {norm.ToId()}.") { SourceFile = q.FieldsPath };
        if (kappa is { } kp)
        {
            double[] peakLimit = q.PeakPowerLimits(n), averageLimit = q.AveragePowerLimits(n);
            for (int c = 0; c < n; c++)
            {
                double d = Math.Max(peakLimit[c] > 0 ? kp / peakLimit[c] : 0, averageLimit[c] > 0 ? kp * q.DutyCycle / averageLimit[c] : 0);
                if (d > 0) { var e = new double[nn]; e[c] = d; always.Add(e); }
            }
        }
        var localScale = q.DutyCycle / q.LocalLimitWPerKg;
        var scaledOriginals = Scale(originals, localScale);
        string originalsHash = VopSet.HashMatrices(originals);

        var designs = new List<(string Kind, string File, double[] Set, ShimDesignResult? R)>();
        var results = new List<ShimDesignResult>();
        ShimMviePowerResult? mviePower = null;
        Complex[]? allW = null; double? allNrmse = null;
        var opts = q.SolverOptions();
        foreach (var spec in q.Constraints)
        {
            cancellation.ThrowIfCancellationRequested();
            var (kind, file) = ParseSpec(spec);
            double[] set; int setCount; bool rowGen = kind == "all", seeded = kind == "vop-seeded";
            switch (kind)
            {
                case "all": set = originals; setCount = count; break;
                case "vop" or "vop-seeded":
                {
                    var v = VopSetFile.Read(file);
                    if (v.Channels != n) throw new SarKitInputException($"--constraints vop={file}: {v.Channels} channels, the dataset has {n}.") { SourceFile = file };
                    if (v.SourceSha256.Length > 0 && !string.Equals(v.SourceSha256, originalsHash, StringComparison.OrdinalIgnoreCase))
                        warnings.Add($"VOP set {Path.GetFileName(file)} was compressed from other matrices than the originals used here (source SHA-256 differs); the design is still certified against these originals.");
                    set = v.Packed; setCount = v.Count; break;
                }
                default:
                {
                    var mv = MvieFile.Read(file);
                    if (mv.Channels != n) throw new SarKitInputException($"--constraints mvie={file}: {mv.Channels} channels, the dataset has {n}.") { SourceFile = file };
                    if (!mv.CertificatePassed) warnings.Add($"MVIE file {Path.GetFileName(file)} has no passed certificate; the design is certified against the originals here.");
                    set = mv.Packed; setCount = 1;
                    var loss = MviePowerLoss.Sample(originals, n, mv.Packed, 500, 1);
                    mviePower = new ShimMviePowerResult(loss.Samples, loss.MeanFraction, loss.MinFraction, loss.MaxFraction);
                    break;
                }
            }
            var sol = progress.Run($"Shim ({kind}, {setCount:N0} constraints)", _ =>
                rowGen ? RfShimSolver.Solve(a, n, target, always, scaledOriginals, opts, cancellation)
                // a large set (VOPs at a small margin) by row generation as well: same optimum, few matrices in the barrier
                : setCount > opts.RowGenerationAbove ? RfShimSolver.Solve(a, n, target, always, Scale(set, localScale), opts, cancellation)
                : RfShimSolver.Solve(a, n, target, always.Concat(Split(Scale(set, localScale), nn)).ToList(), null, opts, cancellation));
            if (seeded)
            {
                // Polish against every original from the VOP design (one start: the VOP design already chose among the starts).
                var vopSol = sol;
                var pol = progress.Run($"Polish against {count:N0} originals", _ =>
                    RfShimSolver.Solve(a, n, target, always, scaledOriginals, opts with { Starts = 1, InitialWeights = vopSol.W }, cancellation));
                sol = pol with
                {
                    Iterations = vopSol.Iterations + pol.Iterations, NewtonSteps = vopSol.NewtonSteps + pol.NewtonSteps, Rounds = vopSol.Rounds + pol.Rounds,
                    ElapsedSeconds = vopSol.ElapsedSeconds + pol.ElapsedSeconds, CpuSeconds = vopSol.CpuSeconds + pol.CpuSeconds,
                };
                // The design is optimised against the originals: its own constraint set is the originals.
                set = originals;
                rowGen = true;
            }
            double constraintSar = 0;
            var qs = ShimQcqp.Evaluate(set, n, sol.W);
            foreach (var x in qs) constraintSar = Math.Max(constraintSar, x * q.DutyCycle);
            var res = Certify(kind, file, seeded ? count : setCount, rowGen ? sol.ActiveConstraints - always.Count : setCount, sol.W, constraintSar, sol, a, n, target, originals, gq.Packed, q, kappa);
            if (kind == "all") { allW = res.W; allNrmse = res.R.Nrmse; }
            designs.Add((kind, file, set, res.R));
        }
        // relative to the all-matrices design
        foreach (var d in designs)
        {
            var r = d.R!;
            if (allW is not null && allNrmse is { } an)
            {
                double pAll = allW.Sum(x => x.Magnitude * x.Magnitude), p = r.Amplitude.Sum(x => x * x);
                r = r with { PowerRelativeToAll = pAll > 0 ? p / pAll : null, NrmseExcessOverAll = r.Nrmse - an };
            }
            results.Add(r);
        }
        // circularly polarised reference drive at the best amplitude within every limit
        {
            var cp = DriveText.Cp(n, norm).Amplitudes.ToArray();
            var z = new Complex[roi.Length];
            RfShimSolver.MlsObjective(a, n, target, cp, 0, z);
            double num = 0, den = 0;
            for (int r = 0; r < roi.Length; r++) { num += target[r] * z[r].Magnitude; den += z[r].Norm2(); }
            double best = den > 0 ? num / den : 0;
            double worst = 0;
            foreach (var x in ShimQcqp.Evaluate(scaledOriginals, n, cp)) worst = Math.Max(worst, x);
            foreach (var c in always) worst = Math.Max(worst, ShimQcqp.Quad(c, cp));
            double alpha = Math.Min(best, worst > 0 ? Math.Sqrt(1 / worst) * (1 - 1e-9) : best);
            var w = cp.Select(x => x * alpha).ToArray();
            var sol = new RfShimSolution { W = w, Objective = 0, StartObjectives = [], Iterations = 0, NewtonSteps = 0, Rounds = 0, ActiveConstraints = 0, MaxConstraintRatio = 0, ElapsedSeconds = 0 };
            var peak = ShimQcqp.Evaluate(originals, n, w).Max() * q.DutyCycle;
            var c0 = Certify("cp", "", 0, 0, w, peak, sol, a, n, target, originals, gq.Packed, q, kappa).R;
            if (allW is not null && allNrmse is { } an)
                c0 = c0 with { PowerRelativeToAll = w.Sum(x => x.Norm2()) / allW.Sum(x => x.Norm2()), NrmseExcessOverAll = c0.Nrmse - an };
            results.Add(c0);
        }
        var first = results[0];
        string driveFile = "", waveFile = "";
        if (q.DriveOutput is { } dOut) { WriteDrive(dOut, first, norm); driveFile = Path.GetFullPath(dOut); }
        if (q.WaveformOutput is { } wOut) { WriteWaveform(wOut, first, norm, q); waveFile = Path.GetFullPath(wOut); }
        var result = new RfShimResult
        {
            Passed = first.Certified && !first.ScaledToLimit, InputFile = Path.GetFullPath(q.FieldsPath),
            B1Origin = origin switch { B1PlusMap.Origin.Stored => "stored", B1PlusMap.Origin.FromH => "from_h", _ => "from_curl_e" },
            B1Convention = q.Sense == B1RotationSense.CounterClockwise ? "counterclockwise" : "clockwise",
            Roi = roiText, RoiVoxels = roi.Length, TargetUt = q.TargetUt, LocalLimitWPerKg = q.LocalLimitWPerKg, GlobalLimitWPerKg = q.GlobalLimitWPerKg,
            GlobalRegion = gRegion, ChannelPeakPowerW = q.ChannelPeakPowerW, ChannelAveragePowerW = q.ChannelAveragePowerW,
            ChannelPeakPowersW = q.ChannelPeakPowersW?.ToArray(), ChannelAveragePowersW = q.ChannelAveragePowersW?.ToArray(), DutyCycle = q.DutyCycle,
            OriginalMatrices = count, OriginalSource = originalSource, Normalisation = norm.ToId(), Designs = results, MviePowerFraction = mviePower,
            DriveFile = driveFile, WaveformFile = waveFile, Warnings = warnings,
            ElapsedS = settings.Time.GetElapsedTime(start).TotalSeconds, SarkitVersion = SarKitVersion.Current,
        };
        ResultJson.RequireFinite(result);
        return result;
    }

    private static double Norm2(this Complex z) => z.Real * z.Real + z.Imaginary * z.Imaginary;

    // Certification against every original: the drive written satisfies every limit, or it is scaled to them and labelled.
    private static (Complex[] W, ShimDesignResult R) Certify(string kind, string file, int setCount, int active, Complex[] w, double constraintSar, RfShimSolution sol,
        Complex[] a, int n, double[] target, double[] originals, double[] globalQ, RfShimRequest q, double? kappa)
    {
        double[] peakLimit = q.PeakPowerLimits(n), averageLimit = q.AveragePowerLimits(n);
        (double Peak, int Arg, double Global, double Ratio) Measure(Complex[] x)
        {
            var qs = ShimQcqp.Evaluate(originals, n, x);
            int arg = 0; for (int i = 1; i < qs.Length; i++) if (qs[i] > qs[arg]) arg = i;
            double peak = qs[arg] * q.DutyCycle, glob = ShimQcqp.Quad(globalQ, x) * q.DutyCycle;
            double ratio = peak / q.LocalLimitWPerKg;
            if (q.GlobalLimitWPerKg > 0) ratio = Math.Max(ratio, glob / q.GlobalLimitWPerKg);
            if (kappa is { } kp)
                for (int c = 0; c < x.Length; c++)
                {
                    if (peakLimit[c] > 0) ratio = Math.Max(ratio, kp * x[c].Norm2() / peakLimit[c]);
                    if (averageLimit[c] > 0) ratio = Math.Max(ratio, kp * x[c].Norm2() * q.DutyCycle / averageLimit[c]);
                }
            return (peak, arg, glob, ratio);
        }
        var meas = Measure(w);
        bool certified = meas.Ratio <= 1, scaled = false;
        var written = w;
        if (!certified)
        {
            double s = 1 / Math.Sqrt(meas.Ratio) * (1 - 1e-9);
            written = w.Select(x => x * s).ToArray();
            meas = Measure(written);
            scaled = true;
            if (meas.Ratio > 1) throw new InvalidOperationException("Scaling a drive to the limits did not meet them."); // quadratic forms: cannot happen
        }
        var z = new Complex[target.Length];
        RfShimSolver.MlsObjective(a, n, target, written, 0, z);
        double mean = z.Average(x => x.Magnitude), sd = Math.Sqrt(z.Average(x => (x.Magnitude - mean) * (x.Magnitude - mean)));
        double truePeakOptimised = ShimQcqp.Evaluate(originals, n, w).Max() * q.DutyCycle;
        var r = new ShimDesignResult
        {
            Constraints = kind, ConstraintFile = file.Length > 0 ? Path.GetFullPath(file) : "", ConstraintCount = kind == "all" ? originals.Length / (n * n) : setCount,
            ActiveConstraints = active, Nrmse = RfShimSolver.Nrmse(a, n, target, written), CoefficientOfVariation = mean > 0 ? sd / mean : 0, MeanB1Ut = mean,
            PeakSar10gWPerKg = meas.Peak, PeakCube = meas.Arg, ConstraintSar10gWPerKg = constraintSar, LimitFractionUsed = meas.Peak / q.LocalLimitWPerKg,
            GlobalSarWPerKg = meas.Global, IncidentPowerW = kappa is { } k2 ? k2 * written.Sum(x => x.Norm2()) : null, PowerRelativeToAll = null, NrmseExcessOverAll = null,
            DirectionPowerFraction = constraintSar > 0 ? Math.Min(1, truePeakOptimised / constraintSar) : 1,
            Certified = certified, ScaledToLimit = scaled,
            Amplitude = written.Select(x => x.Magnitude).ToArray(), PhaseDeg = written.Select(x => x.Phase * 180 / Math.PI).ToArray(),
            Iterations = sol.Iterations, NewtonSteps = sol.NewtonSteps, SolveS = sol.ElapsedSeconds, SolveCpuS = sol.CpuSeconds,
        };
        return (written, r);
    }

    private static void Check(RfShimRequest q)
    {
        q.CheckCommon("all", "vop", "vop-seeded", "mvie");
        if (!double.IsFinite(q.TargetUt) || !(q.TargetUt > 0)) throw new SarKitInputException($"--target-ut {q.TargetUt.ToString(Inv)}: expected a finite value > 0.");
        if (!double.IsFinite(q.PulseDurationS) || !(q.PulseDurationS > 0)) throw new SarKitInputException($"--pulse-duration {q.PulseDurationS.ToString(Inv)}: expected a finite value > 0.");
        if (!(q.DutyCycle > 0 && q.DutyCycle <= 1)) throw new SarKitInputException($"--duty-cycle {q.DutyCycle.ToString(Inv)}: expected a fraction in (0, 1].");
        PulseDesignRequest.CheckOutput(q.DriveOutput, "--drive-output", ".json");
        PulseDesignRequest.CheckOutput(q.WaveformOutput, "--waveform-output", ".csv");
    }

    /// <summary>Parses a constraint-set text: "all", "vop=FILE" or "mvie=FILE".</summary>
    public static (string Kind, string File) ParseSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var t = spec.Trim();
        if (t.Equals("all", StringComparison.OrdinalIgnoreCase)) return ("all", "");
        var kv = t.Split('=', 2);
        if (kv.Length == 2 && kv[1].Length > 0 && kv[0].Trim().ToLowerInvariant() is "vop" or "mvie" or "vop-seeded") return (kv[0].Trim().ToLowerInvariant(), kv[1].Trim());
        throw new SarKitInputException($"--constraints '{spec}': expected all, vop=FILE, vop-seeded=FILE or mvie=FILE.");
    }

    /// <summary>
    /// The original 10 g Q-matrices a design is row-generated and certified against: read from <paramref name="qPath"/>
    /// (channels and drive normalisation must match the dataset; a mass other than 10 g is a warning) or computed from the
    /// dataset (IEC/IEEE 62704-1, 10 g). Refuses an empty set. Shared by <see cref="RfShimDesign"/> and <see cref="SpokesDesign"/>.
    /// </summary>
    internal static (double[] Packed, string Source) LoadOriginals(string? qPath, string fieldsPath, SarDataset ds, int n, FieldNormalisation norm,
                                                                  List<string> warnings, IProgress<StageReport>? progress)
    {
        if (qPath is { } qp)
        {
            if (!File.Exists(qp)) throw new SarKitInputException($"--q '{qp}': file does not exist.") { SourceFile = qp };
            var set = progress.Run("Reading Q-matrices", _ => QMatrixSetFile.Read(qp));
            if (set.Channels != n) throw new SarKitInputException($"--q '{qp}': {set.Channels} channels, the dataset has {n}.") { SourceFile = qp };
            if (set.Normalisation != FieldNormalisation.Unspecified && norm != FieldNormalisation.Unspecified && set.Normalisation != norm)
                throw new SarKitInputException($"--q '{qp}': matrices are per {set.Normalisation.ToId()}, the dataset is {norm.ToId()}.") { SourceFile = qp };
            if (set.TargetMassKg is not (> 0.0099 and < 0.0101)) warnings.Add($"--q '{qp}': averaging mass {set.TargetMassKg * 1000:G4} g, not 10 g.");
            if (set.Count == 0) throw new SarKitInputException($"--q '{qp}': no Q-matrices.") { SourceFile = qp };
            return (set.Packed, Path.GetFullPath(qp));
        }
        var prep = progress.Run("Averaging cubes (10 g)", p => PreparedAveraging.Prepare(ds, 0.010, null, p));
        var packed = progress.Run("Averaged Q-matrices", p => prep.QSet(p)).AllPacked.ToArray();
        if (packed.Length == 0) throw new SarKitInputException($"{fieldsPath}: no 10 g Q-matrices (no tissue?).") { SourceFile = fieldsPath };
        return (packed, "computed from the dataset (IEC/IEEE 62704-1, 10 g)");
    }

    internal static (int[] Voxels, string Text) Region(SarDataset ds, PulseDesignRequest q)
    {
        var g = ds.Grid;
        var sel = ds.Tissue.TissueMask();
        var parts = new List<string>();
        if (q.RoiMask is { } mk)
        {
            if (!ds.Tissue.Masks.TryGetValue(mk, out var mm))
                throw new SarKitInputException($"--roi-mask '{mk}': the dataset has no such mask (masks: {string.Join(", ", ds.Tissue.Masks.Keys.DefaultIfEmpty("none"))}).") { SourceFile = ds.Source };
            for (int v = 0; v < sel.Length; v++) sel[v] &= mm[v];
            parts.Add($"mask {mk}");
        }
        if (q.Slice is not null || q.RoiMask is null)
        {
            int axis = 2; int index;
            if (q.Slice is { } s)
            {
                var kv = s.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2 || kv[0].ToLowerInvariant() is not ("x" or "y" or "z") || !double.TryParse(kv[1].Replace("mm", "", StringComparison.OrdinalIgnoreCase), NumberStyles.Float, Inv, out var mmPos) || !double.IsFinite(mmPos))
                    throw new SarKitInputException($"--slice '{s}': expected x|y|z=<position in mm>, e.g. z=0.");
                axis = kv[0].ToLowerInvariant()[0] - 'x';
                int len = axis switch { 0 => g.Nx, 1 => g.Ny, _ => g.Nz };
                double pos = mmPos / 1000;
                double Centre(int i) => axis switch { 0 => g.CentreX(i), 1 => g.CentreY(i), _ => g.CentreZ(i) };
                double lo = axis switch { 0 => g.EdgesX[0], 1 => g.EdgesY[0], _ => g.EdgesZ[0] }, hi = axis switch { 0 => g.EdgesX[^1], 1 => g.EdgesY[^1], _ => g.EdgesZ[^1] };
                if (pos < lo || pos > hi) throw new SarKitInputException($"--slice '{s}': {mmPos} mm is outside the grid ({lo * 1000:G6} to {hi * 1000:G6} mm along {kv[0]}).");
                index = Enumerable.Range(0, len).MinBy(i => Math.Abs(Centre(i) - pos));
            }
            else index = g.Nz / 2;
            double c = axis switch { 0 => g.CentreX(index), 1 => g.CentreY(index), _ => g.CentreZ(index) };
            for (int v = 0; v < sel.Length; v++)
            {
                var (i, j, k) = g.Unravel(v);
                if ((axis switch { 0 => i, 1 => j, _ => k }) != index) sel[v] = false;
            }
            parts.Add(string.Create(Inv, $"slice {"xyz"[axis]} = {c * 1000:G6} mm (index {index})"));
        }
        var vox = Enumerable.Range(0, sel.Length).Where(v => sel[v]).ToArray();
        if (vox.Length == 0) throw new SarKitInputException($"The region of interest ({string.Join(", ", parts)}) contains no tissue voxel.") { SourceFile = ds.Source };
        parts.Add("tissue only");
        return (vox, string.Join(", ", parts));
    }

    private static double[] Scale(double[] p, double s) { var r = new double[p.Length]; for (int i = 0; i < p.Length; i++) r[i] = p[i] * s; return r; }

    private static IEnumerable<double[]> Split(double[] p, int nn) { for (int i = 0; i < p.Length / nn; i++) yield return p.AsSpan(i * nn, nn).ToArray(); }

    private static void WriteDrive(string path, ShimDesignResult d, FieldNormalisation norm)
    {
        var sb = new StringBuilder();
        string Arr(double[] x) => "[" + string.Join(", ", x.Select(v => v.ToString("R", Inv))) + "]";
        sb.Append("{\n  \"normalisation\": \"").Append(norm.ToId()).Append("\",\n");
        sb.Append("  \"amplitude\": ").Append(Arr(d.Amplitude)).Append(",\n");
        sb.Append("  \"phase_deg\": ").Append(Arr(d.PhaseDeg)).Append(",\n");
        sb.Append("  \"generator\": \"sarkit shim ").Append(SarKitVersion.Current).Append("\",\n");
        sb.Append("  \"constraints\": \"").Append(d.Constraints).Append("\",\n");
        sb.Append("  \"certified\": ").Append(d.Certified ? "true" : "false").Append(",\n");
        sb.Append("  \"scaled_to_limit\": ").Append(d.ScaledToLimit ? "true" : "false").Append("\n}\n");
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, sb.ToString()));
    }

    private static void WriteWaveform(string path, ShimDesignResult d, FieldNormalisation norm, RfShimRequest q)
    {
        string unit = norm switch
        {
            FieldNormalisation.PerVoltIncident => "V",
            FieldNormalisation.PerSqrtWattIncident => "sqrt(W)",
            FieldNormalisation.PerAmpere => "A",
            _ => throw new SarKitInputException($"--waveform-output: the dataset's drive unit ({norm.ToId()}) has no waveform unit; use a dataset normalised per incident volt, √W or ampere."),
        };
        double raster = 1e-5;
        int samples = Math.Max(1, (int)Math.Round(q.PulseDurationS / raster));
        if (samples > 10_000_000) throw new SarKitInputException($"--pulse-duration {q.PulseDurationS.ToString(Inv)} s: more than 10⁷ samples at 10 µs.");
        double period = samples * raster / q.DutyCycle;
        var sb = new StringBuilder();
        sb.Append("# unit: ").Append(unit).Append('\n');
        sb.Append("# raster_s: ").Append(raster.ToString("R", Inv)).Append('\n');
        sb.Append("# samples: ").Append(samples.ToString(Inv)).Append('\n');
        sb.Append("# period_s: ").Append(period.ToString("R", Inv)).Append('\n');
        sb.Append("# RF shim from sarkit shim (constraints ").Append(d.Constraints).Append("): a block pulse, repeated every period_s\n");
        sb.Append(string.Join(",", Enumerable.Range(1, d.Amplitude.Length).Select(c => $"re_{c},im_{c}"))).Append('\n');
        var row = string.Join(",", d.Amplitude.Select((x, c) => Complex.FromPolarCoordinates(x, d.PhaseDeg[c] * Math.PI / 180))
            .Select(z => z.Real.ToString("R", Inv) + "," + z.Imaginary.ToString("R", Inv)));
        for (int t = 0; t < samples; t++) sb.Append(row).Append('\n');
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, sb.ToString()));
    }
}
