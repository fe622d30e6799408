using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SarKit.Cli;
using SarKit.Measurement.Probe;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>POST /api/probe/scan against the library and the CLI (`sarkit scan process --json`) on examples/probe.</summary>
public sealed class ProbeApiTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private static string Example(string name) => Path.Combine(TestData.RepoRoot, "examples", "probe", name);
    private static object Body(string? calibration = null, string? date = null, string? path = null, string? extrapolation = null) => new
    {
        calibration = calibration ?? File.ReadAllText(Example("calibration.json")),
        liquid = File.ReadAllText(Example("liquid.json")),
        scan_csv = File.ReadAllText(Example("scan_example.csv")),
        date, path, extrapolation,
    };

    private static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text[..Math.Min(400, text.Length)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonElement Cube(JsonElement result, double massG) =>
        result.GetProperty("cubes").EnumerateArray().Single(c => Math.Abs(c.GetProperty("mass_g").GetDouble() - massG) < 1e-9);

    [Fact]
    public async Task Example_gives_the_same_psSAR_as_the_cli_and_the_library()
    {
        var j = await Json(await _http.PostAsJsonAsync("/api/probe/scan", Body()), HttpStatusCode.OK);
        var r = j.GetProperty("result");

        // the CLI path (sarkit scan process --json), in process
        var stdout = new StringWriter(); var stderr = new StringWriter();
        int code = CliApp.Run(["scan", "process", Example("scan_example.csv"), "--calibration", Example("calibration.json"), "--liquid", Example("liquid.json"), "--json"], stdout, stderr);
        Assert.True(code == CliApp.ExitCheckFailed, stderr.ToString()); // the example scan (psSAR 1 g 1.96 W/kg) exceeds the 1.6 W/kg 1 g limits of the default table: verdict exit 3 (issue 17)
        var cli = JsonDocument.Parse(stdout.ToString()).RootElement;
        double CliCube(double g) => cli.GetProperty("cubes").EnumerateArray().Single(c => Math.Abs(c.GetProperty("mass_g").GetDouble() - g) < 1e-9).GetProperty("ps_sar_w_per_kg").GetDouble();
        Assert.Equal(CliCube(1), Cube(r, 1).GetProperty("ps_sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(CliCube(10), Cube(r, 10).GetProperty("ps_sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(cli.GetProperty("area_peak").GetProperty("sar_w_per_kg").GetDouble(), r.GetProperty("area_peak").GetProperty("sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(cli.GetProperty("uncertainty").GetProperty("one_gram").GetProperty("expanded_percent").GetDouble(), r.GetProperty("uncertainty").GetProperty("one_gram").GetProperty("expanded_percent").GetDouble(), 12);
        Assert.Equal(cli.GetProperty("limits").GetArrayLength(), r.GetProperty("limits").GetArrayLength());
        Assert.Equal(cli.GetProperty("limits").EnumerateArray().Select(l => l.GetProperty("within_limit").GetBoolean()),
            r.GetProperty("limits").EnumerateArray().Select(l => l.GetProperty("within_limit").GetBoolean()));
        Assert.False(r.GetProperty("limits").EnumerateArray().All(l => l.GetProperty("within_limit").GetBoolean())); // the example exceeds the 1.6 W/kg (1 g) limits

        // the library directly (ScanProcessor.Process with the CLI's masses: 1 g, 10 g and the limit masses)
        var scan = ScanFile.Read(Example("scan_example.csv"));
        var opt = new ScanProcessingOptions { Date = new DateOnly(2026, 11, 21), MassesKg = [1e-3, 10e-3] };
        var lib = ScanProcessor.Process(scan, ProbeCalibration.Read(Example("calibration.json")), LiquidProperties.Read(Example("liquid.json")), opt);
        Assert.Equal(lib.PeakSar(1), Cube(r, 1).GetProperty("ps_sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(lib.PeakSar(10), Cube(r, 10).GetProperty("ps_sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(lib.PeakColumn.Exponential!.S0, r.GetProperty("peak_column").GetProperty("exponential").GetProperty("s0_w_per_kg").GetDouble(), 12);
        Assert.Equal(lib.PeakColumn.Polynomial!.S0, r.GetProperty("peak_column").GetProperty("polynomial").GetProperty("s0_w_per_kg").GetDouble(), 12);

        Assert.Equal("2026-11-21", r.GetProperty("date").GetString());
        Assert.True(Cube(r, 1).GetProperty("expanded_uncertainty_w_per_kg").GetDouble() > 0);
        Assert.StartsWith("# SAR measurement report (E-field probe)", j.GetProperty("report_markdown").GetString());
        Assert.Contains("<table>", j.GetProperty("report_html").GetString());
        foreach (var pic in new[] { "area_png_data_uri", "decay_png_data_uri" })
        {
            var uri = j.GetProperty(pic).GetString()!;
            Assert.StartsWith("data:image/png;base64,", uri);
            var png = Convert.FromBase64String(uri["data:image/png;base64,".Length..]);
            Assert.True(png.AsSpan(0, 8).SequenceEqual(SarKit.Plotting.PlotFile.PngSignature));
        }
        Assert.Equal(JsonValueKind.Null, j.GetProperty("record").ValueKind);
    }

    [Fact]
    public async Task Polynomial_extrapolation_and_convf_path_are_passed_to_the_library()
    {
        var j = await Json(await _http.PostAsJsonAsync("/api/probe/scan", Body(path: "cf", extrapolation: "polynomial")), HttpStatusCode.OK);
        Assert.Equal("cf", j.GetProperty("result").GetProperty("sar_path").GetString());
        Assert.Equal("polynomial", j.GetProperty("result").GetProperty("extrapolation").GetString());
        // the example calibration has no Norm/ConvF: the library refuses the ConvF path with its message
        var convf = await Json(await _http.PostAsJsonAsync("/api/probe/scan", Body(path: "convf")), HttpStatusCode.BadRequest);
        Assert.Contains("ConvF path needs", convf.GetProperty("error").GetString());
        var bad = await Json(await _http.PostAsJsonAsync("/api/probe/scan", Body(path: "xyz")), HttpStatusCode.BadRequest);
        Assert.Contains("expected cf or convf", bad.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Expired_calibration_gives_400_with_the_library_message()
    {
        var cal = File.ReadAllText(Example("calibration.json")).Replace("\"valid_until\": \"2027-11-02\"", "\"valid_until\": \"2026-11-10\"");
        Assert.Contains("2026-11-10", cal);
        var j = await Json(await _http.PostAsJsonAsync("/api/probe/scan", Body(calibration: cal)), HttpStatusCode.BadRequest);
        var msg = j.GetProperty("error").GetString()!;
        Assert.Contains("expired on 2026-11-10", msg);
        Assert.Contains("scan date 2026-11-21", msg);
        var missing = await Json(await _http.PostAsJsonAsync("/api/probe/scan", new { calibration = cal }), HttpStatusCode.BadRequest);
        Assert.Contains("scan_csv", missing.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Reading_below_the_dc_offset_gives_400()
    {
        var lines = File.ReadAllLines(Example("scan_example.csv")).ToList();
        int i = lines.FindIndex(l => l.StartsWith("area,", StringComparison.Ordinal));
        Assert.True(i > 0);
        var f = lines[i].Split(',');
        f[4] = "0.001"; // below DC offset 0.12 mV of channel 1
        lines[i] = string.Join(',', f);
        var body = new { calibration = File.ReadAllText(Example("calibration.json")), liquid = File.ReadAllText(Example("liquid.json")), scan_csv = string.Join('\n', lines) };
        var j = await Json(await _http.PostAsJsonAsync("/api/probe/scan", body), HttpStatusCode.BadRequest);
        Assert.Equal("bad_input", j.GetProperty("kind").GetString());
        Assert.Contains("below the DC offset", j.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Missing_zoom_point_gives_400_naming_it()
    {
        var lines = File.ReadAllLines(Example("scan_example.csv")).ToList();
        int i = lines.FindIndex(l => l.StartsWith("zoom,", StringComparison.Ordinal));
        Assert.True(i > 0);
        lines.RemoveAt(i);
        var body = new { calibration = File.ReadAllText(Example("calibration.json")), liquid = File.ReadAllText(Example("liquid.json")), scan_csv = string.Join('\n', lines) };
        var j = await Json(await _http.PostAsJsonAsync("/api/probe/scan", body), HttpStatusCode.BadRequest);
        var msg = j.GetProperty("error").GetString()!;
        Assert.Contains("not a complete grid", msg);
        Assert.Contains("1 missing", msg);
    }

    [Fact]
    public async Task Oversized_body_gives_413()
    {
        var big = JsonSerializer.Serialize(new { calibration = "x", liquid = "y", scan_csv = new string('1', (int)SarKitWebFactory.UploadLimit) });
        var j = await Json(await _http.PostAsync("/api/probe/scan", new StringContent(big, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("too_large", j.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Example_files_are_served_for_the_page()
    {
        foreach (var (url, file) in new[] { ("/examples/probe/calibration.json", "calibration.json"), ("/examples/probe/liquid.json", "liquid.json"), ("/examples/probe/scan_example.csv", "scan_example.csv") })
        {
            var r = await _http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(File.ReadAllText(Example(file)), await r.Content.ReadAsStringAsync());
        }
        var js = await _http.GetAsync("/js/pages/probe.js");
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
    }
}
