using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using SarKit.Tests.Support;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Results;

/// <summary>docs/json-schemas.md is generated from the result types (<see cref="ResultSchemaDocument"/>) and must equal them.</summary>
public class JsonSchemaDocumentTests
{
    private static string DocPath => Path.Combine(SharedData.RepoRoot, "docs", "json-schemas.md");

    [Fact]
    public void JsonSchemaDocument_equals_the_document_generated_from_the_result_types()
    {
        var current = File.ReadAllText(DocPath).Replace("\r\n", "\n");
        var generated = ResultSchemaDocument.Generate(current);
        if (Environment.GetEnvironmentVariable(ResultSchemaDocument.UpdateVariable) == "1" && generated != current)
            File.WriteAllText(DocPath, generated);
        else if (generated != current)
        {
            var a = current.Split('\n'); var b = generated.Split('\n');
            int i = 0; while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
            Assert.Fail($"docs/json-schemas.md differs from the result types (first difference at line {i + 1}:\n  file:      {(i < a.Length ? a[i] : "(end)")}\n  generated: {(i < b.Length ? b[i] : "(end)")}).\n"
                        + $"Regenerate it with  {ResultSchemaDocument.UpdateVariable}=1 dotnet test tests/SarKit.Tests --filter JsonSchemaDocument  and review the diff.");
        }
    }

    [Fact]
    public void JsonSchemaDocument_lists_the_shared_objects_of_ResultParts()
    {
        var doc = ResultSchemaDocument.Generate();
        Assert.StartsWith(ResultSchemaDocument.Header, doc);
        Assert.Contains("| voxel index | `{ \"i\": int, \"j\": int, \"k\": int }` — A voxel index: 0-based indices along x, y, z", doc);
        Assert.Contains("| drive | `{ \"amplitude\": number[], \"phase_deg\": number[], \"unit\": string, \"normalisation\": string }` — A drive: per channel \\|b_c\\| in `unit`", doc);
        Assert.Contains("| status counts | `{ \"valid\": int, \"used\": int, \"unused\": int, \"background\": int, \"without_cube\": int }`", doc);
    }

    // ------------------------------------------------------------------ generator on fake result types

    private const string Ns = "SarKit.Tests.Results";

    private static XDocument Docs(params (string Member, string Xml)[] members) => XDocument.Parse(
        "<doc><members>" + string.Join("", members.Select(m => $"<member name=\"{m.Member}\">{m.Xml}</member>")) + "</members></doc>");

    private static readonly (string, string)[] FakeDocs =
    [
        ($"T:{Ns}.FakeSharedPart", "<summary>A fake shared part in <c>unit</c> with |x|.</summary>"),
        ($"T:{Ns}.FakeResult", "<summary>Fake result for the generator tests.</summary><remarks>Exit code 3 when a limit is exceeded.</remarks>"
                               + "<param name=\"PeakSarWPerKg\">peak SAR.</param><param name=\"MassKg\">averaging mass; null for point SAR</param>"
                               + "<param name=\"Region\">mask searched, see <see cref=\"T:SarKit.Workflows.Results.ResultJson\"/></param>"
                               + "<param name=\"Samples\">samples</param><param name=\"Ratios\">ratios, <see langword=\"null\"/> entries when undefined</param>"
                               + "<param name=\"Part\">the part</param><param name=\"Cube\">the peak cube</param><param name=\"Checks\">checks</param>"
                               + "<param name=\"TimingsS\">seconds per step</param><param name=\"PaddingVoxels\">air voxels added</param>"),
        ($"P:{Ns}.FakeResult.Version", "<summary>SarKit version.</summary>"),
        ($"T:{Ns}.FakeCube", "<summary>cube</summary><param name=\"SideM\">edge length</param><param name=\"Orientation\">orientation code</param>"),
        ($"T:{Ns}.FakeCheck", "<summary>check</summary><param name=\"Name\">what is checked</param><param name=\"Pass\">true when within tolerance</param><param name=\"Cube\">its cube</param>"),
    ];

    private static readonly Type[] FakeTypes = [typeof(FakeSharedPart), typeof(FakeResult), typeof(FakeCube), typeof(FakeCheck)];

