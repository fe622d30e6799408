using System.Globalization;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Formats;
using SarKit.Plotting;
using SarKit.Sar;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="PeakSarEvaluation.Run"/> evaluates: a dataset file, a drive and the averaging.</summary>
public sealed record PeakSarRequest
{
    /// <summary>Dataset file (.h5, .mat, .npz).</summary>
    public required string FieldsPath { get; init; }
    /// <summary>Drive text (<see cref="DriveText.Parse"/>): "a0@p0,…", a .json drive file, or "cp".</summary>
    public required string Drive { get; init; }
    /// <summary>Name of the drive in error messages (the CLI passes <c>--drive</c>).</summary>
    public string DriveLabel { get; init; } = "drive";
    /// <summary>Averaging mass, kg (IEC/IEEE 62704-1; 0.01 for 10 g); null for point SAR.</summary>
    public double? MassKg { get; init; } = 0.010;
    /// <summary>Search the peak only inside this mask (e.g. body, head); null for the whole model.</summary>
    public string? Region { get; init; }
    /// <summary>Air voxels added on every side before averaging; null for what the model's air margin lacks (<see cref="AirPadding.Needed"/>).</summary>
    public int? AirPaddingCells { get; init; }
    /// <summary>Write the SAR maps to this .h5/.hdf5/.npz/.mat file (<see cref="SarMapsFile"/>); null for none.</summary>
    public string? OutputPath { get; init; }
    /// <summary>Write the picture of the reported map's slice through the peak (normal z, <see cref="PeakSarEvaluation.SlicePlot"/>) to this .png/.svg file; null for none.</summary>
    public string? PlotPath { get; init; }
}

/// <summary>How <see cref="PeakSarEvaluation.Prepare"/> prepares a dataset.</summary>
public sealed record PeakSarPreparation
{
    /// <summary>Air voxels added on every side before averaging; null for <see cref="AirPadding.Needed"/>.</summary>
    public int? AirPaddingCells { get; init; }
    /// <summary>
    /// Formerly: on a graded grid, fall back to point SAR instead of refusing. Graded (rectilinear) grids are now averaged
    /// like uniform ones (<see cref="AveragingCubeSet.IsRectilinear"/>), so this option no longer changes anything.
    /// </summary>
    public bool PointSarOnGradedGrid { get; init; }
    /// <summary>Also compute the averaged Q-matrix set (<see cref="PeakSarEvaluation.AveragedQ"/>) for later VOP compression or supervision.</summary>
    public bool AveragedQMatrices { get; init; }
}

/// <summary>One drive evaluated by <see cref="PeakSarEvaluation.Evaluate"/>: the result and the maps behind it.</summary>
public sealed class PeakSarOutcome
{
    /// <summary>The result (<c>sarkit sar --json</c>).</summary>
    public required PeakSarResult Result { get; init; }
    /// <summary>The drive evaluated.</summary>
    public required DriveVector Drive { get; init; }
    /// <summary>Point SAR σ|E|²/(2ρ) per voxel of the dataset's grid (0 outside tissue), W/kg.</summary>
    public required double[] PointSar { get; init; }
    /// <summary>Linear index of the peak of <see cref="PointSar"/> over the whole model.</summary>
    public required int PointPeakVoxel { get; init; }
    /// <summary>IEC/IEEE 62704-1 mass-averaged SAR per voxel of the dataset's grid, W/kg; null for point SAR.</summary>
    public double[]? AveragedSar { get; init; }
    /// <summary>Voxel status on the dataset's grid; null for point SAR.</summary>
    public VoxelStatus[]? Status { get; init; }
    /// <summary>Linear index of the reported peak (<see cref="PeakSarResult.PeakVoxelIndex"/>).</summary>
    public required int PeakVoxel { get; init; }
    /// <summary>Absorbed power over all tissue divided by the tissue mass, W/kg.</summary>
    public required double TissueAverageSarWPerKg { get; init; }
    /// <summary>Tissue mass, kg.</summary>
    public required double TissueMassKg { get; init; }
}

