namespace SarKit.Workflows.Results;

/// <summary>One stored measurement record with its texts verbatim (docs/nema-ms8.md, "Measurement records").</summary>
/// <param name="Id">Record id.</param>
/// <param name="CreatedUtc">Time the record was added, ISO 8601 UTC.</param>
/// <param name="Method">Evaluation method (calorimetry, pulse-energy, probe-scan, …).</param>
/// <param name="SarWPerKg">The record's SAR, W/kg (psSAR 1 g for probe scans; 0 for records without one).</param>
/// <param name="SarkitVersion">SarKit version that produced the result.</param>
/// <param name="ContentSha256">Hex SHA-256 of UTF-8(input_json) ‖ 0x00 ‖ UTF-8(result_json) [‖ 0x00 ‖ UTF-8(input_original)].</param>
/// <param name="HashVerifies">Whether the content hash matches the stored texts.</param>
/// <param name="InputJson">The input as JSON (the file verbatim for JSON files, the converted document for YAML files).</param>
/// <param name="ResultJson">The result JSON at record time (snake_case; web records made before the unified schema are camelCase).</param>
/// <param name="InputOriginal">The YAML file verbatim, or null.</param>
/// <param name="ChainSha256">The record's hash-chain link.</param>
[JsonResult("sarkit records show ID --json", Web = "GET /api/records/{id}", Order = 520)]
public sealed record RecordResult(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion,
    string ContentSha256, bool HashVerifies, string InputJson, string ResultJson, string? InputOriginal, string? ChainSha256);

/// <summary>All records of a store, in id order, after the whole hash chain was verified.</summary>
/// <param name="Database">Store location (SQLite path, or postgresql://host[:port]/database without credentials).</param>
/// <param name="Count">Number of records.</param>
/// <param name="Records">The records.</param>
[JsonResult("sarkit records list --json", Order = 521)]
public sealed record RecordListResult(string Database, int Count, RecordResult[] Records);

/// <summary>One record without its texts (web list).</summary>
/// <param name="Id">Record id.</param>
/// <param name="CreatedUtc">Time the record was added, ISO 8601 UTC.</param>
/// <param name="Method">Evaluation method.</param>
/// <param name="SarWPerKg">The record's SAR, W/kg.</param>
/// <param name="SarkitVersion">SarKit version that produced the result.</param>
/// <param name="ContentSha256">The content hash (hex SHA-256).</param>
/// <param name="HashVerifies">Whether the content hash matches the stored texts.</param>
public sealed record RecordSummaryResult(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion, string ContentSha256, bool HashVerifies);

/// <summary>The web app's record list: whether a store is configured and exists, and its records without texts.</summary>
/// <param name="Configured">Whether a records location is configured (--records or $SARKIT_RECORDS).</param>
/// <param name="Database">The database file, or null when none is configured.</param>
/// <param name="Exists">Whether the database file exists yet.</param>
/// <param name="Count">Number of records.</param>
/// <param name="Records">The records in id order.</param>
[JsonResult("GET /api/records", Web = "GET /api/records", Order = 522)]
public sealed record RecordIndexResult(bool Configured, string? Database, bool Exists, int Count, RecordSummaryResult[] Records);

/// <summary>One compared value of two records.</summary>
/// <param name="Name">A result key, method, verdict, sarkit_version, or "input FIELD".</param>
/// <param name="A">Value in the first record (text), or null when absent.</param>
/// <param name="B">Value in the second record (text), or null when absent.</param>
public sealed record RecordDifferenceResult(string Name, string? A, string? B);

/// <summary>Comparison of two NEMA records (results in SI, verdict, inputs).</summary>
/// <param name="Database">Store location.</param>
/// <param name="Id1">First record id.</param>
/// <param name="Id2">Second record id.</param>
/// <param name="Sar1WPerKg">SAR of record 1, W/kg.</param>
/// <param name="Sar2WPerKg">SAR of record 2, W/kg.</param>
/// <param name="SarDifferenceWPerKg">SAR 2 − SAR 1, W/kg.</param>
/// <param name="SarDifferencePercent">Difference relative to record 1, %; null when its SAR is 0.</param>
/// <param name="Differences">Differing values (all values with --all).</param>
[JsonResult("sarkit records compare ID1 ID2 --json", Order = 523)]
public sealed record RecordCompareResult(string Database, long Id1, long Id2, double Sar1WPerKg, double Sar2WPerKg, double SarDifferenceWPerKg,
    double? SarDifferencePercent, RecordDifferenceResult[] Differences);

/// <summary>Verification of a records store: schema, every record's hashes, the chain and its metadata.</summary>
/// <param name="Database">Store location.</param>
/// <param name="Intact">True when everything verifies.</param>
/// <param name="Count">Records verified (0 when damaged).</param>
/// <param name="HeadSha256">Chain head hash, or null when damaged.</param>
/// <param name="FirstBrokenId">First broken record id, or null when the damage is not in one record.</param>
/// <param name="Problem">What is wrong, or null.</param>
[JsonResult("sarkit records verify --json", Web = "GET /api/records/verify", Order = 524)]
public sealed record RecordVerifyResult(string Database, bool Intact, long Count, string? HeadSha256, long? FirstBrokenId, string? Problem);
