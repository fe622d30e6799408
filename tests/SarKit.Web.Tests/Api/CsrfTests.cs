using System.Net;
using System.Text;
using System.Text.Json;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// Cross-site request forgery: every state-changing request must come from the app's own origin (Origin, else
/// Sec-Fetch-Site / Referer) and carry the non-simple header <see cref="CsrfGuard.HeaderName"/>; JSON endpoints take
/// JSON only.
/// </summary>
public sealed class CsrfTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private static string Example => File.ReadAllText(Path.Combine(TestData.RepoRoot, "examples", "nema", "calorimetry_example.json"));

    private async Task<int> RecordCount()
    {
        var r = await factory.CreateClient().GetAsync("/api/records");
        var j = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        return j.GetProperty("count").GetInt32();
    }

    private static async Task<JsonElement> Error(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text}");
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        var j = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)expected, j.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(j.GetProperty("error").GetString()));
        return j;
    }

    private static HttpRequestMessage Record(string contentType, params (string Name, string Value)[] headers)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/nema/calorimetry?record=true")
        {
            Content = new StringContent(Example, Encoding.UTF8, contentType),
        };
        foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
        return req;
    }

    [Fact]
    public async Task A_cross_site_text_plain_post_is_refused_and_adds_no_record()
    {
        int before = await RecordCount();
        var http = factory.CreateBareClient();
        // what an HTML form or a no-cors fetch on another site sends: a "simple" request, no custom header
        var j = await Error(await http.SendAsync(Record("text/plain", ("Origin", "https://attacker.example"), ("Sec-Fetch-Site", "cross-site"))), HttpStatusCode.Forbidden);
        Assert.Contains("origin", j.GetProperty("error").GetString()!, StringComparison.OrdinalIgnoreCase);
        // even with the custom header (impossible cross-site without a CORS preflight, which the app never grants)
        await Error(await http.SendAsync(Record("application/json", ("Origin", "https://attacker.example"), (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        await Error(await http.SendAsync(Record("application/json", ("Origin", "null"), (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        await Error(await http.SendAsync(Record("application/json", ("Origin", "http://localhost:1234"), (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        await Error(await http.SendAsync(Record("application/json", ("Referer", "https://attacker.example/page"), (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        await Error(await http.SendAsync(Record("application/json", ("Sec-Fetch-Site", "same-site"), (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        // no origin information at all on a state-changing request
        await Error(await http.SendAsync(Record("application/json", (CsrfGuard.HeaderName, "1"))), HttpStatusCode.Forbidden);
        Assert.Equal(before, await RecordCount());
    }

    [Fact]
    public async Task A_same_origin_post_without_the_request_header_is_refused()
    {
        int before = await RecordCount();
        var http = factory.CreateBareClient();
        var j = await Error(await http.SendAsync(Record("application/json", ("Origin", SarKitWebFactory.Origin))), HttpStatusCode.Forbidden);
        Assert.Contains(CsrfGuard.HeaderName, j.GetProperty("error").GetString()!);
        await Error(await http.SendAsync(Record("application/json", ("Sec-Fetch-Site", "same-origin"))), HttpStatusCode.Forbidden);
        Assert.Equal(before, await RecordCount());
        // every state-changing method, on any path (one middleware, not per endpoint)
        foreach (var m in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Post })
        {
            var req = new HttpRequestMessage(m, "/api/sar/slices") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            req.Headers.Add("Origin", "https://attacker.example");
            await Error(await http.SendAsync(req), HttpStatusCode.Forbidden);
        }
        var r = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/index.html") { Content = new StringContent("x") });
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task A_same_origin_post_with_the_request_header_works()
    {
        int before = await RecordCount();
        var http = factory.CreateBareClient();
        var r = await http.SendAsync(Record("application/json", ("Origin", SarKitWebFactory.Origin), (CsrfGuard.HeaderName, "1")));
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, await RecordCount());
        // a browser that sends no Origin but Sec-Fetch-Site, or only a same-origin Referer
        r = await http.SendAsync(Record("application/json", ("Sec-Fetch-Site", "same-origin"), (CsrfGuard.HeaderName, "1")));
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        r = await http.SendAsync(Record("application/json", ("Referer", SarKitWebFactory.Origin + "/#/nema"), (CsrfGuard.HeaderName, "1")));
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        Assert.Equal(before + 3, await RecordCount());
        // safe methods need nothing
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/datasets")).StatusCode);
    }

    [Theory]
    [InlineData("/api/nema/calorimetry", "text/plain")]
    [InlineData("/api/nema/pulse-energy", "application/x-www-form-urlencoded")]
    [InlineData("/api/sar/slices", "multipart/form-data; boundary=x")]
    [InlineData("/api/probe/scan", "text/plain")]
    [InlineData("/api/vop/compress", "text/html")]
    [InlineData("/api/sar/slices", null)]
    public async Task Json_endpoints_refuse_other_content_types(string path, string? contentType)
    {
        int before = await RecordCount();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Example));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var j = await Error(await factory.CreateClient().PostAsync(path + "?record=true", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", j.GetProperty("error").GetString()!);
        Assert.Equal(before, await RecordCount());
    }
}
