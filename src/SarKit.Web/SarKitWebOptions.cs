using System.Net;

namespace SarKit.Web;

/// <summary>
/// Settings of the SarKit web app (docs/web.md). Bound from the configuration section "SarKit" when the app is started
/// without an explicit instance (e.g. <c>SarKit__DataFolder=/data dotnet SarKit.Web.dll</c>).
/// </summary>
public sealed class SarKitWebOptions
{
    /// <summary>Default port of <c>sarkit serve</c>.</summary>
    public const int DefaultPort = 5178;

    /// <summary>Folder whose dataset files the app may read; every file access stays inside it.</summary>
    public string DataFolder { get; set; } = "";
    /// <summary>Measurement records database (a .db file or a folder holding records.db); null: $SARKIT_RECORDS, else none.</summary>
    public string? Records { get; set; }
    /// <summary>Largest request body accepted (measurement files, drives), bytes.</summary>
    public long MaxUploadBytes { get; set; } = 1 << 20;
    /// <summary>Time after which a request is cancelled with 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);
    /// <summary>Addresses to listen on (default http://127.0.0.1:<see cref="DefaultPort"/>).</summary>
    public List<string> Urls { get; set; } = [];
    /// <summary>Allow non-loopback addresses and remote clients.</summary>
    public bool Public { get; set; }
    /// <summary>Averaging mass of the SAR viewer when a request names none (kg).</summary>
    public double DefaultMassKg { get; set; } = 0.01;
    /// <summary>Datasets (with their Q-matrices) kept in memory at once, at most (the byte budget usually binds first).</summary>
    public int CachedDatasets { get; set; } = 16;
    /// <summary>
    /// Memory budget of the dataset cache, bytes (0: automatic, <see cref="DefaultCacheBudgetBytes"/>). A dataset whose
    /// estimated size exceeds it is refused (422); least recently used datasets are evicted to stay within it.
    /// </summary>
    public long CacheBudgetBytes { get; set; }
    /// <summary>Heavy requests (SAR maps, sequence checks, VOP files, probe scans, dataset headers) run at once, at most (0: max(2, cores)).</summary>
    public int MaxConcurrentRequests { get; set; }
    /// <summary>Heavy requests waiting for a free slot, at most; further ones are answered 503 at once.</summary>
    public int RequestQueueLimit { get; set; } = 256;

    /// <summary>Automatic cache budget: a quarter of the memory available to the process, at most 2 GiB, at least 256 MiB.</summary>
    public static long DefaultCacheBudgetBytes
    {
        get
        {
            long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            long quarter = total > 0 ? total / 4 : 1L << 30;
            return Math.Clamp(quarter, 256L << 20, 2L << 30);
        }
    }

    /// <summary>The cache budget in force (bytes).</summary>
    public long EffectiveCacheBudgetBytes => CacheBudgetBytes > 0 ? CacheBudgetBytes : DefaultCacheBudgetBytes;

    /// <summary>The concurrency limit of heavy requests in force.</summary>
    public int EffectiveMaxConcurrentRequests => MaxConcurrentRequests > 0 ? MaxConcurrentRequests : Math.Max(2, SarKitSettings.Default.MaxDegreeOfParallelism);

    /// <summary>Listens on <paramref name="port"/> (0: any free port) of 127.0.0.1, or of every interface when <see cref="Public"/>.</summary>
    public void ListenOnPort(int port)
    {
        if (port is < 0 or > 65535) throw new SarKitInputException($"Port {port}: expected 0…65535 (0: any free port).");
        if (Urls.Count > 0) throw new SarKitInputException("Give either a port or URLs, not both.");
        Urls.Add($"http://{(Public ? "0.0.0.0" : "127.0.0.1")}:{port}");
    }

    /// <summary>The folder as a full path (without trailing separator).</summary>
    public string DataFolderFullPath => Path.TrimEndingDirectorySeparator(Path.GetFullPath(DataFolder));

    /// <summary>Checks the settings: the data folder exists; every URL is loopback unless <see cref="Public"/>.</summary>
    public SarKitWebOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(DataFolder)) throw new SarKitInputException("No data folder configured (--data DIR).");
        if (!Directory.Exists(DataFolder)) throw new SarKitInputException($"Data folder '{DataFolder}' does not exist.");
        if (MaxUploadBytes <= 0) throw new SarKitInputException($"Upload limit must be positive, got {MaxUploadBytes} bytes.");
        if (CacheBudgetBytes < 0) throw new SarKitInputException($"Dataset cache budget must be positive (or 0: automatic), got {CacheBudgetBytes} bytes.");
        if (CachedDatasets <= 0) throw new SarKitInputException($"Cached datasets must be at least 1, got {CachedDatasets}.");
        if (MaxConcurrentRequests < 0 || MaxConcurrentRequests > 1024) throw new SarKitInputException($"Concurrent requests must be 1…1024 (or 0: automatic), got {MaxConcurrentRequests}.");
        if (RequestQueueLimit < 0 || RequestQueueLimit > 100_000) throw new SarKitInputException($"Request queue limit must be 0…100000, got {RequestQueueLimit}.");
        if (RequestTimeout <= TimeSpan.Zero) throw new SarKitInputException($"Request timeout must be positive, got {RequestTimeout}.");
        foreach (var u in Urls)
        {
            if (!Uri.TryCreate(u.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new SarKitInputException($"URL '{u}' is not an http:// or https:// address (e.g. http://127.0.0.1:{DefaultPort}).");
            if (!Public && !IsLoopbackHost(uri.Host))
                throw new SarKitInputException($"URL '{u}' is not a loopback address; the web app listens on 127.0.0.1 only unless --public is given.");
        }
        return this;
    }

    /// <summary>True for "localhost", 127.0.0.0/8 and ::1.</summary>
    public static bool IsLoopbackHost(string host)
    {
        host = host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
