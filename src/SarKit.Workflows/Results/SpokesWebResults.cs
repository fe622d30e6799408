namespace SarKit.Workflows.Results;

/// <summary>One pulse of a spokes result on the page's voxel layer: the small-tip flip angle summed over its sub-pulses (<see cref="SpokesMaps"/>).</summary>
/// <param name="Constraints">Which pulse: the written design's constraint set ("all", "vop", "mvie") or "cp" (the circularly polarised reference).</param>
/// <param name="SubPulseCount">Sub-pulses of the pulse (the CP reference: 1).</param>
/// <param name="Amplitude">Peak drive amplitudes, stacked per sub-pulse (index j·N + n; drive unit of the dataset).</param>
/// <param name="PhaseDeg">Drive phases, stacked like <paramref name="Amplitude"/>, degrees.</param>
/// <param name="FlipDeg">|θ| on the layer, degrees; 0 outside tissue (float32, row-major, x fastest).</param>
/// <param name="FlipMaxDeg">Largest |θ| on the layer (tissue), degrees.</param>
/// <param name="RoiMeanFlipDeg">Mean |θ| over the tissue voxels of the layer (the page's region of interest), degrees.</param>
/// <param name="Nrmse">NRMSE of |θ| against the target over the layer's tissue voxels.</param>
/// <param name="PeakSar10gWPerKg">True peak 10 g SAR over every averaged Q-matrix, time-averaged over TR (Σ_j c_j w_jᴴQw_j), W/kg.</param>
/// <param name="Sar10g">IEC/IEEE 62704-1 10 g averaged SAR of the pulse on the layer, time-averaged over TR (the average of the point SAR Σ_j c_j SAR(w_j)), W/kg (float32, row-major, x fastest).</param>
/// <param name="LayerMaxSar10gWPerKg">Largest time-averaged 10 g SAR on the layer, W/kg.</param>
/// <param name="MapPeakSar10gWPerKg">Peak of the time-averaged 10 g SAR map over the whole model (the SAR viewer's averaging of the point SAR, independent of the Q-matrices), W/kg.</param>
public sealed record SpokesLayerDriveResult(string Constraints, [property: JsonUnit("")] int SubPulseCount, [property: JsonUnit("drive unit")] double[] Amplitude, double[] PhaseDeg,
    [property: JsonUnit("°")] SliceResult FlipDeg, double FlipMaxDeg, double RoiMeanFlipDeg, [property: JsonUnit("")] double Nrmse, double PeakSar10gWPerKg,
    [property: JsonUnit("W/kg")] SliceResult Sar10g, double LayerMaxSar10gWPerKg, double MapPeakSar10gWPerKg);

/// <summary>Flip-angle and time-averaged 10 g SAR maps of a spokes result on one z layer: the CP reference within the limits ("before") and the written design ("after").</summary>
/// <param name="ZIndex">Voxel layer index along z.</param>
/// <param name="ZPositionM">z of the layer's voxel centres, m.</param>
/// <param name="RoiVoxels">Tissue voxels of the layer (the region of interest).</param>
/// <param name="Before">The CP reference: one sub-pulse of the design's shape at k = 0, best-fit amplitude within every limit.</param>
/// <param name="After">The written design (first row of the spokes result).</param>
public sealed record SpokesLayerMapsResult([property: JsonUnit("")] int ZIndex, double ZPositionM, [property: JsonUnit("voxels")] int RoiVoxels,
    SpokesLayerDriveResult Before, SpokesLayerDriveResult After);

/// <summary>A spokes / kT-points job of the web app: state, progress and, when done, the <c>sarkit spokes --json</c> result with the layer maps.</summary>
/// <param name="Id">Job id (poll with GET /api/spokes/job?id=…, cancel with POST /api/spokes/cancel?id=…).</param>
/// <param name="State">"running", "done", "failed" or "cancelled".</param>
/// <param name="ElapsedS">Time since the job started (until it ended), s.</param>
/// <param name="Stage">Current stage while running; null otherwise.</param>
/// <param name="StageFraction">Completed fraction of the current stage, 0 … 1.</param>
/// <param name="Result">The result of <c>sarkit spokes --json</c> for the same inputs (same type, same JSON); null until done.</param>
/// <param name="Maps">Flip-angle maps of the CP reference and of the design on the region's layer; null until done.</param>
/// <param name="Error">Why the job failed; null otherwise.</param>
/// <param name="ErrorStatus">HTTP status class of the failure (400 bad input, 422 unreadable file, 500 internal); null otherwise.</param>
[JsonResult("Spokes / kT-points job of the web app", Web = "POST /api/spokes/start; GET /api/spokes/job; POST /api/spokes/cancel", Order = 322)]
public sealed record SpokesJobResult(string Id, string State, double ElapsedS, string? Stage, [property: JsonUnit("")] double StageFraction,
    SpokesResult? Result, SpokesLayerMapsResult? Maps, string? Error, [property: JsonUnit("")] int? ErrorStatus);
