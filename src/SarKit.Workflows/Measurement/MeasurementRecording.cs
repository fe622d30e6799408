using SarKit.Measurement.Records;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>
/// Appends an evaluation to the measurement records (docs/nema-ms8.md, "Measurement records"): the input JSON as given,
/// the result serialised through <see cref="ResultJson"/> (the one snake_case schema of the CLI, the web app and the
/// store), the SAR in W/kg and the SarKit version. The store is opened only here, after the evaluation succeeded, with
/// <see cref="SarKitSettings.Time"/> as the clock of the record's creation time.
/// </summary>
public static class MeasurementRecording
{
    /// <summary>Opens the store at <paramref name="location"/> (<see cref="MeasurementRecordStores.Open"/>), appends one record and closes it.</summary>
    public static RecordedResult Append<T>(string location, string method, string inputJson, T result, double sarWPerKg, string sarkitVersion,
        string? inputOriginal = null, SarKitSettings? settings = null)
    {
        var resultJson = ResultJson.Serialize(result); // refuses NaN/±∞ before the store is touched
        var store = MeasurementRecordStores.Open(location, time: (settings ?? SarKitSettings.Default).Time);
        try
        {
            var rec = store.Add(method, inputJson, resultJson, sarWPerKg, sarkitVersion, inputOriginal);
            return new RecordedResult(rec.Id, rec.ContentSha256, store.Location);
        }
        finally { (store as IDisposable)?.Dispose(); }
    }
}