    [Fact]
    public void JsonSchemaDocument_generator_writes_types_nullability_units_and_nested_tables()
    {
        var doc = ResultSchemaDocument.Generate(FakeTypes, Docs(FakeDocs));
        Assert.Contains("| fake part | `{ \"value_m\": number, \"note\": string \\| null }` — A fake shared part in `unit` with \\|x\\| |", doc);
        Assert.Contains("## `sarkit fake --json`\n\nFake result for the generator tests.\n\nWeb API: `POST /api/fake`, `GET /api/fake/{id}` returns the same object.\n\n| Field | Type | Unit | Meaning |\n|---|---|---|---|\n", doc);
        Assert.Contains("| `peak_sar_w_per_kg` | number | W/kg | peak SAR |", doc);
        Assert.Contains("| `mass_kg` | number \\| null | kg | averaging mass; null for point SAR |", doc);
        Assert.Contains("| `region` | string \\| null | | mask searched, see `ResultJson` |", doc);
        Assert.Contains("| `samples` | int[] | | samples |", doc);
        Assert.Contains("| `ratios` | (number \\| null)[] \\| null | | ratios, `null` entries when undefined |", doc);
        Assert.Contains("| `part` | fake part | | the part |", doc);
        Assert.Contains("| `cube` | object \\| null | | the peak cube |", doc);
        Assert.Contains("| `checks` | object[] | | checks |", doc);
        Assert.Contains("| `timings_s` | object (string → number) | s | seconds per step |", doc);
        Assert.Contains("| `padding_voxels` | int | voxels | air voxels added |", doc);
        Assert.Contains("| `version` | string | | SarKit version |", doc);
        Assert.Contains("\nFields of `cube`:\n\n| Field | Type | Unit | Meaning |\n|---|---|---|---|\n| `side_m` | number | m | edge length |\n| `orientation` | int | | orientation code |\n", doc);
        Assert.Contains("\nFields of `checks[]`:\n\n", doc);
        Assert.Contains("| `cube` | object | | its cube; fields as in `cube` |", doc);
        Assert.Contains("\nExit code 3 when a limit is exceeded.\n", doc);
        Assert.DoesNotContain("ignored", doc);
        Assert.EndsWith("\n", doc);
        Assert.DoesNotContain("\n\n\n", doc);
    }

    [Fact]
    public void JsonSchemaDocument_generator_fails_on_an_undocumented_property()
    {
        var docs = FakeDocs.Where(d => !d.Item1.StartsWith($"P:{Ns}.FakeResult.Version", StringComparison.Ordinal)).ToArray();
        var ex = Assert.Throws<InvalidOperationException>(() => ResultSchemaDocument.Generate(FakeTypes, Docs(docs)));
        Assert.Contains($"{Ns}.FakeResult.Version (`version`)", ex.Message);
        Assert.DoesNotContain("MassKg", ex.Message);

        var noParam = FakeDocs.Select(d => (d.Item1, d.Item2.Replace("<param name=\"MassKg\">averaging mass; null for point SAR</param>", ""))).ToArray();
        ex = Assert.Throws<InvalidOperationException>(() => ResultSchemaDocument.Generate(FakeTypes, Docs(noParam)));
        Assert.Contains($"{Ns}.FakeResult.MassKg (`mass_kg`)", ex.Message);
    }

