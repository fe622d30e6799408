using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SarKit.Tests.Reference;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>
/// The ReadyToRun build that ./sarkit runs (precompiled code, issue 18) gives the same bytes as JIT-compiled code:
/// the published CLI is run twice on the openEMS reference dataset (the demo when ../shared is absent), once as it is
/// and once with <c>DOTNET_ReadyToRun=0</c> (the runtime then ignores every precompiled image, of SarKit and of the
/// framework, and JIT-compiles all code), and the JSON result and the written SAR map are compared byte for byte.
/// Not in the "Console" collection: it captures no console (only child processes), so it runs in the parallel phase
/// beside other tests instead of alone at the end while its `dotnet publish` and child runs leave a core idle.
/// </summary>
public class ReadyToRunParityTests
{
    [ReadyToRunFact]
    public void ReadyToRunAndJitBuildsGiveIdenticalSarResults()
    {
        var rid = ReadyToRunFactAttribute.Rid;

        var tmp = Directory.CreateTempSubdirectory("sarkit-r2r-");
        try
        {
            // A fresh publish (what ./sarkit does) into a private folder: never a stale build from another checkout state.
            var publish = Path.Combine(tmp.FullName, "publish");
            var pub = Run("dotnet", ["publish", Path.Combine(SharedData.RepoRoot, "src", "SarKit.Cli"), "-c", "Release", "-p:SarKitReadyToRun=" + rid,
                "--nologo", "-v", "q", "-o", publish], null);
            Assert.True(pub.Code == 0, "dotnet publish failed:\n" + pub.Out + pub.Err);
            var cli = Path.Combine(publish, "SarKit.Cli.dll");
            foreach (var name in new[] { "SarKit.dll", "SarKit.IO.dll", "SarKit.Workflows.dll", "SarKit.Cli.dll" })
                Assert.True(IsReadyToRun(Path.Combine(publish, name)), $"{name} in the published CLI is not a ReadyToRun image");

            var (fields, drive) = SarInputs();

            (string Json, List<(string Name, byte[] Bytes)> Map) RunSar(string label, Dictionary<string, string>? env)
            {
                var map = Path.Combine(tmp.FullName, label + ".npz");
                var r = Run("dotnet", [cli, "sar", "-f", fields, "-d", drive, "--mass", "10g", "-o", map, "--json"], env);
                Assert.True(r.Code == 0, $"{label}: exit {r.Code}\n{r.Err}");
                var json = JsonNode.Parse(r.Out)!.AsObject();
                Assert.True(json.Remove("elapsed_s"), "the sar JSON result has no elapsed_s (the one field allowed to differ)");
                json.Remove("output_file");
                return (json.ToJsonString(), NpzEntries(map));
            }

            var r2r = RunSar("r2r", null);
            var jit = RunSar("jit", new() { ["DOTNET_ReadyToRun"] = "0" });
            Assert.Equal(jit.Json, r2r.Json);
            // the .npz container holds file times; its arrays (every .npy entry, header and data) must match byte for byte
            Assert.NotEmpty(jit.Map);
            AssertSameArrays(jit.Map, r2r.Map, "written by the ReadyToRun and the JIT runs");
        }
        finally
        {
            try { tmp.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The openEMS reference dataset and its CP drive, or the demo dataset and "cp" when ../shared is absent.</summary>
    internal static (string Fields, string Drive) SarInputs()
    {
        var reference = SharedData.Reference(Ptx8Reference.File);
        if (reference is not null && SharedData.Reference("openems-ptx8/ref62704_cp.json") is not null)
            return (reference, string.Join(",", Ptx8Reference.ReadDrive("openems-ptx8/ref62704_cp.json").Amplitudes.ToArray().Select(b =>
                string.Create(CultureInfo.InvariantCulture, $"{b.Magnitude:R}@{b.Phase * 180 / Math.PI:R}"))));
        return (Path.Combine(SharedData.RepoRoot, "data", "demo", "ptx8_7T_demo.h5"), "cp");
    }

    /// <summary>The same array names in the same order, and every array (header and data) byte for byte.</summary>
    internal static void AssertSameArrays(List<(string Name, byte[] Bytes)> expected, List<(string Name, byte[] Bytes)> actual, string what)
    {
        Assert.Equal(expected.Select(e => e.Name), actual.Select(e => e.Name));
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Bytes.AsSpan().SequenceEqual(actual[i].Bytes), $"array {expected[i].Name} {what} differs");
    }

    internal static List<(string Name, byte[] Bytes)> NpzEntries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var list = new List<(string, byte[])>();
        foreach (var e in zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            list.Add((e.FullName, ms.ToArray()));
        }
        return list;
    }

    /// <summary>True when the assembly carries precompiled ReadyToRun code (a managed native header).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var cor = pe.PEHeaders.CorHeader;
        return cor is not null && cor.ManagedNativeHeaderDirectory.Size > 0;
    }

    internal static (int Code, string Out, string Err) Run(string exe, string[] args, Dictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}

/// <summary>A fact for the ReadyToRun parity check: skipped (visibly) off Linux x64/arm64, the ./sarkit launcher's targets.</summary>
public sealed class ReadyToRunFactAttribute : FactAttribute
{
    /// <summary>Runtime identifier the launcher publishes for on this machine, or null.</summary>
    public static string? Rid => OperatingSystem.IsLinux()
        ? RuntimeInformation.OSArchitecture switch { System.Runtime.InteropServices.Architecture.X64 => "linux-x64", System.Runtime.InteropServices.Architecture.Arm64 => "linux-arm64", _ => null }
        : null;

    public ReadyToRunFactAttribute()
    {
        if (Rid is null) Skip = "ReadyToRun parity is checked on Linux x64/arm64 (the targets of the ./sarkit launcher).";
    }
}
