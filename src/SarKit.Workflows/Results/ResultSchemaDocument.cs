using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SarKit.Workflows.Results;

/// <summary>
/// Builds docs/json-schemas.md from the result types: one section per type marked <see cref="JsonResultAttribute"/>
/// (ordered by <see cref="JsonResultAttribute.Order"/>, then title) with a table Field | Type | Unit | Meaning, and the
/// "Shared objects" table of the types marked <see cref="JsonSharedObjectAttribute"/>.
/// <list type="bullet">
/// <item>Field: the JSON name exactly as <see cref="ResultJson.Options"/> writes it (snake_case naming policy,
/// <see cref="JsonPropertyNameAttribute"/>, <see cref="JsonIgnoreAttribute"/> honoured: the serializer's own contract is read).</item>
/// <item>Type: <c>number</c>, <c>int</c>, <c>string</c>, <c>bool</c>, a shared object's name, <c>object</c>,
/// <c>T[]</c>, <c>object (string → T)</c>; <c>| null</c> when the property is nullable (<see cref="Nullable{T}"/> or a
/// nullable reference).</item>
/// <item>Unit: <see cref="JsonUnitAttribute"/>, else from the name's suffix (<c>_w_per_kg</c> W/kg, <c>_m</c> m,
/// <c>_kg</c> kg, <c>_w</c> W, <c>_hz</c> Hz, <c>_s</c> s, <c>_deg</c> deg, <c>_t</c> T, <c>_ut</c> µT, <c>_j</c> J, …).</item>
/// <item>Meaning: the XML documentation comment of the property, or the <c>&lt;param&gt;</c> of a positional record,
/// read from the assembly's documentation file (GenerateDocumentationFile). A result property without one is an error
/// (<see cref="InvalidOperationException"/> listing all of them). Shared objects are described by their type summary.</item>
/// </list>
/// A property whose type is another (non-shared) object gets its own table below the section's table ("Fields of
/// <c>path</c>"). The type summary is printed under the section title and the <c>&lt;remarks&gt;</c> after the tables.
/// Sections of the previous document that no result type generates yet (their heading names no generated title) are
/// carried over verbatim after the generated ones, so the document stays complete while results move to types.
/// </summary>
public static class ResultSchemaDocument
{
    /// <summary>The fixed introduction of docs/json-schemas.md (everything above "Shared objects").</summary>
    public const string Header =
        """
        <!-- Generated from the result types in src/SarKit.Workflows/Results (ResultSchemaDocument); do not edit the generated
             sections by hand. Regenerate: SARKIT_UPDATE_DOCS=1 dotnet test tests/SarKit.Tests --filter JsonSchemaDocument -->
        # JSON output of `sarkit … --json`

        With `--json` each command prints exactly one JSON object (indented UTF-8) on stdout and nothing else; errors go to
        stderr and the exit code tells success (docs/cli.md). Property names are snake_case. Numbers are IEEE doubles in SI
        units (the unit is part of the name: `_m`, `_kg`, `_w`, `_w_per_kg`, `_hz`, `_s`, `_deg`); `null` means "not
        applicable" or "unknown" (JSON has no NaN). SAR values are W/kg **for the given drive** (drive amplitudes in the
        dataset's drive unit); with an `unspecified` normalisation they are relative only.

        """;

    /// <summary>Environment variable: when <c>1</c>, the document test writes the generated text to docs/json-schemas.md.</summary>
    public const string UpdateVariable = "SARKIT_UPDATE_DOCS";

    /// <summary>The document for the result types of SarKit.Workflows, with sections of <paramref name="previousDocument"/> not generated yet carried over.</summary>
    public static string Generate(string? previousDocument = null)
    {
        var asm = typeof(ResultSchemaDocument).Assembly;
        return Generate(asm.GetTypes(), LoadDocumentation(asm), previousDocument);
    }

