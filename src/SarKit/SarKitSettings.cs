using System.Globalization;

namespace SarKit;

/// <summary>
/// Process-wide execution settings handed to the library's use cases and parallel kernels: the largest number of
/// threads a computation may use and the clock every time stamp and timeout is read from (a <see cref="TimeProvider"/>,
/// so tests can use a fake clock). <see cref="Default"/> comes from the machine and the environment; pass another
/// instance to a use case to override it. Neither setting changes a result: parallel reductions are ordered, and time
/// only appears in provenance fields, elapsed times and watchdogs.
/// </summary>
public sealed record SarKitSettings
{
    /// <summary>Environment variable that caps <see cref="MaxDegreeOfParallelism"/> (a positive integer).</summary>
    public const string MaxParallelismVariable = "SARKIT_MAX_PARALLELISM";

    private readonly int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Largest number of threads a computation may use (≥ 1; default: the machine's logical processors).</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = value >= 1 ? value
            : throw new SarKitInputException($"max degree of parallelism {value}; expected an integer ≥ 1.");
    }

    /// <summary>The clock for time stamps, elapsed times and timeouts (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The machine's settings: all logical processors, or <c>SARKIT_MAX_PARALLELISM</c> when set; the system clock.
    /// Read at first use (not in a static initialiser): a bad <c>SARKIT_MAX_PARALLELISM</c> throws
    /// <see cref="SarKitInputException"/> naming the variable and its value from this property, every time it is read,
    /// instead of a <see cref="TypeInitializationException"/>.
    /// </summary>
    public static SarKitSettings Default => DefaultSettings.Value;

    private static readonly Lazy<SarKitSettings> DefaultSettings = LazyFromEnvironment(() => Environment.GetEnvironmentVariable(MaxParallelismVariable));

    /// <summary>The lazily parsed settings of <see cref="Default"/>, with the variable read through <paramref name="read"/> (tests).</summary>
    internal static Lazy<SarKitSettings> LazyFromEnvironment(Func<string?> read) =>
        new(() => FromEnvironment(read()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Settings with <see cref="MaxDegreeOfParallelism"/> from the text of <c>SARKIT_MAX_PARALLELISM</c> (null or empty: all processors).</summary>
    public static SarKitSettings FromEnvironment(string? maxParallelism)
    {
        if (string.IsNullOrWhiteSpace(maxParallelism)) return new SarKitSettings();
        if (!int.TryParse(maxParallelism.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new SarKitInputException($"{MaxParallelismVariable}='{maxParallelism}'; expected a positive integer.");
        return new SarKitSettings { MaxDegreeOfParallelism = n };
    }

    /// <summary><see cref="System.Threading.Tasks.ParallelOptions"/> with this <see cref="MaxDegreeOfParallelism"/>.</summary>
    public ParallelOptions ParallelOptions(CancellationToken cancellation = default) =>
        new() { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellation };

    /// <summary>The current UTC time of <see cref="Time"/>.</summary>
    public DateTimeOffset UtcNow => Time.GetUtcNow();
}
