using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SarKit.Measurement.Records;

/// <summary>
/// The hash chain that makes a measurement record store tamper-evident (docs/nema-ms8.md, "Measurement records";
/// docs/reliability/records-and-measurement.md). Shared by the SQLite and the PostgreSQL store.
/// <para>
/// Each record stores <c>prev_sha256</c> (the <c>chain_sha256</c> of the record before it, or <see cref="GenesisHash"/>
/// for the first) and <c>chain_sha256</c> = SHA-256 (FIPS 180-4) of <see cref="Canonical"/>, the canonical serialisation
/// of every stored column. A metadata table holds the record count and the head (the last <c>chain_sha256</c>), so that
/// removing records at the end, truncating or dropping the table is detected as well.
/// </para>
/// <para>
/// Threat model: the chain detects edits, deletions, forged rows and truncation by anyone who does not recompute the
/// chain. Someone with write access who rewrites the whole chain and the metadata is only detected by comparing the head
/// hash with a copy kept outside the database (printed by <c>sarkit records verify</c>).
/// </para>
/// </summary>
public static class RecordChain
{
    /// <summary>Format tag stored in the metadata table and the first line of <see cref="Canonical"/>.</summary>
    public const string Format = "sarkit-records-chain-v1";

    /// <summary>The <c>prev_sha256</c> of the first record: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Canonical text of a creation time: UTC, ISO 8601 with seven fractional digits and 'Z'.</summary>
    public static string TimeText(DateTime utc) =>
        (utc.Kind == DateTimeKind.Utc ? utc : throw new ArgumentException("time must be UTC", nameof(utc)))
        .ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Canonical text of a SAR value: the 16 hexadecimal digits (big-endian) of its IEEE 754 binary64 bits, so that
    /// every bit of the stored double is covered.</summary>
    public static string SarText(double sar) => BitConverter.DoubleToInt64Bits(sar).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// The canonical serialisation of record <paramref name="r"/> whose predecessor hash is <paramref name="prevSha256"/>:
    /// UTF-8 of the line <see cref="Format"/> + LF, then for each field in the order id, created_utc, method, input_json,
    /// result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original, prev_sha256 the bytes
    /// <c>name SP length LF value LF</c>, where length is the decimal UTF-8 byte count of value, or "-" (and an empty value)
    /// for a NULL input_original. id is decimal, created_utc is <see cref="TimeText"/>, sar_w_per_kg is <see cref="SarText"/>.
    /// The length prefixes make the encoding injective (no text can move between fields).
    /// </summary>
    public static byte[] Canonical(MeasurementRecord r, string prevSha256)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder(Format).Append('\n');
        void Field(string name, string? value)
        {
            sb.Append(name).Append(' ');
            sb.Append(value is null ? "-" : Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture));
            sb.Append('\n').Append(value).Append('\n');
        }
        Field("id", r.Id.ToString(CultureInfo.InvariantCulture));
        Field("created_utc", TimeText(r.CreatedUtc));
        Field("method", r.Method);
        Field("input_json", r.InputJson);
        Field("result_json", r.ResultJson);
        Field("sar_w_per_kg", SarText(r.SarWPerKg));
        Field("sarkit_version", r.SarkitVersion);
        Field("content_sha256", r.ContentSha256);
        Field("input_original", r.InputOriginal);
        Field("prev_sha256", prevSha256);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Canonical"/>: the <c>chain_sha256</c> of a record.</summary>
    public static string Link(MeasurementRecord r, string prevSha256) => Convert.ToHexStringLower(SHA256.HashData(Canonical(r, prevSha256)));

    /// <summary>Returns <paramref name="r"/> with its content hash, predecessor and chain hash filled in (for a new record).</summary>
    public static MeasurementRecord Seal(MeasurementRecord r, string prevSha256)
    {
        var withContent = r with { ContentSha256 = MeasurementRecord.ComputeContentHash(r.InputJson, r.ResultJson, r.InputOriginal), PrevSha256 = prevSha256, ChainSha256 = null };
        return withContent with { ChainSha256 = Link(withContent, prevSha256) };
    }

    private static bool IsHex64(string? s) => s is { Length: 64 } && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>
    /// Checks a store's rows (in id order) against the chain rules and its metadata (<paramref name="metadataCount"/>,
    /// <paramref name="metadataHead"/>); returns the first problem found, or an intact status with the count and head.
    /// Rows that could not be read are passed as <see cref="RecordRow.ReadError"/>.
    /// </summary>
    public static RecordChainStatus Verify(string location, IEnumerable<RecordRow> rows, long metadataCount, string metadataHead)
    {
        string prev = GenesisHash;
        long count = 0, lastId = long.MinValue;
        foreach (var row in rows)
        {
            count++;
            if (row.ReadError is { } err) return RecordChainStatus.Broken(location, row.Id, $"record {row.Id}: cannot be read ({err})");
            var r = row.Record!;
            if (count > 1 && r.Id <= lastId) return RecordChainStatus.Broken(location, r.Id, $"record {r.Id}: ids are not increasing (previous {lastId})");
            lastId = r.Id;
            if (!double.IsFinite(r.SarWPerKg)) return RecordChainStatus.Broken(location, r.Id, $"record {r.Id}: sar_w_per_kg = {r.SarWPerKg.ToString(CultureInfo.InvariantCulture)} is not finite");
            if (!r.HashVerifies) return RecordChainStatus.Broken(location, r.Id, $"record {r.Id}: content_sha256 does not match input_json/result_json/input_original (changed after recording)");
            if (!IsHex64(r.PrevSha256) || !IsHex64(r.ChainSha256)) return RecordChainStatus.Broken(location, r.Id, $"record {r.Id}: prev_sha256/chain_sha256 missing or not 64 lower-case hex digits (not part of the chain)");
            if (!string.Equals(Link(r, r.PrevSha256!), r.ChainSha256, StringComparison.Ordinal))
                return RecordChainStatus.Broken(location, r.Id, $"record {r.Id}: chain_sha256 does not match its stored columns (id, created_utc, method, sar_w_per_kg, sarkit_version, texts or hashes changed after recording)");
            if (!string.Equals(r.PrevSha256, prev, StringComparison.Ordinal))
                return RecordChainStatus.Broken(location, r.Id, count == 1
                    ? $"record {r.Id}: is the first record but prev_sha256 is not the genesis hash (records before it were removed)"
                    : $"record {r.Id}: prev_sha256 does not match the record before it (records between them were removed, inserted or changed)");
            prev = r.ChainSha256!;
        }
        if (count != metadataCount)
            return RecordChainStatus.Broken(location, null, $"the metadata says {metadataCount} records but the table holds {count} (records were removed, truncated or forged)");
        if (!string.Equals(prev, metadataHead, StringComparison.Ordinal))
            return RecordChainStatus.Broken(location, null, $"the chain head {prev} does not match the metadata head {metadataHead} (the last records were removed or replaced)");
        return new RecordChainStatus(location, true, count, prev, null, null);
    }
}

