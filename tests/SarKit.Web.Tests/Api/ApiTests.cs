using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;
using SarKit.Sar;
using SarKit.Web.Tests.Support;
using SarKit.IO.Formats;

namespace SarKit.Web.Tests.Api;

/// <summary>The JSON API in an in-memory server on a copy of the demo dataset.</summary>
public sealed class ApiTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private static readonly double[] Ones = [1, 1, 1, 1, 1, 1, 1, 1];
    private static readonly double[] CpPhases = [0, -45, -90, -135, -180, -225, -270, -315];
    private static readonly double[] OtherPhases = [0, 30, 0, 90, 0, 150, 0, -60];

    private async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text}");
        Assert.StartsWith("application/json", r.Content.Headers.ContentType?.MediaType ?? "");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> Error(HttpResponseMessage r, HttpStatusCode expected)
    {
        var j = await Json(r, expected);
        Assert.Equal((int)expected, j.GetProperty("status").GetInt32());
        return j.GetProperty("error").GetString()!;
    }

    private Task<HttpResponseMessage> Slices(object body) => _http.PostAsJsonAsync("/api/sar/slices", body);

    [Fact]
    public async Task Datasets_lists_the_files_inside_the_folder_only()
    {
        var j = await Json(await _http.GetAsync("/api/datasets"), HttpStatusCode.OK);
        var paths = j.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("path").GetString()).ToArray();
        Assert.Contains(TestData.DemoName, paths);
        Assert.Contains("sub/inside-link.h5", paths);       // a link that stays inside is fine
        Assert.DoesNotContain("escape.h5", paths);          // a link to a file outside is not listed
        Assert.DoesNotContain(paths, p => p!.StartsWith("linkdir/", StringComparison.Ordinal));
        var demo = j.GetProperty("datasets").EnumerateArray().First(d => d.GetProperty("path").GetString() == TestData.DemoName);
        Assert.Equal(new FileInfo(TestData.DemoFile).Length, demo.GetProperty("size_bytes").GetInt64());
    }

    [Fact]
    public async Task Info_gives_grid_tissue_and_channels_of_the_demo()
    {
        var j = await Json(await _http.GetAsync($"/api/datasets/info?path={TestData.DemoName}"), HttpStatusCode.OK);
        var g = j.GetProperty("grid");
        Assert.Equal((42, 32, 43), (g.GetProperty("nx").GetInt32(), g.GetProperty("ny").GetInt32(), g.GetProperty("nz").GetInt32()));
        Assert.True(g.GetProperty("uniform").GetBoolean());
        Assert.Equal(0.005, g.GetProperty("spacing_min_m").GetProperty("x").GetDouble(), 9);
        Assert.Equal(8, j.GetProperty("channels").GetInt32());
        Assert.Equal(8, j.GetProperty("channel_names").GetArrayLength());
        Assert.Equal(38540, j.GetProperty("tissue_voxels").GetInt32());
        Assert.Equal(4.80, j.GetProperty("tissue_mass_kg").GetDouble(), 2);
        Assert.Equal("per_volt_incident", j.GetProperty("normalisation").GetString());
        Assert.Equal("V", j.GetProperty("drive_unit").GetString());
        Assert.Equal(2.98e8, j.GetProperty("frequency_hz").GetDouble(), 0);
    }

    [Fact]
    public async Task Sar_slices_of_two_drives_differ_and_match_the_library()
    {
        var ds = DatasetFiles.Open(TestData.DemoFile);
        var g = ds.Grid;
        var results = new List<JsonElement>();
        foreach (var phases in new[] { CpPhases, OtherPhases })
        {
            var j = await Json(await Slices(new { path = TestData.DemoName, drive = new { amplitude = Ones, phaseDeg = phases } }), HttpStatusCode.OK);
            results.Add(j);
            var drive = new DriveVector(phases.Select(p => Complex.FromPolarCoordinates(1, p * Math.PI / 180)), ds.E.Normalisation);

            // point SAR: the library's direct σ|E|²/(2ρ)
            var local = LocalSar.Compute(ds.Tissue, ds.E, drive);
            var (peak, at) = LocalSar.Peak(local);
            var point = j.GetProperty("point");
            Assert.Equal(peak, point.GetProperty("peak_w_per_kg").GetDouble(), peak * 1e-9);
            var (pi, pj, pk) = g.Unravel(at);
            Assert.Equal((pi, pj, pk), Voxel(point.GetProperty("peak_voxel")));
            CheckSlices(point, local, g);

            // 10 g SAR: the library's scalar IEC/IEEE 62704-1 averaging of that map, on the server's cube set
            var maps = await factory.Services.GetRequiredService<DatasetCache>().GetAsync(Path.Combine(factory.DataFolder, TestData.DemoName), 0.01, default);
            var pad = maps.Padding;
            var paddedTissue = pad.Pad(ds.Tissue);
            var scalar = SpatialAverage.Compute(paddedTissue, pad.Pad(local), cubes: maps.AveragedQ!.Cubes);
            var avgMap = pad.Crop(scalar.Map);
            var avg = j.GetProperty("averaged");
            Assert.Equal(scalar.Peak, avg.GetProperty("peak_w_per_kg").GetDouble(), scalar.Peak * 1e-9);
            var (ai, aj, ak) = g.Unravel(pad.ToOriginal(scalar.PeakVoxel));
            Assert.Equal((ai, aj, ak), Voxel(avg.GetProperty("peak_voxel")));
            CheckSlices(avg, avgMap, g);
            Assert.Equal(0.01, j.GetProperty("mass_kg").GetDouble(), 12);
            Assert.Equal(8 * 1.0 / 100, j.GetProperty("incident_power_w").GetDouble(), 12); // Σ|b|²/(2·50 Ω)
        }
        double p0 = results[0].GetProperty("point").GetProperty("peak_w_per_kg").GetDouble(), p1 = results[1].GetProperty("point").GetProperty("peak_w_per_kg").GetDouble();
        double a0 = results[0].GetProperty("averaged").GetProperty("peak_w_per_kg").GetDouble(), a1 = results[1].GetProperty("averaged").GetProperty("peak_w_per_kg").GetDouble();
        Assert.True(Math.Abs(p0 - p1) > 1e-3 * p0, $"point peaks {p0} and {p1} should differ");
        Assert.True(Math.Abs(a0 - a1) > 1e-3 * a0, $"10 g peaks {a0} and {a1} should differ");
        Assert.True(a0 < p0 && a1 < p1, "the 10 g average is below the point peak");
    }

    private static (int, int, int) Voxel(JsonElement v) => (v.GetProperty("i").GetInt32(), v.GetProperty("j").GetInt32(), v.GetProperty("k").GetInt32());

    /// <summary>Every slice value equals the map at that voxel (float precision); slices go through the peak.</summary>
    private static void CheckSlices(JsonElement map, double[] expected, VoxelGrid g)
    {
        var (si, sj, sk) = Voxel(map.GetProperty("sliced_at"));
        Assert.Equal(Voxel(map.GetProperty("peak_voxel")), (si, sj, sk));
        var slices = map.GetProperty("slices").EnumerateArray().ToArray();
        Assert.Equal(new[] { "x", "y", "z" }, slices.Select(s => s.GetProperty("normal").GetString()!).ToArray());
        foreach (var s in slices)
        {
            int w = s.GetProperty("width").GetInt32(), h = s.GetProperty("height").GetInt32();
            var values = s.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(w * h, values.Length);
            for (int v = 0; v < h; v++)
                for (int u = 0; u < w; u++)
                {
                    int index = s.GetProperty("normal").GetString() switch
                    {
                        "x" => g.Index(si, u, v), "y" => g.Index(u, sj, v), _ => g.Index(u, v, sk),
                    };
                    Assert.Equal((float)expected[index], (float)values[v * w + u]);
                }
        }
    }

    [Fact]
    public async Task Slices_at_a_chosen_voxel_and_point_only()
    {
        var j = await Json(await Slices(new { path = TestData.DemoName, drive = new { amplitude = Ones }, massG = 0, at = new { i = 3, j = 4, k = 5 } }), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("averaged").ValueKind);
        var s = j.GetProperty("point").GetProperty("slices").EnumerateArray().Select(x => x.GetProperty("index").GetInt32()).ToArray();
        Assert.Equal([3, 4, 5], s);
        var msg = await Error(await Slices(new { path = TestData.DemoName, drive = new { amplitude = Ones }, massG = 0, at = new { i = 99, j = 0, k = 0 } }), HttpStatusCode.BadRequest);
        Assert.Contains("outside the grid", msg);
    }

    [Theory]
    [InlineData("../ptx8_7T_demo.h5")]
    [InlineData("sub/../../outside.h5")]
    [InlineData("sub/../ptx8_7T_demo.h5")]
    [InlineData("/etc/passwd")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("..%2F..%2Foutside.h5")]
    [InlineData("..\\outside.h5")]
    [InlineData("escape.h5")]
    [InlineData("linkdir/ptx8_7T_demo.h5")]
    [InlineData("")]
    public async Task Path_traversal_is_rejected(string path)
    {
        var msg = await Error(await _http.GetAsync($"/api/datasets/info?path={path}"), HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(msg));
        var body = new { path = Uri.UnescapeDataString(path), drive = new { amplitude = Ones } };
        await Error(await Slices(body), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_link_inside_the_folder_and_a_missing_file_are_told_apart()
    {
        await Json(await _http.GetAsync("/api/datasets/info?path=sub/inside-link.h5"), HttpStatusCode.OK);
        var msg = await Error(await _http.GetAsync("/api/datasets/info?path=nothere.h5"), HttpStatusCode.BadRequest);
        Assert.Contains("not found", msg);
    }

    [Fact]
    public async Task Oversized_uploads_are_rejected_with_413()
    {
        var big = "{\"method\": \"calorimetry\", \"description\": {\"x\": \"" + new string('a', (int)SarKitWebFactory.UploadLimit) + "\"}}";
        var msg = await Error(await _http.PostAsync("/api/nema/calorimetry", new StringContent(big, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("limit", msg);
        // without Content-Length (chunked): counted while reading
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/sar/slices") { Content = chunked };
        req.Headers.TransferEncodingChunked = true;
        await Error(await _http.SendAsync(req), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Bad_input_gives_400_with_the_library_message()
    {
        var wrongChannels = await Error(await Slices(new { path = TestData.DemoName, drive = new { amplitude = new[] { 1.0, 1.0 } } }), HttpStatusCode.BadRequest);
        Assert.Contains("8 channels", wrongChannels);
        var noDrive = await Error(await Slices(new { path = TestData.DemoName }), HttpStatusCode.BadRequest);
        Assert.Contains("drive", noDrive);
        var notJson = await Error(await _http.PostAsync("/api/sar/slices", new StringContent("{nope", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("JSON", notJson);
        var missing = await Error(await _http.PostAsync("/api/nema/calorimetry", new StringContent("{\"method\": \"calorimetry\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("missing required field 'phantom_mass'", missing);
        var unknown = await Error(await _http.GetAsync("/api/nothing"), HttpStatusCode.NotFound);
        Assert.Contains("/api/nothing", unknown);
        var badMass = await Error(await Slices(new { path = TestData.DemoName, drive = new { amplitude = Ones }, massG = -3 }), HttpStatusCode.BadRequest);
        Assert.Contains("massG", badMass);
    }

    [Fact]
    public async Task Nema_calorimetry_matches_the_library_and_is_recorded()
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepoRoot, "examples", "nema", "calorimetry_example.json"));
        var expected = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(text));
        var j = await Json(await _http.PostAsync("/api/nema/calorimetry?record=true", new StringContent(text, Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        Assert.Equal(expected.SarWPerKg, j.GetProperty("result").GetProperty("sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(expected.EnergyJ, j.GetProperty("result").GetProperty("energy_j").GetDouble(), 9);
        Assert.StartsWith("# NEMA MS 8-2016 SAR report", j.GetProperty("report_markdown").GetString());
        long id = j.GetProperty("record").GetProperty("id").GetInt64();

        var list = await Json(await _http.GetAsync("/api/records"), HttpStatusCode.OK);
        Assert.True(list.GetProperty("configured").GetBoolean());
        var rec = list.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.True(rec.GetProperty("hash_verifies").GetBoolean());
        Assert.Equal(expected.SarWPerKg, rec.GetProperty("sar_w_per_kg").GetDouble(), 12);
        var full = await Json(await _http.GetAsync($"/api/records/{id}"), HttpStatusCode.OK);
        Assert.Equal(text, full.GetProperty("input_json").GetString());
        await Error(await _http.GetAsync("/api/records/999999"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Nema_pulse_energy_matches_the_library()
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepoRoot, "examples", "nema", "pulse_energy_example.json"));
        var expected = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(text));
        var j = await Json(await _http.PostAsync("/api/nema/pulse-energy", new StringContent(text, Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        Assert.Equal(expected.SarWPerKg, j.GetProperty("result").GetProperty("sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(expected.AveragePowerW, j.GetProperty("result").GetProperty("average_power_w").GetDouble(), 12);
    }

    [Fact]
    public async Task The_front_end_is_served_with_a_strict_content_security_policy()
    {
        var r = await _http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("<title>SarKit</title>", await r.Content.ReadAsStringAsync());
        Assert.Contains("default-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var f in new[] { "/js/app.js", "/js/pages/index.js", "/js/pages/viewer.js", "/js/heatmap.js", "/css/app.css", "/examples/calorimetry_example.json" })
        {
            var x = await _http.GetAsync(f);
            Assert.True(x.StatusCode == HttpStatusCode.OK, f);
        }
        Assert.Equal("text/javascript", (await _http.GetAsync("/js/app.js")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/js/../../SarKit.Web.dll")).StatusCode);
    }

    [Fact]
    public async Task Requests_for_foreign_host_names_are_refused()
    {
        var req = new HttpRequestMessage(HttpMethod.Get, "/api/datasets");
        req.Headers.Host = "attacker.example";
        var r = await _http.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }
}