    /// <summary>The XML documentation file next to <paramref name="assembly"/> (<c>Name.xml</c>).</summary>
    public static XDocument LoadDocumentation(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path}: the XML documentation of {assembly.GetName().Name} is missing (GenerateDocumentationFile must be on).");
        return XDocument.Load(path);
    }

    /// <summary>The types of <paramref name="types"/> marked <see cref="JsonResultAttribute"/>, in document order.</summary>
    public static IReadOnlyList<Type> ResultTypes(IEnumerable<Type> types) =>
        types.Select(t => (t, a: t.GetCustomAttribute<JsonResultAttribute>())).Where(x => x.a is not null)
            .OrderBy(x => x.a!.Order).ThenBy(x => x.a!.Title, StringComparer.Ordinal).Select(x => x.t).ToList();

    /// <summary>
    /// The document for the <see cref="JsonResultAttribute"/> and <see cref="JsonSharedObjectAttribute"/> types among
    /// <paramref name="types"/>, documented by <paramref name="documentation"/> (a compiler XML documentation file).
    /// </summary>
    public static string Generate(IEnumerable<Type> types, XDocument documentation, string? previousDocument = null)
    {
        var all = types.ToList();
        var g = new Generator(documentation);
        var sb = new StringBuilder(Header);
        sb.Append("\nShared objects:\n\n| Object | Fields |\n|---|---|\n");
        foreach (var t in all.Where(t => t.GetCustomAttribute<JsonSharedObjectAttribute>() is not null)
                     .OrderBy(t => t.GetCustomAttribute<JsonSharedObjectAttribute>()!.Name, StringComparer.Ordinal))
            sb.Append(g.SharedRow(t));
        sb.Append('\n');
        var titles = new List<string>();
        foreach (var t in ResultTypes(all))
        {
            titles.Add(t.GetCustomAttribute<JsonResultAttribute>()!.Title);
            sb.Append(g.Section(t)).Append('\n');
        }
        g.ThrowIfUndocumented();
        foreach (var s in CarriedOverSections(previousDocument, titles)) sb.Append(s);
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>
    /// The "## " sections of <paramref name="previousDocument"/> (verbatim, in order) whose heading names none of
    /// <paramref name="generatedTitles"/> in backticks: the results not yet described by a type.
    /// </summary>
    public static IReadOnlyList<string> CarriedOverSections(string? previousDocument, IReadOnlyCollection<string> generatedTitles)
    {
        if (string.IsNullOrEmpty(previousDocument)) return [];
        var text = previousDocument.Replace("\r\n", "\n");
        var starts = Regex.Matches(text, "^## ", RegexOptions.Multiline).Select(m => m.Index).ToList();
        var r = new List<string>();
        for (int i = 0; i < starts.Count; i++)
        {
            var s = text[starts[i]..(i + 1 < starts.Count ? starts[i + 1] : text.Length)];
            var heading = s[..(s.IndexOf('\n') is var nl and >= 0 ? nl : s.Length)];
            if (generatedTitles.Any(t => heading.Contains(TitleCode(t), StringComparison.Ordinal))) continue;
            r.Add(s.EndsWith('\n') ? s : s + "\n");
        }
        return r;
    }

    private static string TitleCode(string title) => title.Contains('`') ? title : $"`{title}`";

    /// <summary>Unit of a JSON field from its name's suffix (longest suffix first); empty when the name does not say.</summary>
    public static string UnitFromName(string jsonName)
    {
        foreach (var (suffix, unit) in Suffixes)
            if (jsonName.EndsWith(suffix, StringComparison.Ordinal)) return unit;
        return "";
    }

    private static readonly (string Suffix, string Unit)[] Suffixes = new (string, string)[]
    {
        ("_w_per_kg", "W/kg"), ("_j_per_kg_k", "J/(kg·K)"), ("_j_per_kg", "J/kg"), ("_j_per_k", "J/K"),
        ("_mw_per_cm2", "mW/cm²"), ("_mw_per_g", "mW/g"), ("_s_per_m", "S/m"), ("_kg_per_m3", "kg/m³"),
        ("_m2_per_kg", "m²/kg"), ("_hz2_s", "Hz²·s"), ("_percent", "%"),
        ("_kg", "kg"), ("_mm", "mm"), ("_m", "m"), ("_g", "g"), ("_w", "W"), ("_hz", "Hz"), ("_ms", "ms"), ("_s", "s"),
        ("_deg", "deg"), ("_ut", "µT"), ("_t", "T"), ("_j", "J"), ("_k", "K"), ("_mv", "mV"), ("_v", "V"),
    }.OrderByDescending(x => x.Item1.Length).ToArray();

    private sealed class Generator(XDocument documentation)
    {
        private readonly Dictionary<string, XElement> _members = documentation.Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .GroupBy(m => m.Attribute("name")!.Value).ToDictionary(x => x.Key, x => x.First());
        private readonly List<string> _undocumented = new();
        private readonly NullabilityInfoContext _nullability = new();

        public void ThrowIfUndocumented()
        {
            if (_undocumented.Count > 0)
                throw new InvalidOperationException("result properties without an XML doc comment (add a <summary>, or a <param> on the positional record) — docs/json-schemas.md takes the meaning from it:\n  "
                                                    + string.Join("\n  ", _undocumented.Distinct()));
        }

        public string SharedRow(Type t)
        {
            var name = t.GetCustomAttribute<JsonSharedObjectAttribute>()!.Name;
            var fields = Properties(t).Select(p => $"\"{p.Name}\": {TypeName(p, out _).Replace("|", "\\|")}");
            var summary = Text(Member(TypeId(t))?.Element("summary"));
            if (summary.Length == 0) _undocumented.Add($"{t.FullName} (shared object '{name}': no <summary>)");
            return $"| {name} | `{{ {string.Join(", ", fields)} }}` — {Cell(summary)} |\n";
        }

        public string Section(Type t)
        {
            var a = t.GetCustomAttribute<JsonResultAttribute>()!;
            var sb = new StringBuilder();
            sb.Append("## ").Append(TitleCode(a.Title)).Append("\n\n");
            var type = Member(TypeId(t));
            var summary = Text(type?.Element("summary"));
            if (summary.Length > 0) sb.Append(summary).Append("\n\n");
            if (!string.IsNullOrEmpty(a.Web)) sb.Append("Web API: ").Append(string.Join(", ", a.Web.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(w => $"`{w}`"))).Append(" returns the same object.\n\n");
            var nested = new List<(string Path, Type Type)>();
            var seen = new Dictionary<Type, string> { [t] = "" };
            sb.Append(Table(t, "", nested, seen));
            for (int i = 0; i < nested.Count; i++)
            {
                var (path, nt) = nested[i];
                sb.Append("\nFields of `").Append(path).Append("`:\n\n").Append(Table(nt, path, nested, seen));
            }
            var remarks = Text(type?.Element("remarks"));
            if (remarks.Length > 0) sb.Append('\n').Append(remarks).Append('\n');
            return sb.ToString();
        }

        private string Table(Type t, string path, List<(string, Type)> nested, Dictionary<Type, string> seen)
        {
            var sb = new StringBuilder("| Field | Type | Unit | Meaning |\n|---|---|---|---|\n");
            foreach (var p in Properties(t))
            {
                var typeName = TypeName(p, out var objectType);
                var unit = p.AttributeProvider?.GetCustomAttributes(typeof(JsonUnitAttribute), true).OfType<JsonUnitAttribute>().FirstOrDefault()?.Unit
                           ?? UnitFromName(p.Name);
                var meaning = Meaning(t, p);
                if (objectType is not null)
                {
                    var childPath = (path.Length > 0 ? path + "." : "") + p.Name + Shape(p.PropertyType);
                    if (objectType.GetCustomAttribute<JsonResultAttribute>() is { } other)
                        meaning = Join(meaning, $"the {TitleCode(other.Title)} object");
                    else if (seen.TryGetValue(objectType, out var first))
                        meaning = Join(meaning, first.Length > 0 ? $"fields as in `{first}`" : "fields as this object");
                    else { seen[objectType] = childPath; nested.Add((childPath, objectType)); }
                }
                sb.Append(Row($"`{p.Name}`", Cell(typeName), Cell(unit), Cell(meaning)));
            }
            return sb.ToString();
        }

        /// <summary>A table row; an empty cell is written "| |" as in the hand-written tables.</summary>
        private static string Row(params string[] cells) => "|" + string.Concat(cells.Select(c => c.Length == 0 ? " |" : $" {c} |")) + "\n";

        private static string Join(string a, string b) => a.Length == 0 ? b : $"{a.TrimEnd('.')}; {b}";

        private string Meaning(Type t, JsonPropertyInfo p)
        {
            var member = p.AttributeProvider as MemberInfo;
            var clrName = member?.Name ?? p.Name;
            var declaring = member?.DeclaringType ?? t;
            var text = Text(Member($"{(member is FieldInfo ? "F" : "P")}:{TypeName(declaring)}.{clrName}")?.Element("summary"));
            if (text.Length == 0)
            {
                // positional record: the <param> of the type (or of its primary constructor)
                foreach (var id in new[] { TypeId(declaring) }.Concat(_members.Keys.Where(k => k.StartsWith($"M:{TypeName(declaring)}.#ctor", StringComparison.Ordinal))))
                {
                    var param = Member(id)?.Elements("param").FirstOrDefault(e => (string?)e.Attribute("name") == clrName);
                    text = Text(param);
                    if (text.Length > 0) break;
                }
            }
            if (text.Length == 0) _undocumented.Add($"{declaring.FullName}.{clrName} (`{p.Name}`)");
            return text;
        }

        private IEnumerable<JsonPropertyInfo> Properties(Type t) =>
            Contract.GetTypeInfo(t).Properties.Where(p => p.Get is not null);

        // ResultJson.Options' own contract (naming policy, converters, ignore rules), readable before first use
        private static readonly JsonSerializerOptions Contract = ContractOptions();
        private static JsonSerializerOptions ContractOptions()
        {
            var o = new JsonSerializerOptions(ResultJson.Options);
            o.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
            o.MakeReadOnly();
            return o;
        }

        /// <summary>"[]" per collection level, "{}" per dictionary level of a property type (paths of nested tables).</summary>
        private static string Shape(Type t)
        {
            t = Nullable.GetUnderlyingType(t) ?? t;
            if (DictionaryValue(t) is { } v) return "{}" + Shape(v);
            if (ElementType(t) is { } e) return "[]" + Shape(e);
            return "";
        }

        /// <summary>The documented type of a property; <paramref name="objectType"/> is the (innermost) object type that needs its own table, if any.</summary>
        private string TypeName(JsonPropertyInfo p, out Type? objectType)
        {
            var info = p.AttributeProvider switch
            {
                PropertyInfo pi => _nullability.Create(pi),
                FieldInfo fi => _nullability.Create(fi),
                _ => null,
            };
            // an enum is written as a string only with a converter (ResultJson.Options has none of its own)
            bool enumAsString = p.CustomConverter is not null || Contract.Converters.Any(c => c is JsonStringEnumConverter);
            return Name(p.PropertyType, info, enumAsString, out objectType);
        }

        private string Name(Type t, NullabilityInfo? info, bool enumAsString, out Type? objectType)
        {
            objectType = null;
            if (Nullable.GetUnderlyingType(t) is { } u) return Name(u, null, enumAsString, out objectType) + " | null";
            string core = Core(t, info, enumAsString, out objectType);
            return !t.IsValueType && info?.ReadState == NullabilityState.Nullable ? core + " | null" : core;
        }

        private string Core(Type t, NullabilityInfo? info, bool enumAsString, out Type? objectType)
        {
            objectType = null;
            if (t == typeof(string) || t == typeof(char) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly)
                || t == typeof(TimeOnly) || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(Uri) || t == typeof(byte[])) return "string";
            if (t == typeof(bool)) return "bool";
            if (t == typeof(double) || t == typeof(float) || t == typeof(decimal) || t == typeof(Half)) return "number";
            if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte)
                || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort)) return "int";
            if (t.IsEnum) return enumAsString || t.GetCustomAttribute<JsonConverterAttribute>() is not null ? "string" : "int";
            if (t == typeof(JsonArray)) return "array";
            if (typeof(JsonNode).IsAssignableFrom(t)) return "object";
            if (t == typeof(JsonElement) || t == typeof(JsonDocument) || t == typeof(object)) return "any";
            if (t.GetCustomAttribute<JsonSharedObjectAttribute>() is { } shared) return shared.Name;
            if (DictionaryValue(t) is { } v)
            {
                var vi = info?.GenericTypeArguments is { Length: 2 } ga ? ga[1] : null;
                return $"object (string → {Name(v, vi, false, out objectType)})";
            }
            if (ElementType(t) is { } e)
            {
                var ei = info?.ElementType ?? (info?.GenericTypeArguments is { Length: 1 } ga ? ga[0] : null);
                var en = Name(e, ei, false, out objectType);
                return (en.Contains(' ') ? $"({en})" : en) + "[]";
            }
            objectType = t;
            return "object";
        }

        private static Type? DictionaryValue(Type t)
        {
            var d = t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IDictionary<,>) || t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)) ? t
                : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));
            return d?.GetGenericArguments()[1];
        }

        private static Type? ElementType(Type t)
        {
            if (t == typeof(string)) return null;
            if (t.IsArray) return t.GetElementType();
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return t.GetGenericArguments()[0];
            return t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
                   ?? (typeof(IEnumerable).IsAssignableFrom(t) ? typeof(object) : null);
        }

        private XElement? Member(string id) => _members.GetValueOrDefault(id);

        private static string TypeName(Type t) => (t.FullName ?? t.Name).Replace('+', '.');
        private static string TypeId(Type t) => "T:" + TypeName(t);

        /// <summary>Markdown of an XML doc element: &lt;c&gt; as code, &lt;see cref&gt; as the short name, whitespace collapsed, &lt;para&gt; as a paragraph break.</summary>
        private static string Text(XElement? e)
        {
            if (e is null) return "";
            var sb = new StringBuilder();
            Render(e, sb);
            var paragraphs = sb.ToString().Split('\u2029').Select(s => Regex.Replace(s, @"\s+", " ").Trim()).Where(s => s.Length > 0);
            return string.Join("\n\n", paragraphs);
        }

        private static void Render(XElement e, StringBuilder sb)
        {
            foreach (var n in e.Nodes())
            {
                switch (n)
                {
                    case XText t: sb.Append(t.Value); break;
                    case XElement c when c.Name == "c" || c.Name == "code": sb.Append('`').Append(Regex.Replace(c.Value, @"\s+", " ").Trim()).Append('`'); break;
                    case XElement c when c.Name == "para": sb.Append('\u2029'); Render(c, sb); sb.Append('\u2029'); break;
                    case XElement c when c.Name == "br": sb.Append(' '); break;
                    case XElement c when c.Name == "see" || c.Name == "seealso":
                        if (c.Attribute("langword") is { } lw) sb.Append('`').Append(lw.Value).Append('`');
                        else if (!string.IsNullOrWhiteSpace(c.Value)) Render(c, sb);
                        else if (c.Attribute("href") is { } href) sb.Append(href.Value);
                        else if (c.Attribute("cref") is { } cref) sb.Append('`').Append(ShortName(cref.Value)).Append('`');
                        break;
                    case XElement c when c.Name == "paramref" || c.Name == "typeparamref": sb.Append('`').Append((string?)c.Attribute("name")).Append('`'); break;
                    case XElement c when c.Name == "a" && c.Attribute("href") is { } href: sb.Append('[').Append(c.Value).Append("](").Append(href.Value).Append(')'); break;
                    case XElement c when c.Name == "item": sb.Append(' '); Render(c, sb); sb.Append(';'); break;
                    case XElement c: Render(c, sb); break;
                }
            }
        }

        private static string ShortName(string cref)
        {
            var s = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
            int paren = s.IndexOf('('); if (paren >= 0) s = s[..paren];
            s = Regex.Replace(s, "`+\\d+", "");
            return s[(s.LastIndexOf('.') + 1)..];
        }

        /// <summary>A table cell: pipes escaped, paragraph breaks as spaces, one trailing full stop dropped.</summary>
        private static string Cell(string s)
        {
            s = s.Replace("\n\n", " ").Replace("|", "\\|");
            return s.EndsWith('.') && !s.EndsWith("..", StringComparison.Ordinal) ? s[..^1] : s;
        }
    }
}
