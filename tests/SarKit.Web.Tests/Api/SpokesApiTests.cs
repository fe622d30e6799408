using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SarKit.IO.Formats;
using SarKit.Web.Tests.Support;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Xunit.Abstractions;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// Spokes page API (issue 20 item 6): a job on the demo gives the same result as the library call <see cref="SpokesDesign.Run"/>
/// (the use case of <c>sarkit spokes --json</c>) for the same inputs, certified; its maps agree with the result and the CP
/// reference holds the limits, its time-averaged 10 g SAR map peaks at the certified peak; the waveform and Pulseq downloads
/// are the written pulse; bad input is refused with the field and value
/// named; a job can be cancelled.
/// </summary>
public sealed class SpokesApiTests(SarKitWebFactory factory, ITestOutputHelper log) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private string Demo => Path.Combine(factory.DataFolder, TestData.DemoName);

    /// <summary>Per-channel average power limits of the equality test, W (generous: they travel to the use case, the design is feasible).</summary>
    private static readonly double[] AverageEach = [50, 51, 52, 53, 54, 55, 56, 57];

    [Fact]
    public async Task A_job_on_the_demo_equals_the_library_call_and_is_certified()
    {
        const int z = 21;
        var start = await JsonSame.Read(await _http.PostAsJsonAsync("/api/spokes/start", new
        {
            path = TestData.DemoName, zIndex = z, subPulses = 2, trajectory = "kt", shape = "hard", subPulseDurationS = 0.2e-3, gapS = 0.1e-3,
            repetitionTimeS = 5e-3, targetFlipDeg = 10, localLimitWPerKg = 10, globalLimitWPerKg = 3.2, constraints = "all", starts = 1,
            channelAveragePowersW = AverageEach,
        }), HttpStatusCode.OK);
        string id = start.GetProperty("id").GetString()!;
        var job = await JsonSame.WaitForJob(_http, "spokes", id);
        Assert.True(job.GetProperty("state").GetString() == "done", job.ToString());
        var web = job.GetProperty("result");

        // the library call of `sarkit spokes` with the same inputs (the layer as the page sends it: its centre in mm)
        var grid = DatasetFiles.ReadInfo(Demo).Grid;
        string libSeq = Path.Combine(Path.GetTempPath(), $"sarkit-spokes-api-{Guid.NewGuid():N}.seq");
        SpokesResult lib;
        string libSeqText;
        try
        {
            lib = SpokesDesign.Run(new SpokesRequest
            {
                FieldsPath = Demo, Constraints = ["all"], Slice = RfShimMaps.SliceText(grid, z), SubPulses = 2, Trajectory = "kt", SubPulseDurationS = 0.2e-3, GapS = 0.1e-3,
                RepetitionTimeS = 5e-3, TargetFlipDeg = 10, LocalLimitWPerKg = 10, GlobalLimitWPerKg = 3.2, Starts = 1, ChannelAveragePowersW = AverageEach, SeqOutput = libSeq,
            });
            libSeqText = File.ReadAllText(libSeq);
        }
        finally { File.Delete(libSeq); }
        Assert.Equal("1 V/uT", lib.SeqCalibration);
        // the page's result is the CLI's without the carrier files of the downloads
        JsonSame.Assert(JsonDocument.Parse(ResultJson.Serialize(lib with { SeqFile = "", SeqCalibration = "" })).RootElement, web, "result");

        Assert.True(web.GetProperty("passed").GetBoolean());
        var d0 = web.GetProperty("designs")[0];
        Assert.True(d0.GetProperty("certified").GetBoolean());
        Assert.False(d0.GetProperty("scaled_to_limit").GetBoolean());
        double peak = d0.GetProperty("peak_sar10g_w_per_kg").GetDouble();
        Assert.True(peak <= 10 * (1 + 1e-12), $"true peak {peak} W/kg");
        Assert.Equal(2, web.GetProperty("sub_pulse_count").GetInt32());
        Assert.Equal("", web.GetProperty("waveform_file").GetString());
        Assert.Equal(AverageEach, web.GetProperty("channel_average_powers_w").EnumerateArray().Select(x => x.GetDouble()));

        // maps: the design's flip angle on the layer reproduces the result's mean, NRMSE and peak; the CP reference holds the limit
        var maps = job.GetProperty("maps");
        Assert.Equal(z, maps.GetProperty("z_index").GetInt32());
        Assert.Equal(web.GetProperty("roi_voxels").GetInt32(), maps.GetProperty("roi_voxels").GetInt32());
        var after = maps.GetProperty("after");
        foreach (var (m, r) in new[] { ("roi_mean_flip_deg", "mean_flip_deg"), ("nrmse", "nrmse"), ("peak_sar10g_w_per_kg", "peak_sar10g_w_per_kg") })
        {
            double x = after.GetProperty(m).GetDouble(), y = d0.GetProperty(r).GetDouble();
            Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Abs(y), $"maps.after.{m} {x:R} vs designs[0].{r} {y:R}");
        }
        Assert.Equal(grid.Nx * grid.Ny, after.GetProperty("flip_deg").GetProperty("values").GetArrayLength());
        var before = maps.GetProperty("before");
        Assert.Equal("cp", before.GetProperty("constraints").GetString());
        Assert.Equal(1, before.GetProperty("sub_pulse_count").GetInt32());
        Assert.True(before.GetProperty("peak_sar10g_w_per_kg").GetDouble() <= 10 * (1 + 1e-12));
        Assert.True(after.GetProperty("nrmse").GetDouble() <= before.GetProperty("nrmse").GetDouble(), "the design should beat CP within the same limits");
        // time-averaged 10 g SAR maps: the SAR viewer's averaging of Σ_j c_j SAR_point(w_j) peaks where the averaged Q-matrices say
        // (two independent paths to the same cubes), and the layer is part of the model
        foreach (var (name, row) in new[] { ("after", after), ("before", before) })
        {
            double mapPeak = row.GetProperty("map_peak_sar10g_w_per_kg").GetDouble(), qPeak = row.GetProperty("peak_sar10g_w_per_kg").GetDouble();
            double layerMax = row.GetProperty("layer_max_sar10g_w_per_kg").GetDouble();
            Assert.True(Math.Abs(mapPeak - qPeak) <= 1e-6 * qPeak, $"{name}: map peak {mapPeak:R} vs Q-matrix peak {qPeak:R} W/kg");
            Assert.True(layerMax > 0 && layerMax <= mapPeak * (1 + 1e-12), $"{name}: layer max {layerMax} vs model peak {mapPeak}");
            var sar = row.GetProperty("sar10g");
            Assert.Equal(grid.Nx * grid.Ny, sar.GetProperty("values").GetArrayLength());
            Assert.Equal(layerMax, sar.GetProperty("values").EnumerateArray().Max(x => x.GetDouble()), 1e-6 * layerMax); // float32 slice
        }

        // the Pulseq download is the file `sarkit spokes --seq-output` writes for the same design
        var seqResp = await _http.GetAsync($"/api/spokes/seq?id={id}");
        Assert.Equal(HttpStatusCode.OK, seqResp.StatusCode);
        Assert.Contains("attachment", seqResp.Content.Headers.ContentDisposition?.ToString() ?? seqResp.Headers.ToString());
        Assert.Equal(libSeqText, await seqResp.Content.ReadAsStringAsync());
        log.WriteLine($"NRMSE {d0.GetProperty("nrmse").GetDouble():F4} (CP {before.GetProperty("nrmse").GetDouble():F4}), true peak {peak:F4} W/kg, job {job.GetProperty("elapsed_s").GetDouble():F1} s");

        // the waveform download: sarkit pulse check's CSV, period TR, first sample = sub-pulse 1's weights (hard pulse, peak 1)
        var resp = await _http.GetAsync($"/api/spokes/waveform?id={id}");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Contains("attachment", resp.Content.Headers.ContentDisposition?.ToString() ?? resp.Headers.ToString());
        var lines = (await resp.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# unit: V", lines[0]);
        Assert.Contains(lines, l => l == "# period_s: 0.005");
        int header = Array.FindIndex(lines, l => l.StartsWith("re_1,im_1", StringComparison.Ordinal));
        var first = lines[header + 1].Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var s0 = d0.GetProperty("sub_pulses")[0];
        for (int c = 0; c < 8; c++)
        {
            double a = s0.GetProperty("amplitude")[c].GetDouble(), ph = s0.GetProperty("phase_deg")[c].GetDouble() * Math.PI / 180;
            Assert.Equal(a * Math.Cos(ph), first[2 * c], 9);
            Assert.Equal(a * Math.Sin(ph), first[2 * c + 1], 9);
        }
        Assert.Equal(2 * 200 + 100, lines.Length - header - 1); // 2 × 0.2 ms + 0.1 ms gap at 1 µs
    }

    [Theory]
    [InlineData("""{"path":"ptx8_7T_demo.h5","subPulses":0}""", "subPulses = 0")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","subPulses":8}""", "subPulses = 8")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","repetitionTimeS":0}""", "repetitionTimeS = 0")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","repetitionTimeS":"NaN"}""", "repetitionTimeS")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","subPulses":5,"repetitionTimeS":0.001}""", "repetitionTimeS = 0.001: shorter than the pulse")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","targetFlipDeg":120}""", "targetFlipDeg = 120")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","subPulseDurationS":0}""", "subPulseDurationS = 0")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","subPulseDurationS":1}""", "subPulseDurationS = 1")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","gapS":-0.001}""", "gapS = -0.001")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","shape":"gauss"}""", "shape = 'gauss'")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","trajectory":"spiral"}""", "trajectory = 'spiral'")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelPeakPowerW":-3}""", "channelPeakPowerW = -3")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","channelAveragePowersW":[1,2]}""", "channelAveragePowersW: 2 values for 8 channels")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","localLimitWPerKg":0}""", "localLimitWPerKg = 0")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","starts":21}""", "starts = 21")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"vop-polished"}""", "constraints = 'vop-polished'")]
    [InlineData("""{"path":"ptx8_7T_demo.h5","constraints":"vop-seeded","vopFile":"no-such.h5"}""", "no-such.h5")]
    public async Task Bad_input_is_a_400_naming_the_field(string body, string field)
    {
        var r = await _http.PostAsync("/api/spokes/start", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var j = await JsonSame.Read(r, HttpStatusCode.BadRequest);
        Assert.Equal("bad_input", j.GetProperty("kind").GetString());
        Assert.Contains(field, j.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unknown_jobs_are_404_and_a_started_job_can_be_cancelled()
    {
        await JsonSame.Read(await _http.GetAsync("/api/spokes/job?id=0123456789abcdef"), HttpStatusCode.NotFound);
        await JsonSame.Read(await _http.GetAsync("/api/spokes/waveform?id=0123456789abcdef"), HttpStatusCode.NotFound);
        var start = await JsonSame.Read(await _http.PostAsJsonAsync("/api/spokes/start", new { path = TestData.DemoName, subPulses = 5, starts = 20 }), HttpStatusCode.OK);
        string id = start.GetProperty("id").GetString()!;
        var c = await JsonSame.Read(await _http.PostAsync($"/api/spokes/cancel?id={id}", null), HttpStatusCode.OK);
        Assert.Equal(id, c.GetProperty("id").GetString());
        var j = await JsonSame.WaitForJob(_http, "spokes", id);
        Assert.Equal("cancelled", j.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("result").ValueKind);
        await JsonSame.Read(await _http.GetAsync($"/api/spokes/waveform?id={id}"), HttpStatusCode.NotFound);
        await JsonSame.Read(await _http.GetAsync($"/api/spokes/seq?id={id}"), HttpStatusCode.NotFound);
    }
}
