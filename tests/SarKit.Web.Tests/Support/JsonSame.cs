using System.Net;
using System.Text.Json;

namespace SarKit.Web.Tests.Support;

/// <summary>Helpers of the pulse-design API tests: read a JSON answer with its status, poll a background job, deep-compare two results.</summary>
public static class JsonSame
{
    /// <summary>Timing fields: the only ones allowed to differ between two runs of the same design.</summary>
    private static readonly HashSet<string> Timing = ["elapsed_s", "solve_s", "solve_cpu_s"];

    /// <summary>The JSON body of <paramref name="r"/>, asserting its status.</summary>
    public static async Task<JsonElement> Read(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Xunit.Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text[..Math.Min(text.Length, 2000)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls /api/<paramref name="api"/>/job until the job is no longer running (the server's own work is bounded; the wait is generous for a loaded machine).</summary>
    public static async Task<JsonElement> WaitForJob(HttpClient http, string api, string id)
    {
        var end = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            var j = await Read(await http.GetAsync($"/api/{api}/job?id={id}"), HttpStatusCode.OK);
            if (j.GetProperty("state").GetString() != "running") return j;
            Xunit.Assert.True(DateTime.UtcNow < end, $"job {id} still running: {j.GetProperty("stage")}");
            await Task.Delay(500);
        }
    }

    /// <summary>Deep equality of two JSON values: same keys, strings, booleans, array lengths; numbers to 1e-9 relative (timings skipped).</summary>
    public static void Assert(JsonElement a, JsonElement b, string path)
    {
        Xunit.Assert.True(a.ValueKind == b.ValueKind, $"{path}: {a.ValueKind} vs {b.ValueKind}");
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                Xunit.Assert.Equal(a.EnumerateObject().Select(p => p.Name), b.EnumerateObject().Select(p => p.Name));
                foreach (var p in a.EnumerateObject())
                    if (!Timing.Contains(p.Name)) Assert(p.Value, b.GetProperty(p.Name), path + "." + p.Name);
                break;
            case JsonValueKind.Array:
                Xunit.Assert.True(a.GetArrayLength() == b.GetArrayLength(), $"{path}: length {a.GetArrayLength()} vs {b.GetArrayLength()}");
                for (int i = 0; i < a.GetArrayLength(); i++) Assert(a[i], b[i], $"{path}[{i}]");
                break;
            case JsonValueKind.Number:
                double x = a.GetDouble(), y = b.GetDouble();
                Xunit.Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))), $"{path}: {x:R} vs {y:R}");
                break;
            default:
                Xunit.Assert.True(a.ToString() == b.ToString(), $"{path}: '{a}' vs '{b}'");
                break;
        }
    }
}