    [Fact]
    public void JsonSchemaDocument_carries_over_sections_no_type_generates_yet()
    {
        const string previous = "# old header\n\nShared objects: …\n\n## `sarkit fake --json`\n\nold text\n\n## `sarkit other --json`\n\nkept *verbatim*\n\n\n## `sarkit fake --json`, `sarkit fake2 --json`\n\nalso replaced\n";
        var doc = ResultSchemaDocument.Generate(FakeTypes, Docs(FakeDocs), previous);
        Assert.DoesNotContain("old text", doc);
        Assert.DoesNotContain("also replaced", doc);
        Assert.DoesNotContain("old header", doc);
        Assert.EndsWith("## `sarkit other --json`\n\nkept *verbatim*\n", doc);
        Assert.True(doc.IndexOf("## `sarkit fake --json`", StringComparison.Ordinal) < doc.IndexOf("## `sarkit other --json`", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("peak_sar_w_per_kg", "W/kg")]
    [InlineData("peak_location_m", "m")]
    [InlineData("whole_body_mass_kg", "kg")]
    [InlineData("incident_power_w", "W")]
    [InlineData("frequency_hz", "Hz")]
    [InlineData("elapsed_s", "s")]
    [InlineData("phase_deg", "deg")]
    [InlineData("b0_t", "T")]
    [InlineData("peak_b1_ut", "µT")]
    [InlineData("energy_j", "J")]
    [InlineData("inference_ms", "ms")]
    [InlineData("rf_energy_hz2_s", "Hz²·s")]
    [InlineData("count", "")]
    [InlineData("rf_events", "")]
    public void JsonSchemaDocument_unit_comes_from_the_name_suffix(string name, string unit) =>
        Assert.Equal(unit, ResultSchemaDocument.UnitFromName(name));

    // ------------------------------------------------------------------ every result serialises through ResultJson

    public static TheoryData<string> ResultTypeNames()
    {
        var d = new TheoryData<string>();
        foreach (var t in ResultSchemaDocument.ResultTypes(typeof(ResultJson).Assembly.GetTypes()).Concat(FakeTypes.Where(t => t.GetCustomAttribute<JsonResultAttribute>() is not null)))
            d.Add(t.AssemblyQualifiedName!);
        return d;
    }

    [Theory]
    [MemberData(nameof(ResultTypeNames))]
    public void JsonSchemaDocument_every_result_type_serialises_through_ResultJson_with_the_documented_fields(string typeName)
    {
        var t = Type.GetType(typeName, throwOnError: true)!;
        var value = Sample(t, 0);
        var node = ResultJson.ToNode(value);
        var obj = Assert.IsType<JsonObject>(node);
        Assert.Equal(ResultJson.Serialize(value).Trim(), node.ToJsonString(ResultJson.Options).Trim());
        var docs = t.Assembly == typeof(ResultJson).Assembly ? ResultSchemaDocument.LoadDocumentation(t.Assembly) : Docs(FakeDocs);
        var doc = ResultSchemaDocument.Generate(t.Assembly == typeof(ResultJson).Assembly ? typeof(ResultJson).Assembly.GetTypes() : FakeTypes, docs);
        var title = t.GetCustomAttribute<JsonResultAttribute>()!.Title;
        int at = doc.IndexOf($"## `{title}`", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no section for {title}");
        int end = doc.IndexOf("\n## ", at + 3, StringComparison.Ordinal);
        var section = doc[at..(end < 0 ? doc.Length : end)];
        foreach (var (key, _) in obj) Assert.Contains($"| `{key}` |", section);
    }

    /// <summary>A value of <paramref name="t"/> with every property set (one element per collection), for serialisation checks.</summary>
    internal static object? Sample(Type t, int depth)
    {
        if (Nullable.GetUnderlyingType(t) is { } u) return Sample(u, depth);
        if (t == typeof(string)) return "x";
        if (t == typeof(bool)) return true;
        if (t == typeof(double)) return 1.5;
        if (t == typeof(float)) return 1.5f;
        if (t == typeof(decimal)) return 1.5m;
        if (t.IsPrimitive) return Convert.ChangeType(1, t, System.Globalization.CultureInfo.InvariantCulture);
        if (t.IsEnum) return Enum.GetValues(t).GetValue(0);
        if (t == typeof(DateTime)) return new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        if (t == typeof(DateTimeOffset)) return new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        if (t == typeof(DateOnly)) return new DateOnly(2024, 1, 2);
        if (t == typeof(TimeSpan)) return TimeSpan.FromSeconds(1);
        if (t == typeof(Guid)) return Guid.Empty;
        if (typeof(JsonNode).IsAssignableFrom(t)) return t == typeof(JsonArray) ? new JsonArray(1) : new JsonObject { ["a"] = 1 };
        if (t == typeof(object)) return "x";
        if (depth > 8) return null;
        if (t.IsArray)
        {
            var a = Array.CreateInstance(t.GetElementType()!, 1);
            a.SetValue(Sample(t.GetElementType()!, depth + 1), 0);
            return a;
        }
        if (t.IsGenericType && t.GetGenericArguments() is { Length: 2 } kv && typeof(IEnumerable).IsAssignableFrom(t))
        {
            // the declared type when it can be made (e.g. SortedDictionary), else Dictionary for an interface type
            var concrete = !t.IsInterface && !t.IsAbstract && typeof(IDictionary).IsAssignableFrom(t) ? t : typeof(Dictionary<,>).MakeGenericType(kv);
            var d = (IDictionary)Activator.CreateInstance(concrete)!;
            d.Add(Sample(kv[0], depth + 1)!, Sample(kv[1], depth + 1));
            return d;
        }
        if (t.IsGenericType && t.GetGenericArguments() is { Length: 1 } el && typeof(IEnumerable).IsAssignableFrom(t))
        {
            var l = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(el))!;
            l.Add(Sample(el[0], depth + 1));
            return l;
        }
        var ctor = t.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        object o = ctor is null ? Activator.CreateInstance(t)! : ctor.Invoke(ctor.GetParameters().Select(p => Sample(p.ParameterType, depth + 1)).ToArray());
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.GetValue(o) is null or 0 or 0.0 or false)
                p.SetValue(o, Sample(p.PropertyType, depth + 1));
        return o;
    }
}

[JsonSharedObject("fake part")]
internal sealed record FakeSharedPart(double ValueM, string? Note);

internal sealed record FakeCube(double SideM, int Orientation);

internal sealed record FakeCheck(string Name, bool Pass, FakeCube Cube);

[JsonResult("sarkit fake --json", Web = "POST /api/fake; GET /api/fake/{id}")]
internal sealed record FakeResult(double PeakSarWPerKg, double? MassKg, string? Region, int[] Samples, List<double?>? Ratios, FakeSharedPart Part,
    FakeCube? Cube, IReadOnlyList<FakeCheck> Checks, Dictionary<string, double> TimingsS, [property: JsonUnit("voxels")] int PaddingVoxels)
{
    public string Version { get; init; } = "0.1.0";
    [System.Text.Json.Serialization.JsonIgnore] public string Ignored { get; init; } = "ignored";
}
