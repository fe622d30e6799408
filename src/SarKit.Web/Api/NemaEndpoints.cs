using SarKit.Measurement.Nema.Reporting;
using System.Text.Json;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Records;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/nema/calorimetry and /api/nema/pulse-energy: the body is a NEMA MS 8-2016 measurement file (JSON,
/// docs/nema-ms8.md), evaluated by <see cref="CalorimetryEvaluation"/> / <see cref="PulseEnergyEvaluation"/>.
/// Calorimetry also returns the Section 4.1 Markdown report; <c>?record=true</c> appends it to the records database.
/// </summary>
public static class NemaEndpoints
{
    public sealed record QuantityJson(string Field, string Kind, double Value, string Unit, double Si, string SiUnit);
    public sealed record RiseCheckJson(double TemperatureRiseK, double SensorErrorK, double Ratio, double RequiredRatio, bool Passed);
    public sealed record CalorimetryJson(
        string Method, QuantityJson[] Inputs, Dictionary<string, string> Description,
        double HeatCapacityJPerK, double FillerHeatCapacityJPerK, double ShellHeatCapacityJPerK, bool ShellIncluded,
        double InitialTemperatureK, double MeasuredFinalTemperatureK, double FinalTemperatureK, bool CoolingCorrected,
        double TemperatureRiseK, double EnergyJ, double ScanTimeS, double PowerW, double SarWPerKg,
        RiseCheckJson? RiseCheck, double? PredictedSarWPerKg, double? EnergyUncertainty, bool? PredictedCoversMeasured, string SarkitVersion);
    public sealed record RecordedJson(long Id, string ContentSha256, string Database);
    public sealed record CalorimetryResponse(CalorimetryJson Result, string ReportMarkdown, RecordedJson? Record);
    public sealed record PulseEnergyJson(
        string Method, double[] UnloadedAtCoilW, double[] LoadedAtCoilW, double LossVoltageSquaredUnloaded, double LossVoltageSquaredLoaded,
        double CoilLossUnloadedW, double CoilLossLoadedW, double PhantomPeakPowerW, double EnergyPerTrJ, double RepetitionTimeS,
        double AveragePowerW, double MassKg, double SarWPerKg, QuantityJson[] Inputs, string SarkitVersion);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/nema/calorimetry", async (HttpRequest http, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct) =>
        {
            var text = await RequestBody.ReadTextAsync(http, options.MaxUploadBytes, ct);
            var input = CalorimetryInputFile.Parse(text, "measurement file");
            var r = CalorimetryEvaluation.Evaluate(input);
            var json = ToJson(r);
            RecordedJson? rec = null;
            if (record == true)
            {
                var store = MeasurementRecordStore.Open(records.Require());
                var added = store.Add("calorimetry", text, JsonSerializer.Serialize(json, JsonSerializerOptions.Web), r.SarWPerKg, WebInfo.Version);
                rec = new RecordedJson(added.Id, added.ContentSha256, store.DatabasePath);
            }
            return Results.Json(new CalorimetryResponse(json, NemaReportRenderer.Markdown(NemaReportBuilder.Calorimetry(r, WebInfo.Version)), rec));
        }).WithMetadata(new BodyContentTypes("application/json"));

        api.MapPost("/nema/pulse-energy", async (HttpRequest http, SarKitWebOptions options, CancellationToken ct) =>
        {
            var text = await RequestBody.ReadTextAsync(http, options.MaxUploadBytes, ct);
            var m = PulseEnergyInputFile.Parse(text, "measurement file");
            var r = PulseEnergyEvaluation.Evaluate(m);
            var inputs = new List<Quantity?> { m.Alpha1, m.AlphaCf, m.AlphaCr, m.Alpha2 };
            foreach (var rd in new[] { m.Unloaded, m.Loaded }) { inputs.AddRange([rd.Forward, rd.Reflected, rd.Other]); inputs.AddRange(rd.FluxLoopVoltages.Select(v => (Quantity?)v)); }
            foreach (var p in m.Pulses) inputs.AddRange([p.ShapeFactor, p.Duration]);
            inputs.AddRange([m.RepetitionTime, m.Mass]);
            return Results.Json(new PulseEnergyJson("pulse-energy",
                [r.UnloadedAtCoil.ForwardW, r.UnloadedAtCoil.ReflectedW, r.UnloadedAtCoil.OtherW],
                [r.LoadedAtCoil.ForwardW, r.LoadedAtCoil.ReflectedW, r.LoadedAtCoil.OtherW],
                r.LossVoltageSquaredUnloaded, r.LossVoltageSquaredLoaded, r.CoilLossUnloadedW, r.CoilLossLoadedW,
                r.PhantomPeakPowerW, r.EnergyPerTrJ, m.RepetitionTime?.Si ?? double.NaN, r.AveragePowerW, m.Mass.Si, r.SarWPerKg,
                inputs.Where(q => q is not null).Select(q => Q(q!.Value)).ToArray(), WebInfo.Version));
        }).WithMetadata(new BodyContentTypes("application/json"));
    }

    private static QuantityJson Q(Quantity q) => new(q.Field, q.Kind.ToString(), q.Value, q.Unit, q.Si, Quantity.SiUnit(q.Kind));

    private static CalorimetryJson ToJson(CalorimetryEvaluation r) => new(
        "calorimetry", r.Input.Quantities().Select(Q).ToArray(), new Dictionary<string, string>(r.Input.Description),
        r.HeatCapacity.HeatCapacityJPerK, r.HeatCapacity.FillerJPerK, r.HeatCapacity.ShellJPerK, r.HeatCapacity.ShellIncluded,
        r.InitialTemperatureK, r.MeasuredFinalTemperatureK, r.FinalTemperatureK, r.CoolingCorrected,
        r.TemperatureRiseK, r.EnergyJ, r.ScanTimeS, r.PowerW, r.SarWPerKg,
        r.RiseCheck is { } c ? new(c.TemperatureRiseK, c.SensorErrorK, c.Ratio, TemperatureRiseCheck.RequiredRatio, c.Passed) : null,
        r.Input.PredictedSarWPerKg, r.Input.EnergyUncertainty, r.PredictedCoversMeasured, WebInfo.Version);
}
