using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Results;

/// <summary>
/// The source-generated result metadata (<see cref="ResultJsonContext"/>, what a Native AOT CLI uses) covers every
/// result type and gives the same JSON contract as reflection (what the JIT build used before): same names, same order,
/// same types, recursively.
/// </summary>
public class ResultJsonContextTests
{
    private static readonly JsonSerializerOptions Generated = Options(ResultJsonContext.Default);
    private static readonly JsonSerializerOptions Reflection = Options(new DefaultJsonTypeInfoResolver());

    private static JsonSerializerOptions Options(IJsonTypeInfoResolver resolver)
    {
        var o = new JsonSerializerOptions(ResultJson.Options) { TypeInfoResolver = resolver };
        o.MakeReadOnly();
        return o;
    }

    public static TheoryData<string> ResultTypes()
    {
        var d = new TheoryData<string>();
        foreach (var t in typeof(ResultJson).Assembly.GetTypes().Where(t => t.IsDefined(typeof(JsonResultAttribute), false)).OrderBy(t => t.Name))
            d.Add(t.FullName!);
        return d;
    }

    [Theory]
    [MemberData(nameof(ResultTypes))]
    public void Every_result_type_has_generated_metadata_with_the_reflection_contract(string name)
    {
        var t = typeof(ResultJson).Assembly.GetType(name)!;
        SameContract(t, "$", new HashSet<Type>());
    }

    [Fact]
    public void Sequence_timeline_rows_have_generated_metadata() =>
        SameContract(typeof(SarKit.IO.Formats.SequenceTimelineFiles.TimelineRow[]), "$", new HashSet<Type>());

    private static void SameContract(Type t, string path, HashSet<Type> seen)
    {
        if (!seen.Add(t)) return;
        JsonTypeInfo g;
        try { g = Generated.GetTypeInfo(t); }
        catch (NotSupportedException e) { throw new Xunit.Sdk.XunitException($"{path}: {t} has no generated metadata ({e.Message})"); }
        var r = Reflection.GetTypeInfo(t);
        Assert.True(r.Kind == g.Kind, $"{path}: kind {g.Kind} vs reflection {r.Kind}");
        Assert.True(r.Converter.GetType() == g.Converter.GetType() || r.Kind != JsonTypeInfoKind.None,
            $"{path}: converter {g.Converter.GetType()} vs reflection {r.Converter.GetType()}");
        switch (g.Kind)
        {
            case JsonTypeInfoKind.Object:
                var gp = g.Properties.Where(p => p.Get is not null).Select(p => (p.Name, p.PropertyType, p.Order)).ToArray();
                var rp = r.Properties.Where(p => p.Get is not null).Select(p => (p.Name, p.PropertyType, p.Order)).ToArray();
                Assert.True(rp.SequenceEqual(gp), $"{path} ({t.Name}): generated [{string.Join(", ", gp)}] vs reflection [{string.Join(", ", rp)}]");
                foreach (var p in g.Properties.Where(p => p.Get is not null)) SameContract(p.PropertyType, $"{path}.{p.Name}", seen);
                break;
            case JsonTypeInfoKind.Enumerable:
            case JsonTypeInfoKind.Dictionary:
                SameContract(g.ElementType!, path + "[]", seen);
                break;
        }
    }
}
