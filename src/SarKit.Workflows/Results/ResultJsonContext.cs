using System.Text.Json.Serialization;
using SarKit.IO.Formats;

namespace SarKit.Workflows.Results;

/// <summary>
/// Compile-time (source-generated) System.Text.Json metadata of every result type (<see cref="JsonResultAttribute"/>)
/// and of the other values written through <see cref="ResultJson"/>. <see cref="ResultJson.Options"/> resolves types
/// here first, so a Native AOT build of the CLI (no reflection-emitted serialisers) writes the same bytes as the JIT
/// build; ResultJsonContextTests checks that every result type is listed.
/// </summary>
[JsonSerializable(typeof(ClusterStatusResult))]
[JsonSerializable(typeof(DatasetDescriptionResult))]
[JsonSerializable(typeof(DatasetListResult))]
[JsonSerializable(typeof(DemoResult))]
[JsonSerializable(typeof(LiquidCheckResult))]
[JsonSerializable(typeof(LiquidHeatCapacityResult))]
[JsonSerializable(typeof(MarginCrResult))]
[JsonSerializable(typeof(MarginQeResult))]
[JsonSerializable(typeof(MarginValidateResult))]
[JsonSerializable(typeof(MvieConstructionResult))]
[JsonSerializable(typeof(NemaCalorimetryResponse))]
[JsonSerializable(typeof(NemaCalorimetryResult))]
[JsonSerializable(typeof(NemaPulseEnergyResponse))]
[JsonSerializable(typeof(NemaPulseEnergyResult))]
[JsonSerializable(typeof(PeakSarResult))]
[JsonSerializable(typeof(ProbeCalibrationRecordResult))]
[JsonSerializable(typeof(ProbeConversionFactorRecordResult))]
[JsonSerializable(typeof(ProbeConversionFactorResult))]
[JsonSerializable(typeof(ProbeDcLogResult))]
[JsonSerializable(typeof(ProbeScanRecordInput))]
[JsonSerializable(typeof(ProbeScanResponse))]
[JsonSerializable(typeof(ProbeScanResult))]
[JsonSerializable(typeof(ProbeTemCalibrationResult))]
[JsonSerializable(typeof(QMatrixExportResult))]
[JsonSerializable(typeof(RecordCompareResult))]
[JsonSerializable(typeof(RecordIndexResult))]
[JsonSerializable(typeof(RecordListResult))]
[JsonSerializable(typeof(RecordResult))]
[JsonSerializable(typeof(RecordVerifyResult))]
[JsonSerializable(typeof(RfShimResult))]
[JsonSerializable(typeof(SarSlicesResult))]
[JsonSerializable(typeof(SequenceCheckDefaultsResult))]
[JsonSerializable(typeof(SequenceCheckResult))]
[JsonSerializable(typeof(SequenceInfoResult))]
[JsonSerializable(typeof(ShimJobResult))]
[JsonSerializable(typeof(SlurmPlanResult))]
[JsonSerializable(typeof(SpokesJobResult))]
[JsonSerializable(typeof(SpokesResult))]
[JsonSerializable(typeof(Surrogate3dEvaluateResult))]
[JsonSerializable(typeof(SurrogateDatasetResult))]
[JsonSerializable(typeof(SurrogateEvaluateResult))]
[JsonSerializable(typeof(SurrogatePerChannelPredictResult))]
[JsonSerializable(typeof(SurrogatePredictResult))]
[JsonSerializable(typeof(VopFilesResult))]
[JsonSerializable(typeof(VopJobResult))]
[JsonSerializable(typeof(VopPageResult))]
[JsonSerializable(typeof(VopSetResult))]
[JsonSerializable(typeof(VopSummaryResult))]
[JsonSerializable(typeof(WebAppInfoResult))]
[JsonSerializable(typeof(SequenceTimelineFiles.TimelineRow[]))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict)]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
