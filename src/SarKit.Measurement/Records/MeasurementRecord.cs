using System.Security.Cryptography;
using System.Text;

namespace SarKit.Measurement.Records;

/// <summary>
/// One stored measurement evaluation (docs/nema-ms8.md, "Measurement records"): the input file verbatim, the result
/// JSON, the SAR in W/kg, the SarKit version and a SHA-256 content hash over input and result.
/// </summary>
/// <param name="Id">Autoincrement id assigned by the store (1, 2, …; never reused).</param>
/// <param name="CreatedUtc">Time the record was added (UTC, stored as ISO 8601 round-trip text).</param>
/// <param name="Method">Evaluation method, e.g. "calorimetry" (NEMA MS 8-2016 Section 3).</param>
/// <param name="InputJson">The measurement input file content, verbatim.</param>
/// <param name="ResultJson">The evaluation result as JSON.</param>
/// <param name="SarWPerKg">Whole-body SAR result in W/kg.</param>
/// <param name="SarkitVersion">SarKit version that produced the result.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of <see cref="ComputeContentHash"/>'s byte layout.</param>
/// <param name="InputOriginal">The input file verbatim when it was not JSON (a YAML file; <see cref="InputJson"/> then holds
/// its JSON form), else null.</param>
/// <param name="PrevSha256">The <see cref="ChainSha256"/> of the record before this one (<see cref="RecordChain.GenesisHash"/> for the first).</param>
/// <param name="ChainSha256">SHA-256 of <see cref="RecordChain.Canonical"/>: every stored column and <see cref="PrevSha256"/>.</param>
public sealed record MeasurementRecord(
    long Id, DateTime CreatedUtc, string Method, string InputJson, string ResultJson,
    double SarWPerKg, string SarkitVersion, string ContentSha256, string? InputOriginal = null,
    string? PrevSha256 = null, string? ChainSha256 = null)
{
    /// <summary>Argument checks shared by every <see cref="IMeasurementRecordStore.Add"/>: non-empty method, texts and version present, finite SAR.</summary>
    internal static void CheckNew(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion)
    {
        if (string.IsNullOrWhiteSpace(method)) throw new ArgumentException("method must not be empty", nameof(method));
        ArgumentNullException.ThrowIfNull(inputJson);
        ArgumentNullException.ThrowIfNull(resultJson);
        ArgumentNullException.ThrowIfNull(sarkitVersion);
        if (!double.IsFinite(sarWPerKg)) throw new ArgumentOutOfRangeException(nameof(sarWPerKg), sarWPerKg, "SAR must be finite");
    }

    /// <summary>
    /// SHA-256 (FIPS 180-4) of UTF-8(<paramref name="inputJson"/>) ‖ 0x00 ‖ UTF-8(<paramref name="resultJson"/>), followed by
    /// 0x00 ‖ UTF-8(<paramref name="inputOriginal"/>) when that is given, as lower-case hex. The zero bytes separate the
    /// texts so that moving characters between them changes the hash.
    /// </summary>
    public static string ComputeContentHash(string inputJson, string resultJson, string? inputOriginal = null)
    {
        ArgumentNullException.ThrowIfNull(inputJson);
        ArgumentNullException.ThrowIfNull(resultJson);
        int ni = Encoding.UTF8.GetByteCount(inputJson), nr = Encoding.UTF8.GetByteCount(resultJson);
        int no = inputOriginal is null ? 0 : 1 + Encoding.UTF8.GetByteCount(inputOriginal);
        var bytes = new byte[ni + 1 + nr + no];
        Encoding.UTF8.GetBytes(inputJson, bytes.AsSpan(0, ni));
        bytes[ni] = 0;
        Encoding.UTF8.GetBytes(resultJson, bytes.AsSpan(ni + 1, nr));
        if (inputOriginal is not null)
        {
            bytes[ni + 1 + nr] = 0;
            Encoding.UTF8.GetBytes(inputOriginal, bytes.AsSpan(ni + 2 + nr));
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>True when <see cref="ContentSha256"/> equals the hash recomputed from the stored texts.</summary>
    public bool HashVerifies => string.Equals(ContentSha256, ComputeContentHash(InputJson, ResultJson, InputOriginal), StringComparison.Ordinal);
}

/// <summary>
/// An append-only, hash-chained store of <see cref="MeasurementRecord"/>s: embedded SQLite (<see cref="MeasurementRecordStore"/>) or a
/// PostgreSQL server (<see cref="PostgresMeasurementRecordStore"/>); open either with <see cref="MeasurementRecordStores.Open"/>.
/// There is no update or delete operation, both databases reject UPDATE and DELETE on the table by triggers, and the
/// <see cref="RecordChain"/> makes changes that bypass the triggers detectable: opening, listing, reading and appending
/// refuse a damaged store (<see cref="RecordStoreDamagedException"/>).
/// </summary>
public interface IMeasurementRecordStore
{
    /// <summary>Where the records are (SQLite file path, or PostgreSQL host/database without password).</summary>
    string Location { get; }

    /// <summary>Appends a record; the store assigns id, UTC time and the content hash.</summary>
    MeasurementRecord Add(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion, string? inputOriginal = null);

    /// <summary>The record with <paramref name="id"/>, or null.</summary>
    MeasurementRecord? Get(long id);

    /// <summary>All records in id order.</summary>
    IReadOnlyList<MeasurementRecord> List();

    /// <summary>Verifies schema, every record's hashes and the metadata (count and head) without throwing for damage.</summary>
    RecordChainStatus Verify();
}
