using System.Reflection;
using SarKit.Tests.Support;

namespace SarKit.Tests.Architecture;

/// <summary>The layering rules of docs/architecture.md, checked on the sources and the built assemblies.</summary>
public class ArchitectureTests
{
    private static readonly IReadOnlyList<SourceDependencies.SourceFile> Files = SourceDependencies.Scan(SharedData.RepoRoot);

    [Fact]
    public void Every_source_file_declares_the_namespace_of_its_folder()
    {
        Assert.True(Files.Count > 200, $"only {Files.Count} source files found under src/");
        // a Program.cs with top-level statements has no namespace (the entry point of an executable)
        var wrong = Files.Where(f => f.DeclaredNamespace != f.ExpectedNamespace && !(f.DeclaredNamespace is null && f.RelativePath.EndsWith("Program.cs")))
            .Select(f => $"{f.RelativePath}: namespace {f.DeclaredNamespace ?? "(none)"}, folder says {f.ExpectedNamespace}").ToList();
        Assert.True(wrong.Count == 0, "namespace ≠ folder:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Front_ends_hold_no_numerics_and_no_array_or_HDF5_code()
    {
        // the CLI and the web app parse, call a SarKit.Workflows use case and render its result (docs/architecture.md)
        string[] forbidden = ["SarKit.Numerics", "SarKit.IO.Arrays", "SarKit.IO.Hdf5", "SarKit.Compression.Algorithms", "SarKit.Surrogate.Fdfd2D", "SarKit.Surrogate.Onnx", "SarKit.Surrogate.BodyModels"];
        var frontEnd = Files.Where(f => f.Project is "SarKit.Cli" or "SarKit.Web").ToList();
        Assert.True(frontEnd.Count > 20, $"only {frontEnd.Count} front-end files found");
        var bad = frontEnd.SelectMany(f => f.Uses.Where(u => forbidden.Any(x => u == x || u.StartsWith(x + ".", StringComparison.Ordinal)))
            .Select(u => $"{f.RelativePath}: uses {u}")).ToList();
        Assert.True(bad.Count == 0, "front ends must go through SarKit.Workflows:\n" + string.Join('\n', bad));
    }

    [Fact]
    public void No_namespace_cycles_between_areas()
    {
        var graph = SourceDependencies.AreaGraph(Files);
        Assert.Contains("SarKit.Averaging", graph.Keys);
        Assert.Contains("SarKit.Sar", graph["SarKit.Averaging"]); // the scan sees real edges
        var cycles = SourceDependencies.Cycles(graph);
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join('\n', cycles.Select(c => string.Join(" ↔ ", c))));
    }

    [Fact]
    public void Cycle_detector_finds_a_planted_cycle_and_ignores_comments()
    {
        var a = new SourceDependencies.SourceFile("a.cs", "SarKit", "SarKit.Grid", "SarKit.Grid",
            SourceDependencies.Uses("using SarKit.Fields;\n// using SarKit.Sar;\nclass A { SarKit.Sar.LocalSar? x; }"));
        var b = new SourceDependencies.SourceFile("b.cs", "SarKit", "SarKit.Fields", "SarKit.Fields",
            SourceDependencies.Uses("/* SarKit.Compression.VopSet */\nusing SarKit.Grid;\nnamespace SarKit.Fields;"));
        Assert.Contains("SarKit.Sar", a.Uses);
        Assert.DoesNotContain("SarKit.Compression", b.Uses);
        var cycles = SourceDependencies.Cycles(SourceDependencies.AreaGraph([a, b]));
        var c = Assert.Single(cycles);
        Assert.Equal(["SarKit.Fields", "SarKit.Grid"], c);
    }

    [Theory]
    [InlineData("SarKit", new[] { "SarKit.IO", "SarKit.Plotting", "SarKit.Measurement", "SarKit.Surrogate", "SarKit.Workflows", "Npgsql", "Microsoft.Data.Sqlite", "YamlDotNet", "PureHDF", "ScottPlot", "SkiaSharp" })]
    [InlineData("SarKit.Plotting", new[] { "SarKit.IO", "SarKit.Measurement", "SarKit.Surrogate", "SarKit.Workflows", "Npgsql", "Microsoft.Data.Sqlite", "YamlDotNet", "PureHDF" })]
    [InlineData("SarKit.IO", new[] { "SarKit.Plotting", "SarKit.Measurement", "SarKit.Surrogate", "SarKit.Workflows", "Npgsql", "Microsoft.Data.Sqlite", "YamlDotNet", "ScottPlot", "SkiaSharp" })]
    [InlineData("SarKit.Measurement", new[] { "SarKit.Surrogate", "SarKit.Workflows" })]
    [InlineData("SarKit.Surrogate", new[] { "SarKit.Measurement", "SarKit.Workflows", "Npgsql", "Microsoft.Data.Sqlite", "YamlDotNet" })]
    [InlineData("SarKit.Workflows", new[] { "SarKit.Cli", "SarKit.Web" })]
    public void Assemblies_reference_only_the_layers_below_them(string assembly, string[] forbidden)
    {
        var asm = Assembly.Load(assembly);
        var refs = asm.GetReferencedAssemblies().Select(r => r.Name!).ToHashSet();
        Assert.Contains(assembly == "SarKit" ? "System.Runtime" : "SarKit", refs);
        var bad = forbidden.Where(refs.Contains).ToList();
        Assert.True(bad.Count == 0, $"{assembly} references {string.Join(", ", bad)}");
    }
}
