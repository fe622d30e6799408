using System.Text.Json;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Nema.Reporting;

namespace SarKit.Tests.Measurement;

/// <summary>Section 4.1 reports: every listed parameter with its dimension, both phantoms, verdict, three formats.</summary>
public sealed class NemaReportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-report-" + Guid.NewGuid().ToString("N"));
    public NemaReportTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Example(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);
    private static NemaReport Report(string name) => NemaMeasurement.Evaluate(MeasurementFile.Load(Example(name)), "9.9.9").Report;

    // NEMA MS 8-2016 Section 4.1 c (pulse-energy), parameter and dimension as printed; the results are per phantom.
    private static readonly (string Section, string Parameter, string Dimension)[] PulseEnergyForm =
    [
        ("Measurement parameter section", "RF Waveform", "-"),
        ("Measurement parameter section", "Pulse Parameters", "-"),
        ("Measurement parameter section", "Tip Angle(s)", "Degrees"),
        ("Measurement parameter section", "Equivalent Rectangular Pulse Duration (W_rectangle)", "microseconds"),
        ("Measurement parameter section", "TR", "milliseconds"),
        ("Measurement parameter section", "Equivalent Mass of Phantom 2", "Kilograms"),
        ("unloaded case (phantom 1)", "P_forward", "Watts"),
        ("unloaded case (phantom 1)", "P_reflected", "Watts"),
        ("unloaded case (phantom 1)", "P_other", "Watts"),
        ("unloaded case (phantom 1)", "Flux loop value(s)", "Voltage"),
        ("unloaded case (phantom 1)", "P_CPL_unloaded", "Watts"),
        ("loaded case (phantom 2)", "P_forward", "Watts"),
        ("loaded case (phantom 2)", "P_reflected", "Watts"),
        ("loaded case (phantom 2)", "P_other", "Watts"),
        ("loaded case (phantom 2)", "Flux loop value(s)", "Voltage"),
        ("loaded case (phantom 2)", "P_CPL_loaded", "Watts"),
        ("SAR calculation", "Absorbed Average Power by Object/Phantom 2 (P_ave)", "W"),
        ("SAR calculation", "Measurement uncertainty", "%"),
        ("SAR calculation", "Measured SAR", "W/kg"),
        ("SAR calculation", "Predicted SAR", "W/kg"),
        ("SAR calculation", "Is Predicted SAR ≥ Measured SAR – Measurement uncertainty?", "Y/N"),
    ];

    // Section 4.1 (calorimetry table).
    private static readonly (string Section, string Parameter, string Dimension)[] CalorimetryForm =
    [
        ("Measurement parameter section", "RF Waveform Description", "-"),
        ("Measurement parameter section", "Repetition Time (TR)", "milliseconds"),
        ("Measurement parameter section", "Echo Time (TE)", "milliseconds"),
        ("Measurement parameter section", "Number of Slices", "-"),
        ("Measurement parameter section", "Number of Echoes", "-"),
        ("Measurement parameter section", "Total Scan Time", "Seconds"),
        ("Measurement parameter section", "MR Tip Angle Employed in Study", "Degrees"),
        ("Measurement parameter section", "Phantom 3 Heat Capacity*", "J/K"),
        ("Measurement parameter section", "Phantom 3 insulation time constant*", "Seconds"),
        ("Measurement parameter section", "Phantom 3 Equivalent Mass (M_bod)*", "Kg"),
        ("Measurement result section", "Initial Phantom Temperature", "°C"),
        ("Measurement result section", "Post Phantom Temperature", "°C"),
        ("Measurement result section", "Time gap of Post temperature measurement to end of rf exposure", "Seconds"),
        ("Measurement result section", "Final Phantom Temperature (1 hour later)*", "°C"),
        ("Measurement result section", "Corrected Post RF Phantom Temperature", "°C"),
        ("SAR calculation", "Absorbed Energy by Phantom 3", "J"),
        ("SAR calculation", "Absorbed Power by Phantom 3", "W"),
        ("SAR calculation", "Uncertainty of \"Absorbed Energy by Phantom 3\" determination.", "%"),
        ("SAR calculation", "Measured SAR", "W/Kg"),
        ("SAR calculation", "Predicted WB SAR", "W/Kg"),
        ("SAR calculation", "Is Predicted SAR ≥ Measured SAR – Measurement uncertainty?", "Y/N"),
    ];

    private static void AssertForm(NemaReport r, (string Section, string Parameter, string Dimension)[] form)
    {
        var md = NemaReportRenderer.Markdown(r);
        foreach (var (section, parameter, dimension) in form)
        {
            var rows = r.Sections.Where(s => s.Title.Contains(section, StringComparison.Ordinal)).SelectMany(s => s.Rows)
                .Where(x => x.Parameter.StartsWith(parameter, StringComparison.Ordinal) && x.Dimension == dimension).ToArray();
            Assert.True(rows.Length > 0, $"Section 4.1 row '{parameter}' [{dimension}] missing in '{section}'");
            foreach (var x in rows) Assert.Contains($"| {x.Parameter.Replace("|", "\\|")} | {x.Dimension} | ", md);
        }
        // Order of the form is kept.
        var order = r.Sections.SelectMany(s => s.Rows).Select(x => x.Parameter).ToList();
        var idx = form.Select(f => order.FindIndex(p => p.StartsWith(f.Parameter, StringComparison.Ordinal))).ToArray();
        Assert.True(idx.Zip(idx.Skip(1)).All(p => p.First <= p.Second) || form == PulseEnergyForm, "form order");
    }

    [Fact]
    public void PulseEnergyReportHasEveryParameterForBothPhantoms()
    {
        var r = Report("pulse_energy_example.yaml");
        AssertForm(r, PulseEnergyForm);
        Assert.Equal("pulse-energy", r.Method);
        var sar = r.Sections.Single(s => s.Title == "SAR calculation").Rows;
        Assert.Equal("0.46076 (eq. 13)", sar.Single(x => x.Parameter == "Measured SAR").Value);
        Assert.Equal("Y", sar[^1].Value);
        Assert.Equal("89 (eq. 7)", r.Sections[1].Rows.Single(x => x.Parameter == "P_CPL_unloaded").Value);
        Assert.Equal("28.48 (eq. 8)", r.Sections[2].Rows.Single(x => x.Parameter == "P_CPL_loaded").Value);
        Assert.Equal("1000", r.Sections[0].Rows.Single(x => x.Parameter.StartsWith("Equivalent Rectangular")).Value); // 1 ms rect in µs
        Assert.Equal("9.9.9", r.SarkitVersion);
        Assert.Equal(2, r.Devices.Count);
        var md = NemaReportRenderer.Markdown(r);
        Assert.Contains("measured SAR 0.4608 ± 0.0270 W/kg (k = 2)", md);
        Assert.Contains("Sources of 4.1 e not assessed: Directivity and coupling of directional couplers", md);
    }

    [Fact]
    public void CalorimetryReportHasEveryParameter()
    {
        var r = Report("calorimetry_example.yaml");
        AssertForm(r, CalorimetryForm);
        var md = NemaReportRenderer.Markdown(r);
        Assert.Contains("| Measured SAR | W/Kg | 3.2082 (eq. 21) |", md);
        Assert.Contains("| Corrected Post RF Phantom Temperature | °C | 22.102 (eq. [2]) |", md);
        Assert.Contains("| Uncertainty of \"Absorbed Energy by Phantom 3\" determination. | % | 7.35 (expanded, k = 2) |", md);
        Assert.Contains("| Is Predicted SAR ≥ Measured SAR – Measurement uncertainty? | Y/N | Y |", md);
        Assert.Contains("| fibre-optic thermometer |", md);
    }

    [Fact]
    public void WithoutPredictedSarOrUncertaintyTheVerdictIsNotDetermined()
    {
        var r = Report("pulse_energy_oscilloscope.json");
        Assert.Equal("not determined", r.Verdict);
        Assert.Contains("not given; sources to consider (4.1 e)", NemaReportRenderer.Markdown(r));
    }

    [Fact]
    public void HtmlIsSelfContainedAndEscaped()
    {
        var r = Report("pulse_energy_example.yaml") with { Notes = "deviation: <b>phantom</b> & \"coil\"" };
        var html = NemaReportRenderer.Html(r);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<style>", html);
        Assert.Contains("@media print", html);
        foreach (var external in new[] { "<script", "<link", "src=", "http://", "https://", "url(", "@import" })
            Assert.DoesNotContain(external, html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("deviation: &lt;b&gt;phantom&lt;/b&gt; &amp; &quot;coil&quot;", html);
        Assert.Equal(html.Split("<table>").Length, html.Split("</table>").Length);
        Assert.Equal(html.Split("<tr>").Length, html.Split("</tr>").Length);
        foreach (var x in r.Sections.SelectMany(s => s.Rows))
            Assert.Contains($"<td>{System.Net.WebUtility.HtmlEncode(x.Parameter)}</td><td>{System.Net.WebUtility.HtmlEncode(x.Dimension)}</td>", html);
        Assert.Contains("Is Predicted SAR ≥ Measured SAR – Measurement uncertainty?", html);
    }

    [Theory]
    [InlineData("pulse_energy_example.yaml")]
    [InlineData("calorimetry_example.yaml")]
    [InlineData("calorimetry_example.json")]
    [InlineData("pulse_energy_oscilloscope.json")]
    public void JsonFormRoundTripsAndRendersTheSame(string example)
    {
        var r = Report(example);
        var json = r.ToJson();
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal(r.Method, doc.RootElement.GetProperty("method").GetString());
            Assert.Equal(r.MeasuredSarWPerKg, doc.RootElement.GetProperty("results").GetProperty("sar_w_per_kg").GetDouble());
            Assert.Equal(r.Verdict, doc.RootElement.GetProperty("verdict").GetString());
        }
        var back = NemaReport.FromJson(json);
        Assert.Equal(NemaReportRenderer.Markdown(r), NemaReportRenderer.Markdown(back));
        Assert.Equal(NemaReportRenderer.Html(r), NemaReportRenderer.Html(back));
        Assert.Equal(json, back.ToJson());
    }

    [Fact]
    public void WriteIsAtomicAndFormatFollowsExtension()
    {
        var r = Report("calorimetry_example.json");
        foreach (var (name, marker) in new[] { ("r.md", "# NEMA MS 8-2016"), ("r.html", "<!DOCTYPE html>"), ("r.json", "{") })
        {
            var p = Path.Combine(_dir, name);
            NemaReportRenderer.Write(p, r, NemaReportRenderer.FormatOfPath(p)!.Value);
            Assert.StartsWith(marker, File.ReadAllText(p));
        }
        Assert.Equal(["r.html", "r.json", "r.md"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
        Assert.Throws<SarKitInputException>(() => NemaReportRenderer.ParseFormat("pdf"));
    }

    [Fact]
    public void CompareListsChangedResultsAndInputs()
    {
        var a = Report("pulse_energy_example.json");
        var b = Report("pulse_energy_example.yaml");
        var d = NemaMeasurement.Compare(a, b, onlyDifferent: true);
        Assert.DoesNotContain(d, x => x.Name == "sar_w_per_kg"); // same SAR
        Assert.Contains(d, x => x.Name == "predicted_sar_w_per_kg" && x.A is null && x.B == "0.5");
        Assert.Contains(d, x => x.Name == "verdict" && x.A == "not determined" && x.B == "Y");
    }
}
