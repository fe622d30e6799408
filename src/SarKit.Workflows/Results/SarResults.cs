namespace SarKit.Workflows.Results;

/// <summary>
/// Peak SAR of one drive (<see cref="PeakSarEvaluation"/>): peak point SAR σ|E|²/(2ρ) or the IEC/IEEE 62704-1
/// peak spatial-average SAR (psSAR), its location and cube, whole-body/head SAR and absorbed power.
/// </summary>
[JsonResult("sarkit sar --json", Web = "POST /api/sar/slices (field sar)", Order = 10)]
public sealed record PeakSarResult
{
    /// <summary>Peak point SAR (<c>method</c> = point) or psSAR (peak mass-averaged SAR), inside <c>region</c> when given, W/kg.</summary>
    public required double PeakSarWPerKg { get; init; }
    /// <summary>Voxel of the peak.</summary>
    public required VoxelIndexResult PeakVoxelIndex { get; init; }
    /// <summary>Centre of that voxel, m.</summary>
    public required PointResult PeakLocationM { get; init; }
    /// <summary>Averaging mass, kg; null for point SAR.</summary>
    public required double? MassKg { get; init; }
    /// <summary><c>"IEC/IEEE 62704-1"</c> or <c>"point"</c>.</summary>
    public required string Method { get; init; }
    /// <summary>Mask the peak was searched in (<c>--region</c>); null for the whole model.</summary>
    public required string? Region { get; init; }
    /// <summary><c>"W/kg"</c> (or a note that values are relative for unspecified normalisation).</summary>
    public required string SarUnit { get; init; }
    /// <summary>The drive used.</summary>
    public required DriveResult Drive { get; init; }
    /// <summary>Incident power, W: Σ|b|²/(2·50 Ω) for <c>per_volt_incident</c>, Σ|b|² for <c>per_sqrt_watt_incident</c>, else null.</summary>
    public required double? IncidentPowerW { get; init; }
    /// <summary>Absorbed power in the <c>body</c> mask (all tissue when absent) divided by its mass, W/kg.</summary>
    public required double WholeBodySarWPerKg { get; init; }
    /// <summary>Mass used for whole-body SAR, kg.</summary>
    public required double WholeBodyMassKg { get; init; }
    /// <summary>Head SAR when the dataset has a <c>head</c> mask, W/kg; else null.</summary>
    public required double? HeadSarWPerKg { get; init; }
    /// <summary>Σ σ|E|²V/2 over all tissue, W.</summary>
    public required double AbsorbedPowerW { get; init; }
    /// <summary>Peak point SAR over the whole model, W/kg (equals <c>peak_sar_w_per_kg</c> for point SAR without region).</summary>
    public required double PeakPointSarWPerKg { get; init; }
    /// <summary>IEC/IEEE 62704-1 voxel status counts on the dataset's own grid; averaged SAR only (null for point SAR).</summary>
    public required StatusCountsResult? StatusCounts { get; init; }
    /// <summary>Air voxels added on every side before averaging (<c>--pad</c>), voxels; null for point SAR.</summary>
    public required int? AirPaddingVoxels { get; init; }
    /// <summary>Grid kind the IEC/IEEE 62704-1 cubes were built on: <c>"uniform"</c> or <c>"rectilinear"</c> (graded,
    /// per-axis cell widths; docs/averaging.md "Rectilinear grids"); null without averaging.</summary>
    public string? AveragedGrid { get; init; }
    /// <summary>Averaged SAR only: the cube giving the peak; null for point SAR or when the peak voxel has no cube.</summary>
    public required PeakCubeResult? PeakCube { get; init; }
    /// <summary>Absolute path of <c>--fields</c> (web: the path inside the data folder).</summary>
    public required string InputFile { get; init; }
    /// <summary>Absolute path of the maps file (<c>-o</c>) when written; else null.</summary>
    public string? OutputFile { get; init; }
    /// <summary>Wall time of the evaluation, s.</summary>
    public double ElapsedS { get; init; }
    /// <summary>SarKit version, e.g. <c>"0.1.0"</c>.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The IEC/IEEE 62704-1 averaging cube that gives the psSAR.</summary>
/// <param name="Orientation">Cube placement: <c>Centred</c>, <c>FaceMinusX</c>, …, <c>FacePlusZ</c>.</param>
/// <param name="OrientationCode">7 centred, 1–6 face-centred.</param>
/// <param name="SideM">Cube side, m.</param>
/// <param name="MassKg">Mass inside the cube, kg.</param>
/// <param name="VoxelIndex">Voxel the cube is tagged with: its centre voxel, or the averaged unused voxel for step 2.</param>
public sealed record PeakCubeResult(string Orientation, int OrientationCode, double SideM, double MassKg, VoxelIndexResult VoxelIndex);

/// <summary>
/// The web SAR viewer's answer (<see cref="PeakSarEvaluation.Slices"/>): point and IEC/IEEE 62704-1 averaged SAR maps
/// of one drive as three orthogonal slices each, with the peaks and the <see cref="PeakSarResult"/> of the same drive.
/// </summary>
/// <param name="Path">Dataset path inside the data folder.</param>
/// <param name="Grid">Grid of the dataset (as in <c>sarkit info --json</c>).</param>
/// <param name="Channels">Number of transmit channels.</param>
/// <param name="DriveUnit">Unit of one drive amplitude (e.g. <c>V</c>).</param>
/// <param name="SarUnit">Unit of the SAR values, e.g. <c>"W/kg (drive in V)"</c> (relative for unspecified normalisation).</param>
/// <param name="MassKg">Averaging mass, kg; null for point SAR only.</param>
/// <param name="Point">Point SAR map (σ|E|²/(2ρ)), W/kg.</param>
/// <param name="Averaged">IEC/IEEE 62704-1 mass-averaged SAR map, W/kg; null for point SAR only.</param>
/// <param name="AveragingNote">Why <c>averaged</c> is null; null when it is present.</param>
/// <param name="AirPaddingVoxels">Air voxels added on every side for the averaging cubes; null without averaging.</param>
/// <param name="TissueAverageSarWPerKg">Absorbed power over all tissue divided by the tissue mass, W/kg.</param>
/// <param name="TissueMassKg">Tissue mass, kg.</param>
/// <param name="AbsorbedPowerW">Σ σ|E|²V/2 over all tissue, W.</param>
/// <param name="IncidentPowerW">Incident power, W (as in <c>sar --json</c>); null when the normalisation does not define it.</param>
/// <param name="ComputeMs">Server time of the evaluation, ms.</param>
/// <param name="Sar">The <c>sarkit sar --json</c> object of the same drive and mass.</param>
[JsonResult("POST /api/sar/slices", Web = "POST /api/sar/slices", Order = 11)]
public sealed record SarSlicesResult(
    string Path, GridResult Grid, int Channels, string DriveUnit, string SarUnit, double? MassKg,
    SarMapSlicesResult Point, SarMapSlicesResult? Averaged, string? AveragingNote, int? AirPaddingVoxels,
    double TissueAverageSarWPerKg, double TissueMassKg, double AbsorbedPowerW, double? IncidentPowerW, double ComputeMs,
    PeakSarResult Sar);

/// <summary>One SAR map of <see cref="SarSlicesResult"/>: its peak and three orthogonal slices.</summary>
/// <param name="PeakWPerKg">Peak of the map, W/kg.</param>
/// <param name="PeakVoxel">Voxel of the peak.</param>
/// <param name="PeakLocationM">Centre of that voxel, m.</param>
/// <param name="SlicedAt">Voxel the three slices go through (the request's <c>at</c>, else the peak).</param>
/// <param name="Slices">Slices with normals x, y, z.</param>
public sealed record SarMapSlicesResult(double PeakWPerKg, VoxelIndexResult PeakVoxel, PointResult PeakLocationM, VoxelIndexResult SlicedAt, SliceResult[] Slices);

/// <summary>A slice of a voxel map.</summary>
/// <param name="Normal"><c>"x"</c>, <c>"y"</c> or <c>"z"</c>.</param>
/// <param name="Index">Voxel index along the normal.</param>
/// <param name="Width">Values along the first of <c>axes</c>.</param>
/// <param name="Height">Values along the second of <c>axes</c>.</param>
/// <param name="Axes">In-plane axes, first fastest: normal x (y, z), y (x, z), z (x, y).</param>
/// <param name="Values">Map values (float32, in the unit of the map: W/kg for SAR, µT for |B1+|), row-major with the first of <c>axes</c> fastest.</param>
public sealed record SliceResult(string Normal, int Index, int Width, int Height, string[] Axes, float[] Values);