/// <summary>One row read from a store for <see cref="RecordChain.Verify"/>: the record, or the reason it could not be read.</summary>
/// <param name="Id">The row id.</param>
/// <param name="Record">The record as stored, or null when it could not be read.</param>
/// <param name="ReadError">Why the row could not be read (e.g. a NULL or mistyped column), or null.</param>
public sealed record RecordRow(long Id, MeasurementRecord? Record, string? ReadError = null);

/// <summary>Result of verifying a record store (<c>sarkit records verify</c>).</summary>
/// <param name="Location">Store location.</param>
/// <param name="Intact">True when schema, every record and the metadata agree.</param>
/// <param name="Count">Number of records verified (when intact).</param>
/// <param name="HeadSha256">The chain head (last record's chain_sha256, or <see cref="RecordChain.GenesisHash"/> for an empty store) when intact.</param>
/// <param name="FirstBrokenId">Id of the first broken record, or null when the damage is not in one record (schema, metadata, truncation).</param>
/// <param name="Problem">What is wrong, or null when intact.</param>
public sealed record RecordChainStatus(string Location, bool Intact, long Count, string? HeadSha256, long? FirstBrokenId, string? Problem)
{
    /// <summary>A damaged status.</summary>
    public static RecordChainStatus Broken(string location, long? id, string problem) => new(location, false, 0, null, id, problem);

    /// <summary>Throws <see cref="RecordStoreDamagedException"/> unless intact.</summary>
    public void ThrowIfDamaged()
    {
        if (!Intact) throw new RecordStoreDamagedException(this);
    }
}

/// <summary>
/// A record store whose schema, metadata or hash chain is damaged (<see cref="RecordChain"/>); every command refuses it
/// (CLI exit 2). The message names the store, the first broken record and what is wrong.
/// </summary>
public sealed class RecordStoreDamagedException(RecordChainStatus status)
    : SarKitInputException($"records database {status.Location} is damaged and is refused: {status.Problem}. Run `sarkit records verify` for details; " +
                           "do not add records to it (restore it from a backup whose head hash you logged)")
{
    /// <summary>The verification result.</summary>
    public RecordChainStatus Status { get; } = status;
}
