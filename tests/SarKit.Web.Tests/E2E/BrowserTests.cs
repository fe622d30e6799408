using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using SarKit.Web.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Web.Tests.E2E;

/// <summary>
/// The real app (Kestrel on 127.0.0.1, any free port) on a copy of the demo data, one headless system Chromium
/// (/usr/bin/chromium, driven by Playwright; no browser download) for the class. Screenshots go to
/// &lt;test output&gt;/e2e-screenshots/.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public string DataFolder { get; } = TestData.MakeDataFolder();
    public WebApplication? App { get; private set; }
    public string BaseUrl { get; private set; } = "";
    public IPlaywright? Playwright { get; private set; }
    public IBrowser? Browser { get; private set; }
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "e2e-screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumFactAttribute.ExecutablePath)) return;
        var options = new SarKitWebOptions { DataFolder = DataFolder, Records = Path.Combine(Path.GetDirectoryName(DataFolder)!, "records") };
        options.ListenOnPort(0);
        App = SarKitWebApp.Create([], options);
        await App.StartAsync();
        SarKitWebApp.WarmUp(App);
        BaseUrl = SarKitWebApp.Addresses(App).First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        if (App is not null) { await App.StopAsync(); await App.DisposeAsync(); }
        TestData.DeleteDataFolder(DataFolder);
    }
}

public sealed class BrowserTests(BrowserFixture fx, ITestOutputHelper log) : IClassFixture<BrowserFixture>
{
    // generous: the first SAR request waits for the demo's Q-matrices and averaging cubes (seconds on an idle machine,
    // much longer on a shared, overloaded one); later drive changes take well under a second
    private const float TimeoutMs = 240_000;

