using System.Net;
using System.Numerics;
using System.Text.Json;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// Issue 15 item 6: a surrogate-derived VOP file opened on the VOP page is never shown as a passing true-SAR certificate;
/// the page result carries the "surrogate-calibrated, not certified against true SAR" label with its coverage.
/// </summary>
public sealed class SurrogateVopLabelApiTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Vop_info_labels_a_surrogate_derived_set()
    {
        var (set, ver) = CertifiedVopCompression.Run(VopSequenceApiTests.RandomQ(11), 3,
            new VopCompressionOptions { Epsilon = 0.1, Normalisation = FieldNormalisation.PerAmpere, MaxDegreeOfParallelism = 1 },
            new VopVerifierOptions { RandomDrives = 100, MaxDegreeOfParallelism = 1 }, "fixture",
            s => VopSarBasis.MarkSurrogate(s, "calibration: 2D FDFD synthetic (web fixture)"));
        Assert.True(ver.Certificate.Passed);
        const string name = "surrogate_vops.h5";
        VopSetFiles.Write(set, Path.Combine(factory.DataFolder, name));

        var r = await _http.GetAsync($"/api/vop/info?path={name}");
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var page = JsonDocument.Parse(text).RootElement;
        Assert.True(page.GetProperty("certificate_valid").GetBoolean()); // valid for the predicted Q-matrices …
        Assert.Contains("NOT a true-SAR certificate", page.GetProperty("certificate_note").GetString());
        var basis = page.GetProperty("set").GetProperty("sar_basis").GetString();
        Assert.StartsWith(VopSarBasis.Label, basis); // … and labelled as such
        Assert.Contains("2D FDFD synthetic (web fixture)", basis);
        Assert.Contains("not certified against true SAR", page.GetProperty("set").GetProperty("certificate").GetProperty("reason").GetString());

        // the page script shows a warning, not "Certificate valid", when sar_basis is set
        var js = await _http.GetStringAsync("/js/pages/vop.js");
        Assert.Contains("s.sar_basis ?", js);
        Assert.Contains("Surrogate-calibrated, not certified against true SAR", js);
    }
}
