using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>Every numeric form and query value is checked (finite, in range) and refused with a JSON 400 naming it.</summary>
public sealed class FormValidationTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<string> Error400(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"HTTP {(int)r.StatusCode}: {text}");
        Assert.StartsWith("application/json", r.Content.Headers.ContentType?.MediaType ?? "");
        return JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
    }

    [Theory]
    [InlineData("calibration=NaN", "calibration")]
    [InlineData("calibration=Infinity", "calibration")]
    [InlineData("calibration=-20", "calibration")]
    [InlineData("calibration=0", "calibration")]
    [InlineData("calibration=1e300", "calibration")]
    [InlineData("calibration=abc", "calibration")]
    [InlineData("marginPercent=NaN", "marginPercent")]
    [InlineData("marginPercent=1e308", "marginPercent")]
    [InlineData("marginPercent=-1", "marginPercent")]
    public async Task Seq_check_refuses_bad_numbers_before_any_work(string query, string field)
    {
        var r = await _http.PostAsync($"/api/seq/check?path={TestData.DemoName}&matrices=vop&{query}",
            new StringContent("[VERSION]\nmajor 1\nminor 4\nrevision 1\n", Encoding.UTF8, "text/plain"));
        var msg = await Error400(r);
        Assert.Contains(field, msg);
    }

    [Fact]
    public async Task An_oversized_seq_upload_is_refused_with_413()
    {
        var big = "[VERSION]\nmajor 1\nminor 4\nrevision 1\n# " + new string('x', (int)SarKitWebFactory.UploadLimit) + "\n";
        var r = await _http.PostAsync($"/api/seq/check?path={TestData.DemoName}", new StringContent(big, Encoding.UTF8, "text/plain"));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"HTTP {(int)r.StatusCode}: {text}");
        Assert.Contains("limit", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(1e300, 0.0)]
    [InlineData(-1.0, 0.0)]
    [InlineData(1.0, 1e300)]
    public async Task Sar_slices_refuse_out_of_range_drives(double amplitude, double phase)
    {
        var a = Enumerable.Repeat(1.0, 8).ToArray(); a[3] = amplitude;
        var p = new double[8]; p[3] = phase;
        var msg = await Error400(await _http.PostAsJsonAsync("/api/sar/slices", new { path = TestData.DemoName, drive = new { amplitude = a, phaseDeg = p }, massG = 0 }));
        Assert.Contains("channel 3", msg);
    }

    [Theory]
    [InlineData("{\"path\": \"ptx8_7T_demo.h5\", \"drive\": {\"amplitude\": [1e400]}}")]
    [InlineData("{\"path\": \"ptx8_7T_demo.h5\", \"drive\": {\"amplitude\": [\"NaN\"]}}")]
    [InlineData("{\"path\": \"ptx8_7T_demo.h5\", \"massG\": 1e999}")]
    [InlineData("{\"path\": \"ptx8_7T_demo.h5\", \"at\": {\"i\": 99999999999, \"j\": 0, \"k\": 0}}")]
    public async Task Json_numbers_that_do_not_fit_are_refused(string body)
    {
        await Error400(await _http.PostAsync("/api/sar/slices", new StringContent(body, Encoding.UTF8, "application/json")));
    }
}
