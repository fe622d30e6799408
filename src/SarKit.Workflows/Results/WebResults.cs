namespace SarKit.Workflows.Results;

/// <summary>What the local web app runs on: version, data folder, records database, defaults, upload limit and cache state.</summary>
/// <param name="Name">Always <c>"SarKit"</c>.</param>
/// <param name="Version">SarKit version, e.g. <c>"0.1.0"</c>.</param>
/// <param name="DataFolder">Absolute path of the data folder the app serves (<c>--data</c>).</param>
/// <param name="RecordsConfigured">True when a records database is configured (<c>--db</c>).</param>
/// <param name="DefaultMassKg">Averaging mass of the SAR viewer and the VOP/sequence pages (kg).</param>
/// <param name="MaxUploadBytes">Largest accepted request body.</param>
/// <param name="Cache">Dataset cache and request-limit state.</param>
[JsonResult("GET /api/about", Web = "GET /api/about", Order = 600)]
public sealed record WebAppInfoResult(string Name, string Version, string DataFolder, bool RecordsConfigured, double DefaultMassKg, long MaxUploadBytes, WebCacheResult Cache);

/// <summary>Dataset cache state and heavy-request limits of the web app.</summary>
/// <param name="BudgetBytes">Byte budget of the dataset cache (<c>--cache-mb</c>).</param>
/// <param name="UsedBytes">Bytes the cached datasets hold now.</param>
/// <param name="Datasets">Number of datasets held.</param>
/// <param name="Loads">Dataset loads since the start.</param>
/// <param name="MaxConcurrentRequests">Heavy requests computed at once.</param>
/// <param name="RequestQueueLimit">Heavy requests allowed to wait before the app answers 503.</param>
public sealed record WebCacheResult(long BudgetBytes, long UsedBytes, int Datasets, int Loads, int MaxConcurrentRequests, int RequestQueueLimit);
