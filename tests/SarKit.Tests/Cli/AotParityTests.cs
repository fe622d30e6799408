using System.Text.Json.Nodes;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>
/// The Native AOT build of the CLI (<c>dotnet publish src/SarKit.Cli -p:SarKitAot=RID</c>, issue 18) gives the same
/// bytes as the JIT build: it is published into a private folder and run next to the JIT-compiled CLI of this test
/// build on the openEMS reference dataset (the demo when ../shared is absent) and on the example inputs; the JSON
/// results (stdout, apart from the elapsed time and the output path) and every array of the written SAR map are compared
/// byte for byte; `vop compress` of the public 1767-matrix set (10 %) and `mvie --samples 0` of the point Q-matrices
/// are compared too (`vop compress` with SARKIT_MAX_PARALLELISM=1 in both builds: the verifier's count of proofs per
/// kind depends on thread timing, see scripts/aot-parity.py). Both builds write to the same output path, one after the other, so the printed paths agree. Fields
/// allowed to differ, all clock readings: <c>elapsed_s</c>; for `vop compress` the per-level times in <c>algorithm</c>,
/// <c>attributes.compression_seconds/compress_seconds</c>, <c>certificate.created_utc</c> and
/// <c>certificate.digest_sha256</c> (a hash over the certificate, which holds created_utc), also inside the VOP file's
/// metadata.npy with its top-level <c>created_utc</c>. The mvie HDF5 file is not compared (HDF5 object headers hold
/// times: two JIT runs differ in 4 bytes); its JSON (log det, certificate, λ_max) is. scripts/aot-parity.py (the
/// self-check of scripts/build-aot.sh) makes the same comparison. Opt-in: the AOT publish takes 5–20+ minutes (native compilation and linking), too long for every CI
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
            var vopQ = SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat");
            if (vopQ is null)
            {
                vopQ = Path.Combine(tmp.FullName, "q10g.h5");
                var q = Run("dotnet", [jit, "qmatrices", "-f", fields, "--mass", "10g", "-o", vopQ], null);
                Assert.True(q.Code == 0, "qmatrices --mass 10g (JIT) failed:\n" + q.Err);
            }
            var qPoint = Path.Combine(tmp.FullName, "qpoint.h5");
            var qp = Run("dotnet", [jit, "qmatrices", "-f", fields, "--mass", "point", "-o", qPoint], null);
            Assert.True(qp.Code == 0, "qmatrices --mass point (JIT) failed:\n" + qp.Err);
            var commands = new List<(string Name, string[] Args)>
            {
                ("sar", ["sar", "-f", fields, "-d", drive, "--mass", "10g", "--json", "-o", "{out}.npz"]),
                ("info", ["info", fields, "--json"]),
                ("seq check", ["seq", "check", Path.Combine(ex, "seq", "gre_rfshims.seq"), "--vops", Path.Combine(ex, "seq", "demo_vops_10g.h5"), "--calibration", "12.5 V/uT", "--json"]),
                ("nema calorimetry", ["nema", "calorimetry", Path.Combine(ex, "nema", "calorimetry_example.json"), "--json"]),
                ("margin cr", ["margin", "cr", "--r", "2", "--json"]),
                ("vop compress", ["vop", "compress", "--q", vopQ, "--margin", "0.1", "-o", "{out}.npz", "--json"]),
                ("mvie", ["mvie", "--q", qPoint, "-o", "{out}.h5", "--samples", "0", "--json"]),
            };
            foreach (var (name, args) in commands)
            {
                var a = RunCli(aot, [], "aot", args);
                var j = RunCli("dotnet", [jit], "jit", args);
                Assert.True(j.Json == a.Json, $"{name}: the AOT and JIT builds print different JSON\nJIT: {j.Json}\nAOT: {a.Json}");
                ReadyToRunParityTests.AssertSameArrays(j.Map, a.Map, $"written by the AOT and JIT builds ({name})");
                if (name is "sar" or "vop compress") Assert.NotEmpty(j.Map);
            }
        }
        finally
        {
            try { tmp.Delete(recursive: true); } catch (IOException) { }
        }

        (string Json, List<(string Name, byte[] Bytes)> Map) RunCli(string exe, string[] pre, string label, string[] args)
        {
            var outBase = Path.Combine(tmp.FullName, "out"); // the same path for both builds: the printed paths agree
            var full = pre.Concat(args.Select(s => s.Replace("{out}", outBase, StringComparison.Ordinal))).ToArray();
            var env = new Dictionary<string, string> { ["DOTNET_ReadyToRun"] = "0" };
            if (args is ["vop", "compress", ..]) env["SARKIT_MAX_PARALLELISM"] = "1";
            var r = Run(exe, full, env);
            Assert.True(r.Code == 0, $"{label} {string.Join(' ', args)}: exit {r.Code}\n{r.Err}");
            var json = WithoutClockFields(JsonNode.Parse(r.Out)!.AsObject());
            var npz = outBase + ".npz";
            var map = File.Exists(npz) ? NpzEntries(npz) : [];
            foreach (var f in new[] { npz, outBase + ".h5" }) if (File.Exists(f)) File.Delete(f);
            return (json.ToJsonString(), map);
        }
    }

    /// <summary>The result without the fields that hold the time of the run (see the class summary).</summary>
    internal static JsonObject WithoutClockFields(JsonObject json)
    {
        json.Remove("elapsed_s");
        if (json.ContainsKey("created_utc")) json["created_utc"] = "(time)";
        if (json["algorithm"] is JsonValue alg && alg.TryGetValue(out string? text))
            json["algorithm"] = System.Text.RegularExpressions.Regex.Replace(text, @"\(\d+(?:\.\d+)? s\)", "(time s)");
        foreach (var (outer, key) in new[] { ("attributes", "compression_seconds"), ("attributes", "compress_seconds"), ("certificate", "created_utc"), ("certificate", "digest_sha256") })
            if (json[outer] is JsonObject o && o.ContainsKey(key)) o[key] = "(time)";
        return json;
    }

    /// <summary>Every entry of the .npz; metadata.npy (JSON text in a 0-d UTF-32 array) without its clock fields.</summary>
    private static List<(string Name, byte[] Bytes)> NpzEntries(string path) =>
        ReadyToRunParityTests.NpzEntries(path).Select(e => e.Name == "metadata.npy" ? (e.Name, NormalisedMetadata(e.Bytes)) : e).ToList();

    private static byte[] NormalisedMetadata(byte[] npy)
    {
        int start = npy[6] == 1 ? 10 + BitConverter.ToUInt16(npy, 8) : 12 + BitConverter.ToInt32(npy, 8);
        var text = System.Text.Encoding.UTF32.GetString(npy, start, npy.Length - start).TrimEnd('\0');
        return System.Text.Encoding.UTF8.GetBytes(WithoutClockFields(JsonNode.Parse(text)!.AsObject()).ToJsonString());
    }

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