/// <summary>
/// Peak SAR of a drive, the one pipeline behind <c>sarkit sar</c>, the web SAR viewer and the demo: point SAR
/// SAR = σ|E|²/(2ρ) (<see cref="LocalSar"/>), its IEC/IEEE 62704-1 mass average over the cubes of the air-padded model
/// (<see cref="PreparedAveraging"/>, <see cref="SpatialAverage"/>), the peak (inside a region mask when given) with
/// its cube, whole-body and head SAR and the absorbed power Σ σ|E|²V/2 (<see cref="RegionQ"/>), and the incident
/// power (<see cref="IncidentPower"/>). <see cref="Prepare"/> does the per-dataset work once (padding, averaging
/// cubes, optionally the averaged Q-matrices); <see cref="Evaluate"/> is then cheap for each drive, so a prepared
/// instance can be cached (the web app keeps one per dataset and mass). <see cref="Run"/> is the whole file-to-result
/// use case.
/// </summary>
public sealed class PeakSarEvaluation
{
    private readonly Lazy<(RegionQ WholeBody, RegionQ? Head, RegionQ Tissue)> _regions;

    private PeakSarEvaluation(SarDataset ds, PreparedAveraging? averaging, AveragedQMatrixSet? aq, string? why)
    {
        Dataset = ds; Averaging = averaging; AveragedQ = aq; AveragingUnavailableReason = why;
        _regions = new(() =>
        {
            var t = ds.Tissue;
            var body = t.Masks.TryGetValue(TissueModel.BodyMask, out var bm) ? bm : null;
            var wb = RegionQ.Compute("body", t, ds.E, body);
            var head = t.Masks.TryGetValue(TissueModel.HeadMask, out var hm) ? RegionQ.Compute("head", t, ds.E, hm) : null;
            var all = body is null ? wb : RegionQ.Compute("tissue", t, ds.E, null);
            return (wb, head, all);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The dataset.</summary>
    public SarDataset Dataset { get; }
    /// <summary>The prepared averaging; null for point SAR.</summary>
    public PreparedAveraging? Averaging { get; }
    /// <summary>Averaged Q-matrices on the padded grid (<see cref="PeakSarPreparation.AveragedQMatrices"/>); else null.</summary>
    public AveragedQMatrixSet? AveragedQ { get; }
    /// <summary>Why averaging is unavailable (no mass asked); null when averaging.</summary>
    public string? AveragingUnavailableReason { get; }
    /// <summary>Averaging mass, kg; null for point SAR.</summary>
    public double? MassKg => Averaging?.Options.TargetMassKg;
    /// <summary>Air padding of the averaging (none for point SAR).</summary>
    public AirPadding Padding => Averaging?.Padding ?? new AirPadding(Dataset.Grid, 0);

    /// <summary>
    /// Prepares <paramref name="dataset"/> for drives at <paramref name="massKg"/> (null: point SAR): air padding and
    /// IEC/IEEE 62704-1 averaging cubes (<see cref="PreparedAveraging.Prepare"/>), optionally the averaged Q-matrices.
    /// Progress reports fractions of the whole preparation.
    /// </summary>
    public static PeakSarEvaluation Prepare(SarDataset dataset, double? massKg, PeakSarPreparation? options = null,
        IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new PeakSarPreparation();
        if (massKg is not { } m) return new PeakSarEvaluation(dataset, null, null, "no averaging mass requested");
        double split = options.AveragedQMatrices ? 0.4 : 1.0;
        var averaging = PreparedAveraging.Prepare(dataset, m, options.AirPaddingCells, progress is null ? null : new SubProgress(progress, 0, split));
        cancellation.ThrowIfCancellationRequested();
        var aq = options.AveragedQMatrices ? averaging.QSet(progress is null ? null : new SubProgress(progress, split, 1)) : null;
        progress?.Report(1);
        return new PeakSarEvaluation(dataset, averaging, aq, null);
    }

    /// <summary>Wraps an averaging prepared elsewhere (e.g. shared with a Q-matrix export).</summary>
    public static PeakSarEvaluation From(PreparedAveraging averaging)
    {
        ArgumentNullException.ThrowIfNull(averaging);
        var ds = averaging.Dataset ?? throw new ArgumentException("The averaging was prepared from a tissue model alone; a PeakSarEvaluation needs the dataset's fields.", nameof(averaging));
        return new PeakSarEvaluation(ds, averaging, null, null);
    }

    private sealed class SubProgress(IProgress<double> inner, double from, double to) : IProgress<double>
    {
        public void Report(double value) => inner.Report(from + (to - from) * Math.Clamp(value, 0, 1));
    }

    /// <summary>
    /// Evaluates one drive: point SAR, its IEC/IEEE 62704-1 average (when prepared with a mass), the peak inside
    /// <paramref name="region"/> (a tissue mask, e.g. body or head; null: whole model) and the cube giving it,
    /// whole-body/head SAR, absorbed and incident power.
    /// </summary>
    public PeakSarOutcome Evaluate(DriveVector drive, string? region = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(drive);
        var ds = Dataset;
        if (drive.Channels != ds.Channels)
            throw new SarKitInputException($"{ds.Source}: the drive has {drive.Channels} channel value(s), the dataset has {ds.Channels} channels.") { SourceFile = ds.Source };
        var local = LocalSar.Compute(ds.Tissue, ds.E, drive);
        cancellation.ThrowIfCancellationRequested();
        return Outcome(ds.Tissue, ds.Source, Averaging, drive, local, () =>
        {
            var (wb, head, all) = _regions.Value;
            return new RegionSars(wb.Sar(drive), wb.MassKg, head?.Sar(drive), all.AbsorbedPower(drive), all.Sar(drive), all.MassKg);
        }, region);
    }

    /// <summary>Whole-body, head and all-tissue SAR of one drive (W/kg), their masses (kg) and the absorbed power (W).</summary>
    private readonly record struct RegionSars(double WholeBody, double WholeBodyMassKg, double? Head, double AbsorbedPowerW, double Tissue, double TissueMassKg)
    {
        /// <summary>From the regions' absorbed powers of a summed drive field (<see cref="RegionPower"/>).</summary>
        public static RegionSars Of(TissueModel t, DriveFieldSum e, SarKitSettings settings)
        {
            var body = t.Masks.TryGetValue(TissueModel.BodyMask, out var bm) ? bm : null;
            var wb = RegionPower.Compute("body", t, e, body, settings);
            var head = t.Masks.TryGetValue(TissueModel.HeadMask, out var hm) ? RegionPower.Compute("head", t, e, hm, settings) : null;
            var all = body is null ? wb : RegionPower.Compute("tissue", t, e, null, settings);
            return new RegionSars(wb.Sar, wb.MassKg, head?.Sar, all.PowerW, all.Sar, all.MassKg);
        }
    }

    /// <summary>
    /// The outcome of one drive from its point SAR map <paramref name="local"/> (dataset grid): its IEC/IEEE 62704-1
    /// average when <paramref name="averaging"/> is given, the peak inside <paramref name="region"/> and its cube, and
    /// the region SARs (computed after the averaging, as <see cref="Evaluate"/> always did).
    /// </summary>
    private static PeakSarOutcome Outcome(TissueModel tissue, string source, PreparedAveraging? averaging, DriveVector drive, double[] local,
        Func<RegionSars> regions, string? region)
    {
        var g = tissue.Grid;
        bool[]? regionMask = region is null ? null : tissue.TissueMask(region);
        AveragedSarResult? avg = null;
        double[] map = local;
        double? massKg = averaging?.Options.TargetMassKg;
        if (averaging is not null)
        {
            avg = averaging.Average(local);
            map = averaging.Padding.Crop(avg.Map);
        }
        var (peak, at) = Peak(map, regionMask);
        if (at < 0) throw new SarKitInputException($"{source}: region '{region}' contains no tissue voxel.");
        int cube = -1;
        if (avg is not null)
        {
            cube = avg.PeakCube;
            if (regionMask is not null || cube < 0 || avg.CubeValues[cube] != peak)
                cube = FindCube(avg, averaging!.Padding.ToPadded(at), peak);
        }
        var r = regions();
        var unit = drive.Normalisation.DriveUnit();
        var pointPeak = LocalSar.Peak(local);
        var result = new PeakSarResult
        {
            PeakSarWPerKg = peak,
            PeakVoxelIndex = ResultParts.Index(g, at),
            PeakLocationM = ResultParts.Centre(g, at),
            MassKg = massKg,
            Method = massKg is null ? "point" : "IEC/IEEE 62704-1",
            Region = region,
            SarUnit = unit == "1" ? "W/kg (relative: unspecified normalisation)" : "W/kg",
            Drive = ResultParts.Drive(drive),
            IncidentPowerW = drive.IncidentPowerW(),
            WholeBodySarWPerKg = r.WholeBody,
            WholeBodyMassKg = r.WholeBodyMassKg,
            HeadSarWPerKg = r.Head,
            AbsorbedPowerW = r.AbsorbedPowerW,
            PeakPointSarWPerKg = pointPeak.Value,
            StatusCounts = averaging?.StatusCounts(),
            AirPaddingVoxels = averaging?.Padding.Cells,
            AveragedGrid = averaging?.Cubes.GridKind,
            PeakCube = avg is null || cube < 0 ? null : new PeakCubeResult(
                avg.Cubes.CubeOrientation(cube).ToString(), (int)avg.Cubes.CubeOrientation(cube), avg.Cubes.CubeSideM(cube), avg.Cubes.CubeMassKg(cube),
                ResultParts.Index(g, averaging!.Padding.ToOriginal(avg.Cubes.CubeVoxel(cube)))),
            InputFile = source,
            SarkitVersion = SarKitVersion.Current,
        };
        return new PeakSarOutcome
        {
            Result = result, Drive = drive, PointSar = local, PointPeakVoxel = pointPeak.Index,
            AveragedSar = avg is null ? null : map, Status = averaging?.Status, PeakVoxel = at,
            TissueAverageSarWPerKg = r.Tissue, TissueMassKg = r.TissueMassKg,
        };
    }

    /// <summary>
    /// The whole use case of <c>sarkit sar</c>: reads the dataset, parses the drive, prepares the averaging, evaluates,
    /// refuses a non-finite result before any file is written, writes the maps (<see cref="PeakSarRequest.OutputPath"/>,
    /// <see cref="SarMapsFile"/>) and fills in the paths and the elapsed time (<paramref name="settings"/>' clock).
    /// Progress stages: "Reading dataset", "Averaging cubes (10 g)" (with a mass), "Evaluating the drive", "Writing maps"
    /// (with an output path). With a mass the cubes are built on their own thread while the dataset is read (they need
    /// the tissue model only); their stage reports no fractions and ends when they are ready.
    /// </summary>
    public static PeakSarOutcome Run(PeakSarRequest request, SarKitSettings? settings = null, IProgress<StageReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        long start = settings.Time.GetTimestamp();
        var output = request.OutputPath;
        if (output is not null) SarMapsFile.CheckTarget(output);
        if (request.PlotPath is { } plotPath && !PlotFile.IsPlotName(plotPath))
            throw new SarKitInputException($"--plot '{plotPath}': use a .png or .svg file name.");
        DatasetFiles.RequireExisting(request.FieldsPath);
        // The drive's field is summed channel by channel while reading (no per-channel field is ever whole in memory);
        // every field of the file is still read and checked finite (fail closed). Point SAR and the region sums are formed
        // and the summed field dropped before the averaging cubes are built.
        // The averaging cubes need only the tissue model (σ, ρ): they are built on their own thread while the fields
        // are read, inflated and checked (issue 18: wall time of a one-shot run; the same cubes, so the same bits), and
        // the stage "Averaging cubes" waits for them. A read error is reported first, as before.
        Task<PreparedAveraging>? cubes = null;
        DriveRead read;
        try
        {
            read = progress.Run("Reading dataset", _ => ReadDrive(request, settings, cancellation, tissue =>
            {
                if (request.MassKg is { } m)
                    cubes = Task.Factory.StartNew(() => PreparedAveraging.Prepare(tissue, m, request.AirPaddingCells), cancellation,
                        TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }));
        }
        catch
        {
            cubes?.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            throw;
        }
        cancellation.ThrowIfCancellationRequested();
        var averaging = request.MassKg is { } mk
            ? progress.Run($"Averaging cubes ({MassText(mk)})", _ => cubes!.GetAwaiter().GetResult())
            : null;
        cancellation.ThrowIfCancellationRequested();
        var outcome = progress.Run("Evaluating the drive", _ => Outcome(read.Tissue, read.Source, averaging, read.Drive, read.Local, () => read.Regions, request.Region));
        var r = outcome.Result;
        ResultJson.RequireFinite(r); // before any output file: an overflowed result is refused, not written
        if (output is not null)
        {
            progress.Run("Writing maps", _ => { WriteMaps(output, read.Tissue.Grid, read.Normalisation, outcome, request.FieldsPath, settings.UtcNow); return 0; });
            r = r with { OutputFile = Path.GetFullPath(output) };
        }
        if (request.PlotPath is { } pp) SlicePlot(read.Tissue.Grid, outcome.AveragedSar ?? outcome.PointSar, outcome.PeakVoxel, r).Write(pp);
        r = r with { InputFile = Path.GetFullPath(request.FieldsPath), ElapsedS = settings.Time.GetElapsedTime(start).TotalSeconds };
        ResultJson.RequireFinite(r);
        return new PeakSarOutcome
        {
            Result = r, Drive = outcome.Drive, PointSar = outcome.PointSar, PointPeakVoxel = outcome.PointPeakVoxel, AveragedSar = outcome.AveragedSar,
            Status = outcome.Status, PeakVoxel = outcome.PeakVoxel, TissueAverageSarWPerKg = outcome.TissueAverageSarWPerKg, TissueMassKg = outcome.TissueMassKg,
        };
    }

    /// <summary>
    /// The picture of <c>sarkit sar --plot</c>: the plane z = z_peak of <paramref name="map"/> (the reported map: averaged,
    /// else point SAR) as a heat map over x and y in mm, colour bar from 0 to the slice's largest value in the result's
    /// SAR unit, a cross at the peak voxel. Needs uniform spacing in x and y (cells are drawn equal); a graded grid is
    /// refused (exit 2) rather than drawn distorted. Non-finite values are refused (no picture hides them).
    /// </summary>
    public static HeatMap SlicePlot(VoxelGrid g, double[] map, int peakVoxel, PeakSarResult r)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(r);
        static bool Uniform(int n, Func<int, double> w) => Enumerable.Range(0, n).All(i => Math.Abs(w(i) - w(0)) <= 1e-9 * w(0));
        if (!Uniform(g.Nx, g.WidthX) || !Uniform(g.Ny, g.WidthY))
            throw new SarKitInputException("--plot: the dataset's grid is graded in x or y; a slice picture needs uniform x and y spacing (use --output for the maps).");
        var (pi, pj, pk) = g.Unravel(peakVoxel);
        var s = VoxelSlices.Extract(map, g, SliceNormal.Z, pk);
        string what = r.MassKg is { } m ? $"psSAR {MassText(m)} ({r.Method})" : "Point SAR";
        const int width = 640;
        double xs = g.CentreX(g.Nx - 1) - g.CentreX(0), ys = g.CentreY(g.Ny - 1) - g.CentreY(0);
        var plot = new HeatMap
        {
            Title = FormattableString.Invariant($"{what}, slice z = {g.CentreZ(pk) * 1e3:0.##} mm through the peak"),
            XLabel = "x (mm)", YLabel = "y (mm)", ColourBarLabel = r.MassKg is null ? $"point SAR, {r.SarUnit}" : $"{MassText(r.MassKg.Value)} average SAR, {r.SarUnit}",
            Values = Array.ConvertAll(s.Values, v => (double)v), Nx = s.Width, Ny = s.Height,
            XFirst = g.CentreX(0) * 1e3, XLast = g.CentreX(g.Nx - 1) * 1e3, YFirst = g.CentreY(0) * 1e3, YLast = g.CentreY(g.Ny - 1) * 1e3,
            Width = width, Height = HeatMap.FittingHeight(width, Math.Max(xs, 1e-9), Math.Max(ys, 1e-9)),
        };
        plot.Markers.Add(new MapMarker(FormattableString.Invariant($"peak {r.PeakSarWPerKg:G4} W/kg, voxel ({pi}, {pj}, {pk})"), g.CentreX(pi) * 1e3, g.CentreY(pj) * 1e3));
        return plot;
    }

    /// <summary>What <see cref="Run"/> reads: the tissue, the drive, its point SAR map and region SARs (the fields are not kept).</summary>
    private sealed record DriveRead(TissueModel Tissue, string Source, FieldNormalisation Normalisation, DriveVector Drive, double[] Local, RegionSars Regions);

    private static DriveRead ReadDrive(PeakSarRequest request, SarKitSettings settings, CancellationToken cancellation, Action<TissueModel> opened)
    {
        using var file = DatasetFieldStream.Open(request.FieldsPath);
        opened(file.Tissue);
        var drive = DriveText.Parse(request.Drive, file.Channels, file.Normalisation, file.Source, file.FieldSource, request.DriveLabel);
        var sum = new DriveFieldSum(file.Grid, drive, file.FieldSource);
        file.ReadDrive(sum, cancellation);
        var local = LocalSar.Compute(file.Tissue, sum);
        var regions = RegionSars.Of(file.Tissue, sum, settings);
        return new DriveRead(file.Tissue, file.Source, file.Normalisation, drive, local, regions);
    }

    /// <summary>Writes the maps of <paramref name="outcome"/> (<see cref="SarMapsFile"/>).</summary>
    public static void WriteMaps(string path, SarDataset ds, PeakSarOutcome outcome, string sourceFile, DateTimeOffset createdUtc)
    {
        ArgumentNullException.ThrowIfNull(ds);
        WriteMaps(path, ds.Grid, ds.E.Normalisation, outcome, sourceFile, createdUtc);
    }

    /// <summary>Writes the maps of <paramref name="outcome"/> on <paramref name="grid"/>, fields normalised <paramref name="normalisation"/> (<see cref="SarMapsFile"/>).</summary>
    public static void WriteMaps(string path, VoxelGrid grid, FieldNormalisation normalisation, PeakSarOutcome outcome, string sourceFile, DateTimeOffset createdUtc)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(outcome);
        var j = outcome.Result;
        string drive = string.Join(",", j.Drive.Amplitude.Select((a, n) => FormattableString.Invariant($"{a:R}@{j.Drive.PhaseDeg[n]:R}")));
        SarMapsFile.Write(path, new SarMaps
        {
            Grid = grid, PointSar = outcome.PointSar, AveragedSar = outcome.AveragedSar, Status = outcome.Status, MassKg = j.MassKg,
            Method = j.Method, Drive = drive, DriveUnit = j.Drive.Unit, Normalisation = normalisation,
            SourceFile = Path.GetFullPath(sourceFile), SarkitVersion = SarKitVersion.Current, CreatedUtc = createdUtc,
        });
    }

    /// <summary>
    /// The web SAR viewer's answer for an evaluated drive: three orthogonal slices of the point and averaged maps
    /// through <paramref name="at"/> (else through each map's peak), the peaks, and the result of the drive.
    /// </summary>
    public SarSlicesResult Slices(PeakSarOutcome outcome, string path, VoxelIndexResult? at, double computeMs)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var g = Dataset.Grid;
        if (at is { } a && (a.I < 0 || a.I >= g.Nx || a.J < 0 || a.J >= g.Ny || a.K < 0 || a.K >= g.Nz))
            throw new SarKitInputException($"at = ({a.I}, {a.J}, {a.K}) is outside the grid 0…{g.Nx - 1} × 0…{g.Ny - 1} × 0…{g.Nz - 1}.");
        var point = MapSlices(outcome.PointSar, outcome.PointSar[outcome.PointPeakVoxel], outcome.PointPeakVoxel, g, at);
        SarMapSlicesResult? avg = null;
        if (outcome.AveragedSar is { } map)
        {
            var (pv, pi) = LocalSar.Peak(map);
            avg = MapSlices(map, pv, pi, g, at);
        }
        var unit = Dataset.E.Normalisation.DriveUnit();
        var r = outcome.Result;
        return new SarSlicesResult(path, GridResult.Of(g), Dataset.Channels, unit,
            unit == "1" ? "W/kg (relative: unspecified normalisation)" : $"W/kg (drive in {unit})", MassKg,
            point, avg, AveragingUnavailableReason, Averaging?.Padding.Cells,
            outcome.TissueAverageSarWPerKg, outcome.TissueMassKg, r.AbsorbedPowerW, r.IncidentPowerW, computeMs,
            r with { InputFile = path, ElapsedS = computeMs * 1e-3 });
    }

    private static SarMapSlicesResult MapSlices(double[] map, double peak, int peakIndex, VoxelGrid g, VoxelIndexResult? at)
    {
        var (pi, pj, pk) = g.Unravel(peakIndex);
        var (si, sj, sk) = at is null ? (pi, pj, pk) : (at.I, at.J, at.K);
        var slices = VoxelSlices.Through(map, g, si, sj, sk).Select(s => new SliceResult(
            s.Normal.ToString().ToLowerInvariant(), s.Index, s.Width, s.Height,
            s.Normal switch { SliceNormal.X => ["y", "z"], SliceNormal.Y => ["x", "z"], _ => ["x", "y"] }, s.Values)).ToArray();
        return new SarMapSlicesResult(peak, new VoxelIndexResult(pi, pj, pk), ResultParts.Centre(g, peakIndex), new VoxelIndexResult(si, sj, sk), slices);
    }

    /// <summary>Peak of <paramref name="map"/> inside <paramref name="mask"/> (whole map when null): value and linear index (−1 when the mask is empty).</summary>
    public static (double Value, int Index) Peak(double[] map, bool[]? mask)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (mask is null) return LocalSar.Peak(map);
        double best = double.NegativeInfinity; int at = -1;
        for (int v = 0; v < map.Length; v++) if (mask[v] && map[v] > best) { best = map[v]; at = v; }
        return (best, at);
    }

    /// <summary>The cube whose average gives the voxel's value (its own cube first, else any cube with that value).</summary>
    private static int FindCube(AveragedSarResult r, int voxel, double value)
    {
        int any = -1;
        for (int c = 0; c < r.CubeValues.Length; c++)
            if (r.CubeValues[c] == value)
            {
                if (r.Cubes.CubeVoxel(c) == voxel) return c;
                if (any < 0) any = c;
            }
        return any;
    }

    /// <summary>A mass as text in grams, e.g. "10 g" (G6).</summary>
    public static string MassText(double kg) => (kg * 1e3).ToString("G6", CultureInfo.InvariantCulture) + " g";
}
