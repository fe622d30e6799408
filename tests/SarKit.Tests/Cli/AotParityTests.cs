using System.Text.Json.Nodes;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>
/// The Native AOT build of the CLI (<c>dotnet publish src/SarKit.Cli -p:SarKitAot=RID</c>, issue 18) gives the same
/// bytes as the JIT build: it is published into a private folder and run next to the JIT-compiled CLI of this test
/// build on the openEMS reference dataset (the demo when ../shared is absent) and on the example inputs; the JSON
/// results (stdout, apart from the elapsed time and the output path) and every array of the written SAR map are compared
/// byte for byte. Opt-in: the AOT publish takes 5–20+ minutes (native compilation and linking), too long for every CI
/// run, so the test is skipped unless <c>SARKIT_AOT_TESTS=1</c>; <c>SARKIT_AOT_CLI</c> = the path of an AOT
/// <c>SarKit.Cli</c> already published from this checkout skips the publish. It needs clang and zlib1g-dev and skips
/// visibly without them. Child processes only, so not in the "Console" collection.
/// </summary>
[Trait("Category", "Slow")]
public class AotParityTests
{
    [AotFact]
    public void AotAndJitBuildsGiveIdenticalResults()
    {
        var tmp = Directory.CreateTempSubdirectory("sarkit-aot-");
        try
        {
            var aot = Environment.GetEnvironmentVariable("SARKIT_AOT_CLI");
            if (string.IsNullOrEmpty(aot))
            {
                var publish = Path.Combine(tmp.FullName, "publish");
                var pub = Run("dotnet", ["publish", Path.Combine(SharedData.RepoRoot, "src", "SarKit.Cli"), "-c", "Release", "-p:SarKitAot=" + ReadyToRunFactAttribute.Rid,
                    "--nologo", "-v", "q", "-o", publish], null);
                Assert.True(pub.Code == 0, "dotnet publish (Native AOT) failed:\n" + pub.Out + pub.Err);
                aot = Path.Combine(publish, "SarKit.Cli");
            }
            Assert.True(File.Exists(aot), "no native SarKit.Cli in the AOT publish");
            var jit = Path.Combine(AppContext.BaseDirectory, "SarKit.Cli.dll");

            var (fields, drive) = ReadyToRunParityTests.SarInputs();
            var ex = Path.Combine(SharedData.RepoRoot, "examples");
            var commands = new List<(string Name, string[] Args)>
            {
                ("sar", ["sar", "-f", fields, "-d", drive, "--mass", "10g", "--json", "-o", "{out}.npz"]),
                ("info", ["info", fields, "--json"]),
                ("seq check", ["seq", "check", Path.Combine(ex, "seq", "gre_rfshims.seq"), "--vops", Path.Combine(ex, "seq", "demo_vops_10g.h5"), "--calibration", "12.5 V/uT", "--json"]),
                ("nema calorimetry", ["nema", "calorimetry", Path.Combine(ex, "nema", "calorimetry_example.json"), "--json"]),
                ("margin cr", ["margin", "cr", "--r", "2", "--json"]),
            };
            foreach (var (name, args) in commands)
            {
                var a = RunCli(aot, [], "aot", args);
                var j = RunCli("dotnet", [jit], "jit", args);
                Assert.True(j.Json == a.Json, $"{name}: the AOT and JIT builds print different JSON\nJIT: {j.Json}\nAOT: {a.Json}");
                ReadyToRunParityTests.AssertSameArrays(j.Map, a.Map, $"written by the AOT and JIT builds ({name})");
            }
        }
        finally
        {
            try { tmp.Delete(recursive: true); } catch (IOException) { }
        }

        (string Json, List<(string Name, byte[] Bytes)> Map) RunCli(string exe, string[] pre, string label, string[] args)
        {
            var outBase = Path.Combine(tmp.FullName, label);
            var full = pre.Concat(args.Select(s => s.Replace("{out}", outBase, StringComparison.Ordinal))).ToArray();
            var r = Run(exe, full, new() { ["DOTNET_ReadyToRun"] = "0" });
            Assert.True(r.Code == 0, $"{label} {string.Join(' ', args)}: exit {r.Code}\n{r.Err}");
            var json = JsonNode.Parse(r.Out)!.AsObject();
            json.Remove("elapsed_s");
            json.Remove("output_file");
            var npz = outBase + ".npz";
            var map = File.Exists(npz) ? NpzEntries(npz) : [];
            if (File.Exists(npz)) File.Delete(npz);
            return (json.ToJsonString(), map);
        }
    }

    private static List<(string Name, byte[] Bytes)> NpzEntries(string path) => ReadyToRunParityTests.NpzEntries(path);

    private static (int Code, string Out, string Err) Run(string exe, string[] args, Dictionary<string, string>? env) =>
        ReadyToRunParityTests.Run(exe, args, env);
}

/// <summary>
/// A fact for the Native AOT parity check: skipped (visibly) unless SARKIT_AOT_TESTS=1, off Linux x64/arm64, or without
/// clang and zlib1g-dev.
/// </summary>
public sealed class AotFactAttribute : FactAttribute
{
    public AotFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SARKIT_AOT_TESTS") != "1")
            Skip = "Native AOT parity is opt-in (SARKIT_AOT_TESTS=1; SARKIT_AOT_CLI=path reuses a published AOT SarKit.Cli): the AOT publish takes 5-20+ min.";
        else if (ReadyToRunFactAttribute.Rid is null) Skip = "Native AOT parity is checked on Linux x64/arm64.";
        else if (!File.Exists("/usr/bin/clang") && !File.Exists("/usr/bin/clang-14"))
            Skip = "Native AOT needs clang as linker (Debian: apt-get install clang).";
        else if (!File.Exists("/usr/lib/x86_64-linux-gnu/libz.a") && !File.Exists("/usr/lib/aarch64-linux-gnu/libz.a"))
            Skip = "Native AOT needs the static zlib (Debian: apt-get install zlib1g-dev).";
    }
}
