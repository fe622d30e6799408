namespace SarKit.Workflows.Results;

/// <summary>One drive of an RF shim result on the page's voxel layer: |B1+| and IEC/IEEE 62704-1 10 g SAR (<see cref="RfShimMaps"/>).</summary>
/// <param name="Constraints">Which row of the shim result the drive is: the written design's constraint set ("all", "vop", "mvie") or "cp".</param>
/// <param name="Amplitude">Drive amplitudes per channel (drive unit of the dataset, peak), as in the shim result.</param>
/// <param name="PhaseDeg">Drive phases per channel, degrees.</param>
/// <param name="B1PlusUt">|Σ w_n B1+_n| on the layer, µT; 0 outside tissue (float32, row-major, x fastest).</param>
/// <param name="B1MaxUt">Largest |B1+| on the layer (tissue), µT.</param>
/// <param name="RoiMeanB1Ut">Mean |B1+| over the tissue voxels of the layer (the page's region of interest), µT.</param>
/// <param name="Sar10g">10 g averaged SAR of the drive on the layer, W/kg (pulse value, duty cycle 1; float32, row-major, x fastest).</param>
/// <param name="LayerMaxSar10gWPerKg">Largest 10 g SAR on the layer, W/kg.</param>
/// <param name="PeakSar10gWPerKg">Peak 10 g SAR of the drive over the whole model (air-padded averaging of the SAR viewer), W/kg.</param>
public sealed record ShimLayerDriveResult(string Constraints, [property: JsonUnit("drive unit")] double[] Amplitude, double[] PhaseDeg, SliceResult B1PlusUt, double B1MaxUt,
    double RoiMeanB1Ut, [property: JsonUnit("W/kg")] SliceResult Sar10g, double LayerMaxSar10gWPerKg, double PeakSar10gWPerKg);

/// <summary>Maps of an RF shim result on one z layer: the circularly polarised reference ("before") and the written design ("after").</summary>
/// <param name="ZIndex">Voxel layer index along z.</param>
/// <param name="ZPositionM">z of the layer's voxel centres, m.</param>
/// <param name="RoiVoxels">Tissue voxels of the layer (the region of interest).</param>
/// <param name="B1Origin">Where B1+ came from: "stored", "from_h" or "from_curl_e".</param>
/// <param name="Before">The CP reference drive scaled to the limits (last row of the shim result).</param>
/// <param name="After">The written design (first row of the shim result).</param>
public sealed record ShimLayerMapsResult([property: JsonUnit("")] int ZIndex, double ZPositionM, [property: JsonUnit("voxels")] int RoiVoxels, string B1Origin,
    ShimLayerDriveResult Before, ShimLayerDriveResult After);

/// <summary>An RF shim job of the web app: state, progress and, when done, the <c>sarkit shim --json</c> result with the layer maps.</summary>
/// <param name="Id">Job id (poll with GET /api/shim/job?id=…, cancel with POST /api/shim/cancel?id=…).</param>
/// <param name="State">"running", "done", "failed" or "cancelled".</param>
/// <param name="ElapsedS">Time since the job started (until it ended), s.</param>
/// <param name="Stage">Current stage while running (e.g. "Shim (all, 32,780 constraints)"); null otherwise.</param>
/// <param name="StageFraction">Completed fraction of the current stage, 0 … 1.</param>
/// <param name="Result">The result of <c>sarkit shim --json</c> for the same inputs (same type, same JSON); null until done.</param>
/// <param name="Maps">|B1+| and 10 g SAR of the CP reference and of the design on the region's layer; null until done.</param>
/// <param name="Error">Why the job failed; null otherwise.</param>
/// <param name="ErrorStatus">HTTP status class of the failure (400 bad input, 422 unreadable file, 500 internal); null otherwise.</param>
[JsonResult("RF shim job of the web app", Web = "POST /api/shim/start; GET /api/shim/job; POST /api/shim/cancel", Order = 321)]
public sealed record ShimJobResult(string Id, string State, double ElapsedS, string? Stage, [property: JsonUnit("")] double StageFraction,
    RfShimResult? Result, ShimLayerMapsResult? Maps, string? Error, [property: JsonUnit("")] int? ErrorStatus);
