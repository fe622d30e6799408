using System.Text.RegularExpressions;
using SarKit.Tests.Support;

namespace SarKit.Tests;

/// <summary>SarKitSettings: parallelism from the machine or SARKIT_MAX_PARALLELISM, read at first use; no clock or processor count read elsewhere.</summary>
public class SarKitSettingsTests
{
    [Fact]
    public void A_bad_SARKIT_MAX_PARALLELISM_is_an_input_error_at_first_use_not_a_type_initialisation_error()
    {
        int reads = 0;
        var lazy = SarKitSettings.LazyFromEnvironment(() => { reads++; return "two"; });
        Assert.Equal(0, reads); // nothing parsed before first use
        var ex = Assert.Throws<SarKitInputException>(() => lazy.Value);
        Assert.Contains(SarKitSettings.MaxParallelismVariable, ex.Message);
        Assert.Contains("'two'", ex.Message);
        Assert.Throws<SarKitInputException>(() => lazy.Value); // every use, same clear error
        Assert.Throws<SarKitInputException>(() => SarKitSettings.FromEnvironment("0"));
        Assert.Throws<SarKitInputException>(() => SarKitSettings.FromEnvironment("-3"));
        Assert.Throws<SarKitInputException>(() => new SarKitSettings { MaxDegreeOfParallelism = 0 });
    }

    [Fact]
    public void SARKIT_MAX_PARALLELISM_caps_the_threads_and_empty_means_the_machine()
    {
        Assert.Equal(3, SarKitSettings.LazyFromEnvironment(() => " 3 ").Value.MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, SarKitSettings.FromEnvironment(null).MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, SarKitSettings.FromEnvironment("").MaxDegreeOfParallelism);
        Assert.Equal(5, new SarKitSettings { MaxDegreeOfParallelism = 5 }.ParallelOptions().MaxDegreeOfParallelism);
        Assert.Same(TimeProvider.System, SarKitSettings.FromEnvironment(null).Time);
        Assert.Equal(SarKitSettings.Default.MaxDegreeOfParallelism, new SarKit.Compression.VopVerifierOptions().MaxDegreeOfParallelism);
        Assert.Equal(SarKitSettings.Default.MaxDegreeOfParallelism, new SarKit.Constraints.MvieOptions().MaxDegreeOfParallelism);
    }

    /// <summary>
    /// Files that may read the clock or the processor count directly: SarKitSettings.cs is the one place.
    /// </summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "src/SarKit/SarKitSettings.cs",
    };

    [Fact]
    public void Only_SarKitSettings_reads_the_clock_or_the_processor_count()
    {
        var root = SharedData.RepoRoot;
        var rx = new Regex(@"\b(DateTime\.UtcNow|DateTime\.Now|DateTimeOffset\.UtcNow|DateTimeOffset\.Now|Environment\.ProcessorCount)\b");
        var hits = new List<string>();
        var allowedWithHits = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, f).Replace('\\', '/');
            if (rel.Contains("/obj/") || rel.Contains("/bin/")) continue;
            var lines = File.ReadAllLines(f);
            for (int i = 0; i < lines.Length; i++)
            {
                var code = lines[i].Split("//")[0];
                if (!rx.IsMatch(code)) continue;
                if (Allowed.Contains(rel)) allowedWithHits.Add(rel);
                else hits.Add($"{rel}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(hits.Count == 0, "read the time from SarKitSettings.Time / a TimeProvider and the thread count from SarKitSettings.MaxDegreeOfParallelism:\n" + string.Join('\n', hits));
        Assert.Contains("src/SarKit/SarKitSettings.cs", allowedWithHits); // the scan sees real reads
        var stale = Allowed.Except(allowedWithHits).Order(StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, "no longer read the clock or the processor count; remove them from the allow-list of this test:\n" + string.Join('\n', stale));
    }
}