    private async Task<IPage> Open(string hash)
    {
        var page = await fx.Browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1250 } });
        page.SetDefaultTimeout(TimeoutMs);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") log.WriteLine($"browser console error: {m.Text}"); };
        page.PageError += (_, e) => log.WriteLine($"page error: {e}");
        await page.GotoAsync(fx.BaseUrl + "/" + hash);
        return page;
    }

    private static async Task Shot(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {path} is empty");
    }

    private static async Task<int> ReadyUpdates(IPage page)
    {
        // the status span is empty (invisible) when ready: wait for the attribute, not visibility
        await page.WaitForSelectorAsync("#viewer-status[data-state='ready']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        return int.Parse(await page.GetAttributeAsync("#viewer-status", "data-updates") ?? "0", CultureInfo.InvariantCulture);
    }

    private static async Task<double> Number(IPage page, string selector)
        => double.Parse(await page.InnerTextAsync(selector), NumberStyles.Float, CultureInfo.InvariantCulture);

    [ChromiumFact]
    public async Task Changing_a_drive_phase_changes_the_peak_SAR()
    {
        var page = await Open($"#/viewer?path={TestData.DemoName}");
        int n0 = await ReadyUpdates(page);
        Assert.True(n0 >= 1);
        double point0 = await Number(page, "#peak-point"), avg0 = await Number(page, "#peak-avg");
        Assert.Equal(3, await page.Locator("#map-point canvas[data-normal]").CountAsync());
        Assert.Equal(3, await page.Locator("#map-avg canvas[data-normal]").CountAsync());
        await Shot(page, "viewer-cp");

        await page.FillAsync("#phase-3", "90");   // channel 4: −135° → 90°
        await page.WaitForFunctionAsync($"() => document.querySelector('#viewer-status').dataset.state === 'ready' && Number(document.querySelector('#viewer-status').dataset.updates) > {n0}");
        double point1 = await Number(page, "#peak-point"), avg1 = await Number(page, "#peak-avg");
        log.WriteLine($"peak point SAR {point0} → {point1} W/kg, psSAR 10 g {avg0} → {avg1} W/kg; {await page.InnerTextAsync("#compute-ms")}");
        Assert.NotEqual(point0, point1);
        Assert.NotEqual(avg0, avg1);
        await Shot(page, "viewer-phase-changed");

        // the API agrees with what the page shows (4 significant digits on screen)
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("Origin", fx.BaseUrl);
        http.DefaultRequestHeaders.Add(CsrfGuard.HeaderName, "1");
        var body = new { path = TestData.DemoName, drive = new { amplitude = Enumerable.Repeat(1.0, 8), phaseDeg = new double[] { 0, -45, -90, 90, -180, 135, 90, 45 } } };
        var r = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, fx.BaseUrl + "/api/sar/slices", body);
        var j = System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(j.GetProperty("averaged").GetProperty("peak_w_per_kg").GetDouble(), avg1, avg1 * 1e-3);
    }

    [ChromiumFact]
    public async Task Datasets_page_shows_grid_and_channels()
    {
        var page = await Open("#/datasets");
        await page.WaitForSelectorAsync("#dataset-info");
        var text = await page.InnerTextAsync("#dataset-info");
        Assert.Contains("42 × 32 × 43 voxels", text);
        Assert.Contains("38540 voxels", text);
        Assert.Contains("per_volt_incident", text);
        await Shot(page, "datasets");
    }

    [ChromiumFact]
    public async Task Nema_form_evaluates_the_example_and_shows_the_report()
    {
        var page = await Open("#/nema");
        await page.WaitForFunctionAsync("() => { const e = document.querySelector('#nema-input'); return e && e.value.includes('calorimetry'); }");
        await page.CheckAsync("#nema-record");
        await page.ClickAsync("#nema-evaluate");
        await page.WaitForSelectorAsync("#nema-sar");
        Assert.EndsWith("W/kg", await page.InnerTextAsync("#nema-sar"));
        Assert.Contains("Measured whole-body SAR (eq. 21)", await page.InnerTextAsync("#nema-result"));
        Assert.Contains("Recorded as id", await page.InnerTextAsync("#nema-result"));
        await Shot(page, "nema-calorimetry");

        // a broken file shows the library's message
        await page.FillAsync("#nema-input", "{\"method\": \"calorimetry\"}");
        await page.ClickAsync("#nema-evaluate");
        await page.WaitForSelectorAsync(".error");
        Assert.Contains("missing required field", await page.InnerTextAsync(".error"));

        var records = await Open("#/records");
        await records.WaitForSelectorAsync("#records-table");
        Assert.Contains("calorimetry", await records.InnerTextAsync("#records-table"));
        await Shot(records, "records");
    }

    [ChromiumFact]
    public async Task Probe_page_evaluates_the_example_scan_and_shows_psSAR_verdict_and_report()
    {
        var page = await Open("#/probe");
        await page.WaitForFunctionAsync("() => document.querySelector('#probe-scan') && document.querySelector('#probe-scan').value.includes('area,') && document.querySelector('#probe-calibration').value.includes('EF-0001')");
        await page.CheckAsync("#probe-record");
        await page.ClickAsync("#probe-evaluate");
        await page.WaitForSelectorAsync("#probe-pssar-1g");
        var psSar1g = await page.InnerTextAsync("#probe-pssar-1g");
        Assert.EndsWith("W/kg", psSar1g);
        Assert.True(double.Parse(psSar1g.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) > 0);
        // the example exceeds the two 1.6 W/kg (1 g) limits of the six (as `sarkit scan process` reports)
        Assert.Equal("EXCEEDS 2 OF 6 LIMITS", (await page.InnerTextAsync("#probe-verdict")).Trim());
        Assert.Contains("EXCEEDED", await page.InnerTextAsync("#probe-limits"));
        Assert.Contains("Recorded as id", await page.InnerTextAsync("#probe-result"));
        Assert.Contains("Uncertainty budget", await page.InnerTextAsync("#probe-report"));
        // both pictures decoded (data: URIs allowed by the CSP's img-src)
        await page.WaitForFunctionAsync("() => { const i = [...document.querySelectorAll('#probe-report img')]; return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0); }");
        await Shot(page, "probe-scan");

        // an expired calibration shows the library's message
        await page.FillAsync("#probe-date", "2030-01-01");
        await page.ClickAsync("#probe-evaluate");
        await page.WaitForSelectorAsync(".error");
        Assert.Contains("expired on", await page.InnerTextAsync(".error"));
    }

    [ChromiumFact("pulseq/pulseq_legacy_approved_fid.seq")]
    public async Task Sequence_upload_shows_the_verdict_and_the_timeline()
    {
        var seq = SharedReference.Find("pulseq/pulseq_legacy_approved_fid.seq")!;
        var page = await Open("#/sequence");
        await page.WaitForSelectorAsync("#seq-file", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await page.SetInputFilesAsync("#seq-file", seq);
        await page.FillAsync("#seq-calibration", "20");
        await page.ClickAsync("#seq-run");
        await page.WaitForSelectorAsync("#seq-verdict");
        Assert.Equal("PASS", (await page.InnerTextAsync("#seq-verdict")).Trim());
        Assert.Contains("local_head", await page.InnerTextAsync("#seq-binding"));
        Assert.Equal(2, await page.Locator("#seq-timeline svg path").CountAsync());
        await Shot(page, "sequence-pass");
        // 20× the calibration: 400× the SAR, over the local limit
        await page.FillAsync("#seq-calibration", "400");
        await page.ClickAsync("#seq-run");
        await page.WaitForFunctionAsync("() => document.querySelector('#seq-verdict') && document.querySelector('#seq-verdict').textContent.trim() === 'FAIL'");
        Assert.Contains("FAIL", await page.InnerTextAsync("#seq-limits"));
        await Shot(page, "sequence-fail");
    }

    [ChromiumFact]
    public async Task Vop_page_compresses_the_demo_and_shows_the_certificate()
    {
        var page = await Open("#/vop");
        await page.WaitForSelectorAsync("#vop-compress");
        await page.FillAsync("#vop-margin", "10");
        await page.ClickAsync("#vop-compress");
        await page.WaitForSelectorAsync("#vop-certificate");
        Assert.Contains("Certificate valid", await page.InnerTextAsync("#vop-certificate"));
        Assert.Contains("no drive underestimated", await page.InnerTextAsync("#vop-underestimation"));
        Assert.True(await page.Locator("#vop-histogram svg rect").CountAsync() > 3);
        await Shot(page, "vop-compressed");
    }

    [ChromiumFact]
    public async Task Shim_page_designs_a_certified_shim_on_the_demo_and_shows_the_maps()
    {
        var page = await Open("#/shim");
        await page.WaitForSelectorAsync("#shim-run");
        Assert.Equal("21", await page.InputValueAsync("#shim-z")); // the middle layer of the demo's 43
        await page.FillAsync("#shim-target", "1.5");
        await page.FillAsync("#shim-starts", "1");
        await page.ClickAsync("#shim-run");
        await page.WaitForSelectorAsync("#shim-status[data-state='done']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Contains("PASS", await page.InnerTextAsync("#shim-verdict"));
        Assert.Equal(2, await page.Locator("#shim-b1 canvas[data-map]").CountAsync());
        Assert.Equal(2, await page.Locator("#shim-sar canvas[data-map]").CountAsync());
        Assert.Equal(2, await page.Locator("#shim-designs tbody tr").CountAsync()); // the design and the CP reference
        Assert.Contains("certified", await page.InnerTextAsync("#shim-designs tbody tr[data-constraints='all']"));
        var href = await page.GetAttributeAsync("#shim-drive", "href");
        Assert.StartsWith("/api/shim/drive?id=", href);
        await Shot(page, "shim-done");
        // the downloaded drive is the design of the page's result
        using var http = new HttpClient();
        var drive = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(fx.BaseUrl + href)).RootElement;
        Assert.Equal(8, drive.GetProperty("amplitude").GetArrayLength());
        Assert.True(drive.GetProperty("certified").GetBoolean());

        // an invalid target is refused with the field named, no job started
        await page.FillAsync("#shim-target", "0");
        await page.ClickAsync("#shim-run");
        await page.WaitForSelectorAsync("#shim-result .error");
        Assert.Contains("targetUt", await page.InnerTextAsync("#shim-result .error"));
    }

    [ChromiumFact]
    public async Task Spokes_page_designs_a_certified_two_spoke_pulse_on_the_demo()
    {
        var page = await Open("#/spokes");
        await page.WaitForSelectorAsync("#spokes-run");
        Assert.Equal("21", await page.InputValueAsync("#spokes-z"));
        // a small, fast setting: K = 2, one start, a per-channel average power limit for every channel (W), the dataset's VOP set
        // at the page's 5 % margin (compressed on first use, seconds) polished against every 10 g Q-matrix (certified on all of them)
        await page.FillAsync("#spokes-k", "2");
        await page.FillAsync("#spokes-starts", "1");
        await page.FillAsync("#spokes-tr", "5");
        await page.FillAsync("#spokes-average-power", "50, 51, 52, 53, 54, 55, 56, 57");
        await page.SelectOptionAsync("#spokes-constraints", "vop-seeded");
        Assert.True(await page.IsVisibleAsync("#spokes-margin"), "the VOP margin field belongs to vop-seeded as well");
        await page.ClickAsync("#spokes-run");
        await page.WaitForSelectorAsync("#spokes-status[data-state='done']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Contains("PASS", await page.InnerTextAsync("#spokes-verdict"));
        Assert.Contains("W/kg of 10 W/kg", await page.InnerTextAsync("#spokes-peak"));
        Assert.Equal(2, await page.Locator("#spokes-flip canvas[data-map]").CountAsync()); // before (CP) and after
        Assert.Equal(2, await page.Locator("#spokes-sar canvas[data-map]").CountAsync()); // time-averaged 10 g SAR, before and after
        Assert.Contains("certified", await page.InnerTextAsync("#spokes-designs tbody tr[data-constraints='vop-seeded']"));
        Assert.Equal(2, await page.Locator("#spokes-weights tbody tr").CountAsync());
        Assert.StartsWith("/api/spokes/waveform?id=", await page.GetAttributeAsync("#spokes-waveform", "href"));
        var seqHref = await page.GetAttributeAsync("#spokes-seq", "href");
        Assert.StartsWith("/api/spokes/seq?id=", seqHref);
        using (var http = new HttpClient())
            Assert.Contains("extension RF_SHIMS 1", await http.GetStringAsync(fx.BaseUrl + seqHref));
        await Shot(page, "spokes-done");

        // a TR shorter than the pulse is refused with the field named, no job started
        await page.FillAsync("#spokes-tr", "0.1");
        await page.ClickAsync("#spokes-run");
        await page.WaitForSelectorAsync("#spokes-result .error");
        Assert.Contains("repetitionTimeS", await page.InnerTextAsync("#spokes-result .error"));
    }
}
