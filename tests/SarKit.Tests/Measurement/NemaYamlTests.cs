using System.Text.Json;
using SarKit.Measurement.Nema.Input;

namespace SarKit.Tests.Measurement;

/// <summary>YAML measurement files go through the same schema and unit validation as JSON.</summary>
public sealed class NemaYamlTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-yaml-" + Guid.NewGuid().ToString("N"));
    public NemaYamlTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Example(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);

    private string Write(string name, string text) { var p = Path.Combine(_dir, name); File.WriteAllText(p, text); return p; }

    private const string CalorimetryYaml = """
        method: calorimetry
        phantom_mass: { value: 20.1, unit: kg }
        specific_heat: { value: 4180, unit: J/(kg K) }
        equivalent_mass: { value: 25, unit: kg }
        T_initial: { value: 21.3, unit: degC }
        T_final: { value: 22.1, unit: °C }
        total_time: { value: 14, unit: min }
        energy_uncertainty: { value: 5, unit: "%" }
        """;

    [Fact]
    public void YamlAndJsonFormsGiveTheSameInput()
    {
        var y = CalorimetryInputFile.Read(Write("c.yaml", CalorimetryYaml));
        var j = CalorimetryInputFile.Read(Write("c.json", """
            {"method": "calorimetry", "phantom_mass": {"value": 20.1, "unit": "kg"}, "specific_heat": {"value": 4180, "unit": "J/(kg K)"},
             "equivalent_mass": {"value": 25, "unit": "kg"}, "T_initial": {"value": 21.3, "unit": "degC"}, "T_final": {"value": 22.1, "unit": "°C"},
             "total_time": {"value": 14, "unit": "min"}, "energy_uncertainty": {"value": 5, "unit": "%"}}
            """));
        Assert.Equal(j.Quantities().Select(q => (q.Field, q.Si, q.Unit)), y.Quantities().Select(q => (q.Field, q.Si, q.Unit)));
        Assert.Equal(0.05, y.EnergyUncertainty);
        // 84018 J/K × 0.8 K / 840 s / 25 kg
        Assert.Equal(84018 * 0.8 / 840 / 25, CalorimetryEvaluation.Evaluate(y).SarWPerKg, 9);
    }

    [Theory]
    [InlineData("calorimetry_example.json", "calorimetry_example.yaml")]
    [InlineData("pulse_energy_example.json", "pulse_energy_example.yaml")]
    public void YamlExamplesGiveTheSameSarAsTheJsonExamples(string json, string yaml)
    {
        var a = SarKit.Measurement.Nema.Reporting.NemaMeasurement.Evaluate(MeasurementFile.Load(Example(json)), "test");
        var b = SarKit.Measurement.Nema.Reporting.NemaMeasurement.Evaluate(MeasurementFile.Load(Example(yaml)), "test");
        Assert.Equal(MeasurementFormat.Yaml, b.Document.Format);
        Assert.Equal(a.SarWPerKg, b.SarWPerKg, 12);
    }

    [Theory]
    [InlineData("phantom_mass: { value: 20.1, unit: kgg }", "'phantom_mass'", "'kgg'")]
    [InlineData("phantom_mass: { value: 20.1, unit: s }", "'phantom_mass'", "'s'")]
    [InlineData("phantom_mass: { value: 20.1 }", "'phantom_mass'", "missing 'unit'")]
    [InlineData("phantom_mass: { value: \"20.1\", unit: kg }", "'phantom_mass'", "must be a number")]
    [InlineData("phantom_mass: { value: .inf, unit: kg }", "'phantom_mass'", "must be a number")]
    [InlineData("phantom_mass: 20.1", "'phantom_mass'", "expected an object")]
    public void UnitTyposAndBadValuesNameTheField(string line, string field, string what)
    {
        var text = CalorimetryYaml.Replace("phantom_mass: { value: 20.1, unit: kg }", line);
        var e = Assert.Throws<SarKitInputException>(() => CalorimetryInputFile.Read(Write("bad.yaml", text)));
        Assert.Contains(field, e.Message);
        Assert.Contains(what, e.Message);
        Assert.Contains("bad.yaml", e.Message);
    }

    [Fact]
    public void SyntaxErrorsDuplicateKeysAndExtensionsAreReported()
    {
        var e = Assert.Throws<SarKitInputException>(() => MeasurementFile.Load(Write("s.yml", "method: calorimetry\nphantom_mass: { value: 1, unit: kg\nx: 1\n")));
        Assert.Contains("not valid YAML after line 2", e.Message);
        e = Assert.Throws<SarKitInputException>(() => MeasurementFile.Load(Write("d.yaml", "method: calorimetry\nmethod: pulse-energy\n")));
        Assert.Contains("not valid YAML at line 2", e.Message);
        Assert.Contains("Duplicate key method", e.Message);
        e = Assert.Throws<SarKitInputException>(() => MeasurementFile.Load(Write("m.txt", "{}")));
        Assert.Contains(".json, .yaml or .yml", e.Message);
        e = Assert.Throws<SarKitInputException>(() => MeasurementFile.Load(Write("n.yaml", "method: calorimetri\n")));
        Assert.Contains("'method'", e.Message);
        e = Assert.Throws<SarKitInputException>(() => MeasurementFile.Load(Write("l.yaml", "- a\n- b\n")));
        Assert.Contains("top level", e.Message);
    }

    [Fact]
    public void ScalarsMapToJsonTypes()
    {
        var json = MeasurementFile.YamlToJson("a: 1\nb: -2.5e-3\nc: '3'\nd: true\ne: ~\nf: 0x10\ng: degC\nh: [1, \"x\"]\n");
        using var d = JsonDocument.Parse(json);
        var r = d.RootElement;
        Assert.Equal(1, r.GetProperty("a").GetDouble());
        Assert.Equal(-2.5e-3, r.GetProperty("b").GetDouble());
        Assert.Equal("3", r.GetProperty("c").GetString());
        Assert.True(r.GetProperty("d").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("e").ValueKind);
        Assert.Equal("0x10", r.GetProperty("f").GetString());
        Assert.Equal("degC", r.GetProperty("g").GetString());
        Assert.Equal(2, r.GetProperty("h").GetArrayLength());
    }
}

