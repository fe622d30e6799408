using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using SarKit.Cli;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Web.Api;
using SarKit.Web.Tests.Support;
using SarKit.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// RF shim page API (issue 20 item 6): a job on the demo gives the same result as <c>sarkit shim --json</c> for the same
/// inputs, certified; its maps and downloads agree with the result; bad input is refused with the field named;
/// a job can be cancelled.
/// </summary>
public sealed class ShimApiTests(SarKitWebFactory factory, ITestOutputHelper log) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private string Demo => Path.Combine(factory.DataFolder, TestData.DemoName);

    private static Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected) => JsonSame.Read(r, expected);

    private Task<JsonElement> Wait(string id) => JsonSame.WaitForJob(_http, "shim", id);

    private static void AssertSame(JsonElement a, JsonElement b, string path) => JsonSame.Assert(a, b, path);

    /// <summary>Per-channel peak power limits of the equality test (W; generous, so the design is the one without them, but they travel CLI and web alike).</summary>
    private static readonly double[] PeakEach = [4000, 4100, 4200, 4300, 4400, 4500, 4600, 4700];

    [Fact]
    public async Task A_job_on_the_demo_equals_sarkit_shim_json_and_is_certified()
    {
        const int z = 21; const double target = 1.5;
        var start = await Json(await _http.PostAsJsonAsync("/api/shim/start",
            new { path = TestData.DemoName, zIndex = z, targetUt = target, localLimitWPerKg = 10, globalLimitWPerKg = 3.2, constraints = "all", starts = 1, channelPeakPowersW = PeakEach }), HttpStatusCode.OK);
        string id = start.GetProperty("id").GetString()!;
        var job = await Wait(id);
        Assert.True(job.GetProperty("state").GetString() == "done", job.ToString());
        var web = job.GetProperty("result");

        // the CLI on the same file with the same inputs (the layer as the page sends it: its centre in mm)
        var grid = DatasetFiles.ReadInfo(Demo).Grid;
        string slice = RfShimMaps.SliceText(grid, z);
        var stdout = new StringWriter(); var stderr = new StringWriter();
        int code = CliApp.Run(["shim", "-f", Demo, "--slice", slice, "--target-ut", "1.5", "--limit", "10", "--global-limit", "3.2", "--starts", "1",
            "--channel-peak-power", .. PeakEach.Select(x => x.ToString("R", CultureInfo.InvariantCulture)), "--json"], stdout, stderr);
        Assert.True(code == CliApp.ExitOk, stderr.ToString());
        var cli = JsonDocument.Parse(stdout.ToString()).RootElement;
        AssertSame(cli, web, "result");

        // certified: the written design holds the limit on every original, and the result says so
        Assert.True(web.GetProperty("passed").GetBoolean());
        var designs = web.GetProperty("designs");
        var d0 = designs[0]; var cp = designs[designs.GetArrayLength() - 1];
        Assert.Equal("all", d0.GetProperty("constraints").GetString());
        Assert.Equal("cp", cp.GetProperty("constraints").GetString());
        Assert.True(d0.GetProperty("certified").GetBoolean());
        Assert.False(d0.GetProperty("scaled_to_limit").GetBoolean());
        double peak = d0.GetProperty("peak_sar10g_w_per_kg").GetDouble();
        Assert.True(peak <= 10, $"true peak {peak} W/kg");
        Assert.True(d0.GetProperty("nrmse").GetDouble() <= cp.GetProperty("nrmse").GetDouble());
        Assert.Contains($"index {z}", web.GetProperty("roi").GetString());
        Assert.Equal("", web.GetProperty("drive_file").GetString());
        Assert.Equal(PeakEach, web.GetProperty("channel_peak_powers_w").EnumerateArray().Select(x => x.GetDouble()));

        // maps: the layer, and the SAR viewer's 10 g evaluation of the same drives reproduces the certified peaks
        var maps = job.GetProperty("maps");
        Assert.Equal(z, maps.GetProperty("z_index").GetInt32());
        Assert.Equal(grid.CentreZ(z), maps.GetProperty("z_position_m").GetDouble(), 12);
        Assert.Equal(web.GetProperty("roi_voxels").GetInt32(), maps.GetProperty("roi_voxels").GetInt32());
        foreach (var (name, row) in new[] { ("after", d0), ("before", cp) })
        {
            var m = maps.GetProperty(name);
            Assert.Equal(row.GetProperty("constraints").GetString(), m.GetProperty("constraints").GetString());
            double p = row.GetProperty("peak_sar10g_w_per_kg").GetDouble(), q = m.GetProperty("peak_sar10g_w_per_kg").GetDouble();
            Assert.True(Math.Abs(p - q) <= 1e-9 * p, $"{name}: certified peak {p:R}, viewer peak {q:R}");
            Assert.True(m.GetProperty("layer_max_sar10g_w_per_kg").GetDouble() <= q * (1 + 1e-12));
            // mean |B1+| over the layer's tissue = the result's mean over the same region
            Assert.Equal(row.GetProperty("mean_b1_ut").GetDouble(), m.GetProperty("roi_mean_b1_ut").GetDouble(), 9);
            var b1 = m.GetProperty("b1_plus_ut");
            Assert.Equal(grid.Nx * grid.Ny, b1.GetProperty("values").GetArrayLength());
            Assert.Equal(z, b1.GetProperty("index").GetInt32());
        }
        log.WriteLine($"NRMSE {d0.GetProperty("nrmse").GetDouble():F4} (CP {cp.GetProperty("nrmse").GetDouble():F4}), true peak {peak:F4} W/kg, job {job.GetProperty("elapsed_s").GetDouble():F1} s");

        // downloads: the drive JSON is what `sarkit sar --drive` reads, equal to the design; the waveform is a CSV of it
        var driveResp = await _http.GetAsync($"/api/shim/drive?id={id}");
        Assert.Equal(HttpStatusCode.OK, driveResp.StatusCode);
        Assert.Contains("attachment", driveResp.Content.Headers.ContentDisposition?.ToString() ?? driveResp.Headers.ToString());
        var drivePath = Path.Combine(Path.GetTempPath(), $"shim-drive-{id}.json");
        await File.WriteAllTextAsync(drivePath, await driveResp.Content.ReadAsStringAsync());
        try
        {
            var drive = DriveVector.FromJsonFile(drivePath);
            var amp = d0.GetProperty("amplitude").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var ph = d0.GetProperty("phase_deg").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            Assert.Equal(amp.Length, drive.Channels);
            for (int c = 0; c < amp.Length; c++)
                Assert.True(Complex.Abs(drive[c] - Complex.FromPolarCoordinates(amp[c], ph[c] * Math.PI / 180)) <= 1e-12 * amp.Max());
            var sarOut = new StringWriter(); var sarErr = new StringWriter();
            int sarCode = CliApp.Run(["sar", "-f", Demo, "--drive", drivePath, "--json"], sarOut, sarErr);
            Assert.True(sarCode == CliApp.ExitOk, sarErr.ToString());
            double sarPeak = JsonDocument.Parse(sarOut.ToString()).RootElement.GetProperty("peak_sar_w_per_kg").GetDouble();
            Assert.True(Math.Abs(sarPeak - peak) <= 1e-9 * peak, $"sarkit sar --drive: {sarPeak:R} W/kg, shim certified {peak:R} W/kg");
        }
        finally { File.Delete(drivePath); }
        var wave = await _http.GetStringAsync($"/api/shim/waveform?id={id}");
        Assert.StartsWith("# unit: V", wave);
        Assert.Contains("re_1,im_1", wave);
    }

    [Theory]
    [InlineData("""{"path":"ptx8_7T_demo.h5","targetUt":0}""", "targetUt")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","targetUt":"NaN"}""", "targetUt")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","targetUt":1e300}""", "targetUt")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","localLimitWPerKg":-1}""", "localLimitWPerKg")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","localLimitWPerKg":"Infinity"}""", "localLimitWPerKg")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","globalLimitWPerKg":-0.1}""", "globalLimitWPerKg")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","zIndex":-1}""", "zIndex")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","zIndex":43}""", "zIndex")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","starts":0}""", "starts")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","starts":1000}""", "starts")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"vop","marginPercent":0}""", "marginPercent")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"everything"}""", "constraints")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"vop","vopFile":"../../etc/passwd"}""", "../../etc/passwd")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"mvie","mvieFile":"missing.h5"}""", "missing.h5")]
    [InlineData("""{"path":"nope.h5"}""", "nope.h5")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","dutyCycle":0}""", "dutyCycle = 0")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","dutyCycle":1.5}""", "dutyCycle = 1.5")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","dutyCycle":"NaN"}""", "dutyCycle")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelPeakPowerW":-1}""", "channelPeakPowerW = -1")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelAveragePowerW":"Infinity"}""", "channelAveragePowerW")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelPeakPowersW":[1,2,3]}""", "channelPeakPowersW: 3 values for 8 channels")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelAveragePowersW":[1,1,1,-2,1,1,1,1]}""", "channelAveragePowersW[3] (channel 4) = -2")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelPeakPowerW":5,"channelPeakPowersW":[1,1,1,1,1,1,1,1]}""", "channelPeakPowerW = 5 and channelPeakPowersW")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelPeakPowersW":[1,1,1,1,1,1,1,"x"]}""", "channelPeakPowersW")]
    public async Task Bad_input_is_a_400_naming_the_field(string body, string field)
    {
        var r = await _http.PostAsync("/api/shim/start", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var j = await Json(r, HttpStatusCode.BadRequest);
        Assert.Equal("bad_input", j.GetProperty("kind").GetString());
        Assert.Contains(field, j.GetProperty("error").GetString());
    }

    [Fact]
    public void Duty_cycle_and_power_limits_reach_the_job_input()
    {
        var folder = factory.Services.GetRequiredService<DataFolder>();
        var one = ShimEndpoints.Check(new ShimEndpoints.StartRequest(TestData.DemoName, 21, 1.5, null, null, null, null, null, null, 1, DutyCycle: 0.25,
            ChannelPeakPowerW: 300, ChannelAveragePowersW: [10, 20, 30, 40, 50, 60, 70, 80]), folder);
        Assert.Equal(0.25, one.DutyCycle);
        Assert.Equal(300, one.Form.ChannelPeakPowerW);
        Assert.Null(one.Form.ChannelPeakPowersW);
        Assert.Equal([10, 20, 30, 40, 50, 60, 70, 80], one.Form.ChannelAveragePowersW!);
        var request = one.Form.Apply(new RfShimRequest { FieldsPath = one.Form.FullPath, DutyCycle = one.DutyCycle }, "all", DatasetFiles.ReadInfo(Demo).Grid);
        Assert.Equal(300, request.ChannelPeakPowerW);
        Assert.Equal(one.Form.ChannelAveragePowersW, request.ChannelAveragePowersW);
        // left out: the CLI's defaults (duty 1, no power limits)
        var none = ShimEndpoints.Check(new ShimEndpoints.StartRequest(TestData.DemoName, null, null, null, null, null, null, null, null, null), folder);
        Assert.Equal(1, none.DutyCycle);
        Assert.Equal(0, none.Form.ChannelPeakPowerW + none.Form.ChannelAveragePowerW);
    }

    [Fact]
    public async Task Unknown_jobs_are_404_and_a_started_job_can_be_cancelled()
    {
        await Json(await _http.GetAsync("/api/shim/job?id=0123456789abcdef"), HttpStatusCode.NotFound);
        await Json(await _http.GetAsync("/api/shim/drive?id=0123456789abcdef"), HttpStatusCode.NotFound);
        var start = await Json(await _http.PostAsJsonAsync("/api/shim/start", new { path = TestData.DemoName, starts = 20 }), HttpStatusCode.OK);
        string id = start.GetProperty("id").GetString()!;
        var c = await Json(await _http.PostAsync($"/api/shim/cancel?id={id}", null), HttpStatusCode.OK);
        Assert.Equal(id, c.GetProperty("id").GetString());
        var j = await Wait(id);
        Assert.Equal("cancelled", j.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("result").ValueKind);
        await Json(await _http.GetAsync($"/api/shim/drive?id={id}"), HttpStatusCode.NotFound);
    }
}
