using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// The dataset cache is bounded by bytes (LRU), refuses a dataset larger than its budget, and loads a dataset once
/// however many requests ask for it at the same time (<see cref="ByteBudgetCache{T}"/>, <see cref="DatasetCache"/>).
/// </summary>
public sealed class DatasetCacheTests
{
    private sealed class Blob(string name, long bytes) { public string Name = name; public long Bytes = bytes; }

    private static Task<Blob> Get(ByteBudgetCache<Blob> c, string key, long bytes, Action? onLoad = null) =>
        c.GetAsync(key, key, () => bytes, () => { onLoad?.Invoke(); return new Blob(key, bytes); }, b => b.Bytes, CancellationToken.None);

    [Fact]
    public async Task Datasets_loaded_in_turn_stay_within_the_byte_budget_in_lru_order()
    {
        var c = new ByteBudgetCache<Blob>(budgetBytes: 100, maxEntries: 100);
        var loads = new List<string>();
        foreach (var k in new[] { "a", "b", "c" })
        {
            await Get(c, k, 30, () => loads.Add(k));
            Assert.True(c.UsedBytes <= c.BudgetBytes, $"{c.UsedBytes} > {c.BudgetBytes}");
        }
        Assert.Equal(["c", "b", "a"], c.LoadedKeys);
        Assert.Equal(90, c.UsedBytes);

        await Get(c, "d", 30, () => loads.Add("d"));            // a (least recently used) goes
        Assert.Equal(["d", "c", "b"], c.LoadedKeys);
        var b = await Get(c, "b", 30, () => loads.Add("b again")); // a hit: no load, b becomes most recent
        Assert.Equal("b", b.Name);
        Assert.Equal(["b", "d", "c"], c.LoadedKeys);
        await Get(c, "e", 60, () => loads.Add("e"));            // needs 60: c and d go, b stays
        Assert.Equal(["e", "b"], c.LoadedKeys);
        Assert.Equal(90, c.UsedBytes);
        Assert.Equal(["a", "b", "c", "d", "e"], loads);
        Assert.Equal(5, c.LoadCount);

        // seven datasets in turn, each checked against the budget
        for (int i = 0; i < 7; i++)
        {
            await Get(c, $"ds{i}", 45);
            Assert.True(c.UsedBytes <= c.BudgetBytes, $"{c.UsedBytes} > {c.BudgetBytes} after ds{i}");
            Assert.Equal($"ds{i}", c.LoadedKeys[0]);
        }
        Assert.Equal(["ds6", "ds5"], c.LoadedKeys);
    }

    [Fact]
    public async Task The_entry_count_is_bounded_too()
    {
        var c = new ByteBudgetCache<Blob>(budgetBytes: 1_000_000, maxEntries: 2);
        foreach (var k in new[] { "a", "b", "c" }) await Get(c, k, 1);
        Assert.Equal(["c", "b"], c.LoadedKeys);
    }

    [Fact]
    public async Task A_value_larger_than_the_budget_is_refused_before_loading()
    {
        var c = new ByteBudgetCache<Blob>(budgetBytes: 100, maxEntries: 10);
        bool loaded = false;
        var e = await Assert.ThrowsAsync<CacheBudgetExceededException>(() => Get(c, "huge", 101, () => loaded = true));
        Assert.Contains("budget", e.Message);
        Assert.False(loaded);
        Assert.Equal(0, c.LoadCount);
        // one whose measured size turns out larger is handed out but not kept
        var under = await c.GetAsync("liar", "liar", () => 10, () => new Blob("liar", 500), x => x.Bytes, CancellationToken.None);
        Assert.Equal("liar", under.Name);
        Assert.Empty(c.LoadedKeys);
        Assert.Equal(0, c.UsedBytes);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_key_share_one_load_and_failures_are_not_cached()
    {
        var c = new ByteBudgetCache<Blob>(budgetBytes: 1000, maxEntries: 10);
        var gate = new ManualResetEventSlim(false);
        int calls = 0;
        var tasks = Enumerable.Range(0, 24).Select(_ => Task.Run(() => c.GetAsync("x", "x", () => 10,
            () => { Interlocked.Increment(ref calls); gate.Wait(TimeSpan.FromMinutes(2)); return new Blob("x", 10); }, b => b.Bytes, CancellationToken.None))).ToArray();
        while (Volatile.Read(ref calls) == 0) await Task.Delay(10);
        gate.Set();
        var all = await Task.WhenAll(tasks);
        Assert.Equal(1, calls);
        Assert.Equal(1, c.LoadCount);
        Assert.All(all, v => Assert.Same(all[0], v));

        int attempts = 0;
        Blob Flaky() { if (++attempts == 1) throw new InvalidDataException("broken"); return new Blob("y", 1); }
        await Assert.ThrowsAsync<InvalidDataException>(() => c.GetAsync("y", "y", () => 1, Flaky, b => b.Bytes, CancellationToken.None));
        Assert.Equal("y", (await c.GetAsync("y", "y", () => 1, Flaky, b => b.Bytes, CancellationToken.None)).Name);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Concurrent_api_requests_for_the_demo_load_it_once()
    {
        using var factory = new SarKitWebFactory();
        var http = factory.CreateClient();
        // default mass (10 g): the same key as the start-up warm-up of the first dataset, which must not load it again either
        var body = new { path = TestData.DemoName, drive = new { amplitude = Enumerable.Repeat(1.0, 8) } };
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.PostAsJsonAsync("/api/sar/slices", body)));
        foreach (var r in responses) Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var cache = factory.Services.GetRequiredService<DatasetCache>().Entries;
        Assert.Equal(1, cache.LoadCount);
        Assert.Single(cache.LoadedKeys);
        Assert.True(cache.UsedBytes > 0 && cache.UsedBytes <= cache.BudgetBytes);
        var about = JsonDocument.Parse(await http.GetStringAsync("/api/about")).RootElement.GetProperty("cache");
        Assert.Equal(1, about.GetProperty("loads").GetInt32());
        Assert.Equal(1, about.GetProperty("datasets").GetInt32());
        Assert.True(about.GetProperty("used_bytes").GetInt64() <= about.GetProperty("budget_bytes").GetInt64());
    }

    [Fact]
    public async Task A_dataset_larger_than_the_budget_is_refused_with_422()
    {
        using var factory = new SarKitWebFactory();
        factory.Settings["SarKit:CacheBudgetBytes"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var http = factory.CreateClient();
        var r = await http.PostAsJsonAsync("/api/sar/slices", new { path = TestData.DemoName, drive = new { amplitude = Enumerable.Repeat(1.0, 8) } });
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.UnprocessableEntity, text);
        var j = JsonDocument.Parse(text).RootElement;
        Assert.Contains(TestData.DemoName, j.GetProperty("error").GetString());
        Assert.Contains("budget", j.GetProperty("error").GetString());
        Assert.Equal(0, factory.Services.GetRequiredService<DatasetCache>().Entries.LoadCount);
        // the server still answers
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/datasets")).StatusCode);
    }
}
