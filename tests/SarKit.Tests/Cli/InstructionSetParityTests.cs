using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SarKit.Engines;
using SarKit.IO.Formats;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>
/// A SAR must not depend on the machine that computed it (issue 18): the JIT-compiled CLI of this test build runs
/// <c>sar --mass 10g -o map.npz --json</c> on the openEMS reference dataset (the demo when ../shared is absent) with the
/// full instruction set of this machine, with AVX-512 switched off and with AVX2 (and with it FMA) switched off, and the
/// JSON result and every array of the written map must be byte-identical. Vector-width-dependent reductions (e.g.
/// <c>TensorPrimitives.Dot</c>, which adds in 2, 4 or 8 lanes as the hardware allows) fail this; the SAR paths sum in
/// fixed orders (<see cref="SarKit.Numerics.LinearAlgebra.FixedOrderDot"/>, per-plane sums added in plane order).
/// <c>DOTNET_ReadyToRun=0</c> in every run, so that all code, the framework's included, is JIT-compiled for the
/// instruction set of the run. .NET 10 reads <c>DOTNET_EnableAVX512</c> (checked: <c>DOTNET_EnableAVX512F=0</c> alone
/// leaves <c>Vector512.IsHardwareAccelerated</c> true); both are set. Not in the "Console" collection (child processes only).
/// </summary>
public class InstructionSetParityTests
{
    [InstructionSetFact]
    public void SarResultsAreTheSameBitsOnEveryInstructionSet()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SarKit.Cli.dll");
        Assert.True(File.Exists(cli), $"the JIT CLI {cli} is not next to the tests");
        var (fields, drive) = ReadyToRunParityTests.SarInputs();
        var tmp = Directory.CreateTempSubdirectory("sarkit-isa-");
        try
        {
            (string Json, List<(string Name, byte[] Bytes)> Map) RunSar(string label, Dictionary<string, string> env)
            {
                env["DOTNET_ReadyToRun"] = "0";
                var map = Path.Combine(tmp.FullName, label + ".npz");
                var r = ReadyToRunParityTests.Run("dotnet", [cli, "sar", "-f", fields, "-d", drive, "--mass", "10g", "-o", map, "--json"], env);
                Assert.True(r.Code == 0, $"{label}: exit {r.Code}\n{r.Err}");
                var json = JsonNode.Parse(r.Out)!.AsObject();
                Assert.True(json.Remove("elapsed_s"), "the sar JSON result has no elapsed_s (the one field allowed to differ)");
                Assert.True(json.Remove("output_file"), "the sar JSON result has no output_file");
                return (json.ToJsonString(), ReadyToRunParityTests.NpzEntries(map));
            }

            var full = RunSar("full", []);
            Assert.NotEmpty(full.Map);
            foreach (var (label, env) in new (string, Dictionary<string, string>)[]
                     {
                         ("no-avx512", new() { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX512F"] = "0" }),
                         ("no-avx2", new() { ["DOTNET_EnableAVX2"] = "0" }),
                     })
            {
                var other = RunSar(label, env);
                Assert.True(full.Json == other.Json, $"{label}: the JSON differs from the run with the full instruction set\nfull: {full.Json}\n{label}: {other.Json}");
                ReadyToRunParityTests.AssertSameArrays(full.Map, other.Map, $"of the {label} run (against the full instruction set)");
            }
        }
        finally
        {
            try { tmp.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// <c>sarkit demo --json</c> evaluates drives through the Q-matrix paths (whole-body SAR and absorbed power from a
    /// region Q, psSAR of the averaged Q set), which <c>sar</c> does not: with 128-bit vectors
    /// (<c>DOTNET_PreferredVectorBitWidth=128</c>) it must print the same result as with the full width. Before the
    /// fixed-order bᴴQb (TensorPrimitives.Dot) whole-body SAR, absorbed power and 4 of 5 Q-set psSAR values differed in the
    /// last digit. Timings and the VOP algorithm line (which holds times) are left out. Not with AVX2 off: explicit
    /// 256-bit code elsewhere in the demo then runs emulated (≈ 110 s CPU instead of 6 s).
    /// </summary>
    [InstructionSetFact]
    public void DemoResultsAreTheSameBitsWith128BitVectors()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SarKit.Cli.dll");
        string Demo(Dictionary<string, string> env)
        {
            var r = ReadyToRunParityTests.Run("dotnet", [cli, "demo", "--json"], env);
            Assert.True(r.Code == 0, $"demo: exit {r.Code}\n{r.Err}");
            var json = JsonNode.Parse(r.Out)!.AsObject();
            Assert.True(json.Remove("timings_s"), "the demo JSON has no timings_s");
            Assert.True(json["vops"]!.AsObject().Remove("algorithm"), "the demo JSON has no vops.algorithm");
            return json.ToJsonString();
        }
        var full = Demo([]);
        var narrow = Demo(new() { ["DOTNET_PreferredVectorBitWidth"] = "128" });
        Assert.True(full == narrow, $"demo: the JSON with 128-bit vectors differs from the full width\nfull: {full}\n128: {narrow}");
    }

    /// <summary>
    /// <c>vop compress</c> of the public 1767-matrix set (10 % margin, default verification with random drives) gives the
    /// same VOP matrices (every bit), the same certificate (largest violation, its index, proof counts, random-drive
    /// underestimation) and the same JSON with AVX-512 off and with 128-bit vectors as with the full instruction set.
    /// Before (issue 18): the verifier's dot products (TensorPrimitives.Dot) changed the largest violation in its last
    /// digits between instruction sets, and its workers' caches carried over between ranges in thread order, so the
    /// proof counts and the largest violation changed from run to run. Left out: times, the output path and the
    /// creation time (and the digest, which covers it). Not with AVX2 off (the 256-bit kernels then run emulated, ~35 s CPU).
    /// About 2 s CPU per run.
    /// </summary>
    [InstructionSetFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void VopCompressGivesTheSameSetAndCertificateOnEveryInstructionSet()
    {
        var q = SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!;
        var cli = Path.Combine(AppContext.BaseDirectory, "SarKit.Cli.dll");
        using var dir = new TempDir();
        (string Json, byte[] Vops, string Cert) Compress(string label, Dictionary<string, string> env)
        {
            env["DOTNET_ReadyToRun"] = "0";
            var output = dir.File(label + ".h5");
            var r = ReadyToRunParityTests.Run("dotnet", [cli, "vop", "compress", "--q", q, "--margin", "0.1", "-o", output, "--json"], env);
            Assert.True(r.Code == 0, $"{label}: exit {r.Code}\n{r.Err}");
            var json = JsonNode.Parse(r.Out)!.AsObject();
            foreach (var key in new[] { "elapsed_s", "file", "algorithm" }) Assert.True(json.Remove(key), $"the vop compress JSON has no {key}");
            var attributes = json["attributes"]!.AsObject();
            foreach (var key in new[] { "compression_seconds", "compress_seconds" }) Assert.True(attributes.Remove(key), $"no attributes.{key}");
            var cert = json["certificate"]!.AsObject();
            foreach (var key in new[] { "created_utc", "digest_sha256" }) Assert.True(cert.Remove(key), $"no certificate.{key}");
            var set = VopSetFile.Read(output);
            var c = set.Certificate!;
            return (json.ToJsonString(), MemoryMarshal.AsBytes(set.Packed.AsSpan()).ToArray(),
                    string.Create(CultureInfo.InvariantCulture, $"{c.LargestViolation:R} {c.LargestViolationIndex} {c.RandomMaxRelativeUnderestimation:R} {c.VopSha256}"));
        }
        var full = Compress("full", []);
        foreach (var (label, env) in new (string, Dictionary<string, string>)[]
                 {
                     ("no-avx512", new() { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX512F"] = "0" }),
                     ("vector128", new() { ["DOTNET_PreferredVectorBitWidth"] = "128" }),
                 })
        {
            var other = Compress(label, env);
            Assert.True(full.Vops.AsSpan().SequenceEqual(other.Vops), $"{label}: the VOP matrices differ from the full instruction set");
            Assert.True(full.Cert == other.Cert, $"{label}: the certificate differs\nfull: {full.Cert}\n{label}: {other.Cert}");
            Assert.True(full.Json == other.Json, $"{label}: the JSON differs\nfull: {full.Json}\n{label}: {other.Json}");
        }
    }

    /// <summary>
    /// <c>sarkit shim</c> (MLS shim under local SAR, row generation over every 10 g matrix, 2 starts) on a small synthetic
    /// 4-channel dataset prints the same design (amplitudes, phases, NRMSE, SAR, power: every digit) with AVX-512 off and
    /// with 128-bit vectors. Before (issue 18) the barrier-Newton and QCQP solvers summed with TensorPrimitives.Dot and the
    /// demo shim differed in the 14th–16th digit. Left out: the solve times.
    /// </summary>
    [InstructionSetFact]
    public void ShimDesignIsTheSameOnEveryInstructionSet()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SarKit.Cli.dll");
        using var dir = new TempDir();
        var data = dir.File("ds.h5");
        SarKitDatasetFile.Write(SyntheticDatasets.Ptx(4, (14, 12, 10), 0.02, 297.2e6, false, 0, includeH: true), data);
        string Shim(string label, Dictionary<string, string> env)
        {
            env["DOTNET_ReadyToRun"] = "0";
            var r = ReadyToRunParityTests.Run("dotnet", [cli, "shim", "--fields", data, "-c", "all", "--starts", "2", "--json"], env);
            Assert.True(r.Code is 0 or 3, $"{label}: exit {r.Code}\n{r.Err}");
            var json = JsonNode.Parse(r.Out)!.AsObject();
            Assert.True(json.Remove("elapsed_s"), "the shim JSON has no elapsed_s");
            foreach (var d in json["designs"]!.AsArray())
                foreach (var key in new[] { "solve_s", "solve_cpu_s" }) Assert.True(d!.AsObject().Remove(key), $"a shim design has no {key}");
            return json.ToJsonString();
        }
        var full = Shim("full", []);
        foreach (var (label, env) in new (string, Dictionary<string, string>)[]
                 {
                     ("no-avx512", new() { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX512F"] = "0" }),
                     ("vector128", new() { ["DOTNET_PreferredVectorBitWidth"] = "128" }),
                 })
        {
            var other = Shim(label, env);
            Assert.True(full == other, $"{label}: the shim JSON differs from the full instruction set\nfull: {full}\n{label}: {other}");
        }
    }
}

/// <summary>A fact for the instruction-set check: x64 only (the switched-off sets are x86 ones), skipped visibly elsewhere.</summary>
public sealed class InstructionSetFactAttribute : FactAttribute
{
    /// <param name="referenceFiles">Files under ../shared/reference the test needs (skipped visibly when one is absent).</param>
    public InstructionSetFactAttribute(params string[] referenceFiles)
    {
        if (RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Skip = "The instruction-set parity check switches off x86 sets (AVX-512, AVX2); it runs on x64.";
        foreach (var f in referenceFiles)
            if (Skip is null && SharedData.Reference(f) is null)
                Skip = $"../shared/reference/{f} is not available (run beside the shared folder or set SARKIT_SHARED).";
    }
}