/// <summary>The alternative equivalent-loading criteria of Section 1.2.3 (a)–(c) given in a measurement file.</summary>
public class NemaCoilCharacteristicsInputTests
{
    private static string Example => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "calorimetry_example.yaml");

    [Fact]
    public void ExampleCoilCharacteristicsPassWithHandDeviations()
    {
        var input = CalorimetryInputFile.Read(Example);
        var check = input.CoilCharacteristics!.Check();
        Assert.True(check.Passed);
        Assert.Equal((300.0 - 320) / 320, check.Criteria[0].Deviation, 12);   // bandwidth −6.25 % (±15 %)
        Assert.Equal((48.0 - 50) / 50, check.Criteria[1].Deviation, 12);     // |Z| −4 % (±20 %)
        Assert.Equal(8, check.Criteria[2].Deviation, 9);                     // phase +8° (±20°)
        Assert.Equal((63.86 - 63.88) / 63.88, check.Criteria[3].Deviation, 12); // centre frequency (±1 %)
        var md = SarKit.Measurement.Nema.Reporting.NemaReportRenderer.Markdown(
            SarKit.Measurement.Nema.Reporting.NemaReportBuilder.Calorimetry(CalorimetryEvaluation.Evaluate(input), "t"));
        Assert.Contains("| Equivalent loading by coil characteristics (1.2.3 a–c) | - | PASS (all criteria) |", md);
        // eq. [1]: phantom 0.86 vs human 0.84 → +2.38 % (±20 %)
        Assert.Contains("| Equivalent loading (1.2.3, eq. [1], ±20 %) | - | loading quotient P/(P+P_CPL) [eq. 1]: phantom 0.86, human 0.84, deviation +2.38 % (tolerance ±20 %) → pass |", md);
    }

    [Fact]
    public void FailingCriterionAndBadUnitAreReported()
    {
        var text = File.ReadAllText(Example);
        var failing = text.Replace("impedance_phase: { value: 5, unit: deg }", "impedance_phase: { value: 25, unit: deg }");
        var dir = Path.Combine(Path.GetTempPath(), "sarkit-coil-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var p = Path.Combine(dir, "f.yaml");
            File.WriteAllText(p, failing);
            var check = CalorimetryInputFile.Read(p).CoilCharacteristics!.Check();
            Assert.False(check.Passed);
            Assert.Single(check.Failures);
            File.WriteAllText(p, text.Replace("centre_frequency: { value: 63.86, unit: MHz }", "centre_frequency: { value: 63.86, unit: Mhz }"));
            var e = Assert.Throws<SarKitInputException>(() => CalorimetryInputFile.Read(p));
            Assert.Contains("'coil_characteristics.phantom.centre_frequency'", e.Message);
            Assert.Contains("'Mhz'", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
