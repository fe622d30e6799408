using System.Data.Common;
using System.Globalization;

namespace SarKit.Measurement.Records;

/// <summary>
/// Reads stored rows of <c>measurement_records</c> for both stores (ADO.NET <see cref="DbDataReader"/>), in the column
/// order of <see cref="Columns"/>. A row whose columns are NULL where they must not be, mistyped, or whose SQLite
/// created_utc text is not the canonical <see cref="RecordChain.TimeText"/> is returned with a read error instead of
/// throwing, so that verification names it.
/// </summary>
internal static class RecordRows
{
    /// <summary>The columns of a chained record, in reading order.</summary>
    public const string Columns = "id, created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original, prev_sha256, chain_sha256";

    /// <summary>Every column a chained store's table must have.</summary>
    public static readonly string[] ColumnNames = Columns.Split(", ");

    public static RecordRow Read(DbDataReader r)
    {
        long id;
        try { id = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException) { return new RecordRow(0, null, $"id is not an integer ({e.Message})"); }
        try
        {
            string Text(int i, string name) => r.IsDBNull(i) ? throw new FormatException($"{name} is NULL") :
                r.GetValue(i) as string ?? throw new FormatException($"{name} is not text");
            DateTime created;
            var rawTime = r.GetValue(1);
            if (rawTime is string s)
            {
                if (!DateTime.TryParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out created))
                    throw new FormatException($"created_utc '{Short(s)}' is not a canonical UTC time (yyyy-MM-ddTHH:mm:ss.fffffffZ)");
                created = DateTime.SpecifyKind(created, DateTimeKind.Utc);
            }
            else if (rawTime is DateTime t) created = DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc);
            else throw new FormatException($"created_utc is {(rawTime is DBNull ? "NULL" : rawTime.GetType().Name)}");
            if (r.IsDBNull(5)) throw new FormatException("sar_w_per_kg is NULL");
            double sar = r.GetValue(5) switch
            {
                double d => d,
                float f => f,
                long l => l,
                var o => throw new FormatException($"sar_w_per_kg is {o.GetType().Name} '{Short(Convert.ToString(o, CultureInfo.InvariantCulture) ?? "")}', not a number"),
            };
            var rec = new MeasurementRecord(id, created, Text(2, "method"), Text(3, "input_json"), Text(4, "result_json"), sar,
                Text(6, "sarkit_version"), Text(7, "content_sha256"), r.IsDBNull(8) ? null : Text(8, "input_original"),
                r.IsDBNull(9) ? null : Text(9, "prev_sha256"), r.IsDBNull(10) ? null : Text(10, "chain_sha256"));
            return new RecordRow(id, rec);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            return new RecordRow(id, null, e.Message);
        }
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
