using System.Diagnostics;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Cli;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

/// <summary>
/// Corrupt and hostile HDF5 files (issue 14, classes 4, 5, 6, 8): every one is a <see cref="SarKitInputException"/>
/// naming the file, from the reader, from `sarkit info` and `sarkit sar` in-process (exit 2), and in a child process
/// (exit 2, never a signal). The files are generated here from a small SarKit dataset written by SarKit itself.
/// </summary>
[Collection("Console")]
public sealed class Hdf5CorruptFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Seed()
    {
        var p = _dir.File("seed.h5");
        if (!File.Exists(p)) SarKitDatasetFile.Write(SarKitDatasetFileTests.Sample(false), p);
        return p;
    }

    private string Mutate(string name, Func<byte[], byte[]> f)
    {
        var p = _dir.File(name);
        File.WriteAllBytes(p, f(File.ReadAllBytes(Seed())));
        return p;
    }

    /// <summary>Opens the file and reads everything in it (structure, every dataset, every attribute), as `info`, `sar` and the web app would.</summary>
    internal static void ReadEverything(string path) => Hdf5File.VerifyReadable(path);

    private static SarKitInputException Refused(string path)
    {
        var ex = Assert.Throws<SarKitInputException>(() => ReadEverything(path));
        Assert.Contains(path, ex.Message);
        return ex;
    }

    private static int IndexOf(byte[] hay, byte[] needle, int from = 0)
    {
        for (int i = from; i <= hay.Length - needle.Length; i++)
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }

    // ---------------------------------------------------------------- the seed is fine

    [Fact]
    public void The_seed_reads_completely_through_the_managed_reader()
    {
        ReadEverything(Seed());
        var d = SarKitDatasetFile.Read(Seed());
        Assert.Equal(2, d.E.Channels);
    }

    // ---------------------------------------------------------------- class 5: structural corruption

    public static TheoryData<double> TruncationFractions => new() { 0.002, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999 };

    [Theory]
    [MemberData(nameof(TruncationFractions))]
    public void Truncated_files_are_refused(double fraction)
    {
        var p = Mutate($"trunc-{fraction}.h5", b => b[..Math.Max(1, (int)(b.Length * fraction))]);
        Refused(p);
    }

    [Theory]
    [InlineData("superblock", 8, 0xFF)]
    [InlineData("superblock-root-address", 64, 0x7F)]
    [InlineData("btree", -1, 0xFF)]
    [InlineData("symbol-node", -2, 0xFF)]
    [InlineData("heap", -3, 0xFF)]
    public void Flipped_bytes_in_the_file_structure_are_refused(string where, int offset, byte xor)
    {
        var p = Mutate($"flip-{where}.h5", b =>
        {
            int at = offset switch
            {
                -1 => IndexOf(b, "TREE"u8.ToArray()) + 4,
                -2 => IndexOf(b, "SNOD"u8.ToArray()) + 8,
                -3 => IndexOf(b, "HEAP"u8.ToArray()) + 8,
                _ => offset,
            };
            Assert.True(at >= 4, $"{where} not found in the seed");
            for (int i = at; i < at + 8; i++) b[i] ^= xor;
            return b;
        });
        Refused(p);
    }

    [Fact]
    public void Byte_flips_anywhere_in_the_metadata_never_escape_as_another_exception()
    {
        var seed = File.ReadAllBytes(Seed());
        int metadataEnd = Math.Min(seed.Length, 6000);
        var rng = new Random(14);
        int refused = 0;
        for (int k = 0; k < 120; k++)
        {
            var b = (byte[])seed.Clone();
            int at = rng.Next(0, metadataEnd);
            b[at] ^= (byte)rng.Next(1, 256);
            var p = _dir.File($"fuzz-{k}.h5");
            File.WriteAllBytes(p, b);
            try { ReadEverything(p); }
            catch (SarKitInputException e) { Assert.Contains(p, e.Message); refused++; }
            File.Delete(p);
        }
        Assert.True(refused >= 5, $"only {refused} of 120 corrupt files were refused");
    }

    // ---------------------------------------------------------------- class 4: datatypes

    /// <summary>The float32 datatype message of libhdf5 (version 1, class 1, LE, sign 31, exponent 23+8 bias 127, mantissa 0+23).</summary>
    private static readonly byte[] Float32Message = [0x11, 0x20, 0x1f, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x17, 0x08, 0x00, 0x17, 0x7f, 0x00, 0x00, 0x00];

    private string FloatFile(string name)
    {
        var p = _dir.File(name);
        using var f = Hdf5File.Create(p);
        f.WriteDataset("/x", new NdArray(NdType.Float32, [4], new[] { 1f, 2f, 3f, 4f }));
        return p;
    }

    [Theory]
    [InlineData("exponent-location", 12, 0x18)]
    [InlineData("exponent-size", 13, 0x07)]
    [InlineData("mantissa-location", 14, 0x01)]
    [InlineData("mantissa-size", 15, 0x16)]
    [InlineData("sign-location", 2, 0x00)]
    [InlineData("precision", 10, 0x1f)]
    [InlineData("bit-offset", 8, 0x01)]
    [InlineData("bias", 16, 0x7e)]
    [InlineData("normalization", 1, 0x00)]
    public void Float_datatypes_other_than_IEEE_are_refused(string field, int offset, byte value)
    {
        var p = FloatFile($"float-{field}.h5");
        var b = File.ReadAllBytes(p);
        int at = IndexOf(b, Float32Message);
        Assert.True(at > 0, "float32 datatype message not found");
        Assert.NotEqual(value, b[at + offset]);
        b[at + offset] = value;
        File.WriteAllBytes(p, b);
        var ex = Refused(p);
        Assert.Contains("/x", ex.Message);
        Assert.Contains("float32", ex.Message);
    }

    [Fact]
    public void Two_flipped_datatype_bytes_in_a_SarKit_dataset_are_refused_by_info_and_sar()
    {
        // sigma and rho are float64, E is complex64 {r,i}: flip the exponent/mantissa size of every float32 member.
        var p = Mutate("dtype-flip.h5", b =>
        {
            int n = 0;
            for (int at = IndexOf(b, Float32Message); at >= 0; at = IndexOf(b, Float32Message, at + 1), n++)
            { b[at + 13] = 0x09; b[at + 15] = 0x16; }
            Assert.True(n > 0);
            return b;
        });
        Refused(p);
        AssertCliRefuses(p);
    }

    [Fact]
    public void Big_endian_floats_and_integers_read_with_the_right_values()
    {
        var p = _dir.File("be.h5");
        using (var f = Hdf5File.Create(p))
        {
            Hdf5RefusedObjects.BigEndianDataset(f, "/f32", new[] { 1.5f, -2.25f, 3e-3f });
            Hdf5RefusedObjects.BigEndianDataset(f, "/f64", new[] { 1.5, -2.25, 1e300 });
            Hdf5RefusedObjects.BigEndianDataset(f, "/i32", new[] { 1, -2, 70000 });
        }
        using var r = Hdf5File.OpenRead(p);
        Assert.Equal(new[] { 1.5f, -2.25f, 3e-3f }, (float[])r.ReadDataset("/f32").Data);
        Assert.Equal(new[] { 1.5, -2.25, 1e300 }, (double[])r.ReadDataset("/f64").Data);
        Assert.Equal(new[] { 1, -2, 70000 }, (int[])r.ReadDataset("/i32").Data);
        var into = new double[3];
        r.ReadInto<double>("/f32", into);
        Assert.Equal(new[] { 1.5, -2.25, (double)3e-3f }, into);
    }

    // ---------------------------------------------------------------- class 6: objects that read other files

    [Fact]
    public void External_links_are_refused_naming_file_and_link()
    {
        var outside = _dir.File("outside.h5");
        using (var o = Hdf5File.Create(outside)) o.WriteDataset("/secret", new NdArray(NdType.Float64, [2], new[] { 1.0, 2.0 }));
        var p = _dir.File("extlink.h5");
        using (var f = Hdf5File.Create(p))
        {
            f.WriteDataset("/ok", new NdArray(NdType.Float64, [1], new[] { 1.0 }));
            f.CreateGroup("/fields");
            Hdf5RefusedObjects.ExternalLink(f, "/fields/E", outside, "/secret");
        }
        var ex = Refused(p);
        Assert.Contains("/fields/E", ex.Message);
        Assert.Contains("external link", ex.Message);
        using var r = Hdf5File.OpenRead(p);
        Assert.Throws<SarKitInputException>(() => r.ReadDataset("/fields/E"));
        Assert.Throws<SarKitInputException>(() => r.List("/fields"));
        Assert.Equal(1.0, ((double[])r.ReadDataset("/ok").Data)[0]);   // the rest of the file still reads
    }

    [Fact]
    public void Virtual_datasets_are_refused()
    {
        var src = _dir.File("vds-src.h5");
        using (var o = Hdf5File.Create(src)) o.WriteDataset("/d", new NdArray(NdType.Float64, [4], new[] { 1.0, 2, 3, 4 }));
        var p = _dir.File("vds.h5");
        using (var f = Hdf5File.Create(p)) Hdf5RefusedObjects.VirtualDataset(f, "/v", src, "/d", 4);
        var ex = Refused(p);
        Assert.Contains("/v", ex.Message);
        Assert.Contains("virtual", ex.Message);
    }

    [Fact]
    public void External_storage_is_refused()
    {
        var raw = _dir.File("raw.bin");
        File.WriteAllBytes(raw, new byte[64]);
        var p = _dir.File("efile.h5");
        using (var f = Hdf5File.Create(p)) Hdf5RefusedObjects.ExternalStorageDataset(f, "/e", raw, 8);
        var ex = Refused(p);
        Assert.Contains("/e", ex.Message);
        Assert.Contains("external", ex.Message);
    }

    [Fact]
    public void Soft_and_hard_link_cycles_do_not_recurse_forever()
    {
        var p = _dir.File("cycles.h5");
        using (var f = Hdf5File.Create(p))
        {
            f.CreateGroup("/a/b");
            Hdf5RefusedObjects.HardLink(f, "/a/b/up", "/a");          // /a/b/up/b/up/... (legal HDF5, a cycle)
            Hdf5RefusedObjects.SoftLink(f, "/s1", "/s2");
            Hdf5RefusedObjects.SoftLink(f, "/s2", "/s1");            // dangling loop
        }
        using var r = Hdf5File.OpenRead(p);
        Assert.Equal(Hdf5ObjectKind.Missing, r.GetKind("/s1"));
        Assert.Throws<SarKitInputException>(() => r.ReadDataset("/s1"));
        // every group is expanded once: /a, /a/b, /a/b/up (= /a, listed but not expanded again), /s1, /s2
        Assert.Equal(new[] { "/a", "/a/b", "/a/b/up", "/s1", "/s2" }, r.ListRecursive("/").Select(e => e.Path).ToArray());
    }

    [Fact]
    public void A_lattice_of_hard_links_is_listed_once_per_group_not_exponentially()
    {
        var p = _dir.File("lattice.h5");
        using (var f = Hdf5File.Create(p))
        {
            // /g0/{a,b} -> g1, /g1/{a,b} -> g2, ...: 2^30 paths, 31 groups
            f.CreateGroup("/g30");
            for (int i = 29; i >= 0; i--)
            {
                f.CreateGroup($"/g{i}");
                Hdf5RefusedObjects.HardLink(f, $"/g{i}/a", $"/g{i + 1}");
                Hdf5RefusedObjects.HardLink(f, $"/g{i}/b", $"/g{i + 1}");
            }
        }
        using var r = Hdf5File.OpenRead(p);
        var all = r.ListRecursive("/g0");
        Assert.True(all.Count < 200, $"{all.Count} entries");
    }

    // ---------------------------------------------------------------- class 8: declared sizes and missing data

    [Fact]
    public void Unallocated_chunks_are_missing_data_and_refused()
    {
        var p = _dir.File("holes.h5");
        using (var f = Hdf5File.Create(p))
        {
            f.CreateDataset("/E", NdType.Complex64, [4, 3, 2, 2, 2], new Hdf5WriteOptions { ChunkShape = [1, 3, 2, 2, 2] });
            f.WriteHyperslab<float>("/E", new float[2 * 24], [0, 0, 0, 0, 0], [1, 3, 2, 2, 2]);   // only channel 0 written
            f.CreateDataset("/contig", NdType.Float64, [16]);                                      // never written
        }
        using var r = Hdf5File.OpenRead(p);
        var slab = new float[2 * 24];
        r.ReadInto<float>("/E", slab, [0, 0, 0, 0, 0], [1, 3, 2, 2, 2]);                         // the written chunk reads
        var ex = Assert.Throws<SarKitInputException>(() => r.ReadInto<float>("/E", slab, [2, 0, 0, 0, 0], [1, 3, 2, 2, 2]));
        Assert.Contains("not stored", ex.Message);
        Assert.Throws<SarKitInputException>(() => r.ReadDataset("/E"));
        Assert.Contains("not stored", Assert.Throws<SarKitInputException>(() => r.ReadDataset("/contig")).Message);
    }

    /// <summary>Patches the first dimension of every dataspace holding [2,3,nz,ny,nx] (E of the seed) to <paramref name="channels"/>.</summary>
    private string HugeChannels(string name, ulong channels)
    {
        using var seed = Hdf5File.OpenRead(Seed());
        var shape = seed.GetDatasetInfo("/fields/E").Shape;
        var needle = shape.SelectMany(x => BitConverter.GetBytes((ulong)x)).ToArray();
        return Mutate(name, b =>
        {
            int n = 0;
            for (int at = IndexOf(b, needle); at >= 0; at = IndexOf(b, needle, at + 1), n++)
                BitConverter.GetBytes(channels).CopyTo(b, at);
            Assert.True(n > 0, "E dataspace not found");
            return b;
        });
    }

    [Fact]
    public void A_dataset_declaring_a_million_channels_is_refused_before_allocating()
    {
        var p = HugeChannels("million.h5", 1_000_000);
        var ex = Refused(p);
        Assert.Contains("/fields/E", ex.Message);
        long before = GC.GetTotalAllocatedBytes(true);
        Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Read(p));
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 256L << 20, "more than 256 MiB allocated before the refusal");
        AssertCliRefuses(p);
    }

    [Fact]
    public void Overflowing_declared_dimensions_are_a_refusal_not_an_OverflowException()
    {
        var p = HugeChannels("overflow.h5", ulong.MaxValue / 3);
        Refused(p);
    }

    [Fact]
    public void The_single_array_cap_is_configurable_and_named_in_the_message()
    {
        Environment.SetEnvironmentVariable(Hdf5Limits.MaxArrayBytesVariable, "100");
        try
        {
            using var r = Hdf5File.OpenRead(Seed());
            var ex = Assert.Throws<SarKitInputException>(() => r.ReadDataset("/fields/E"));
            Assert.Contains(Hdf5Limits.MaxArrayBytesVariable, ex.Message);
        }
        finally { Environment.SetEnvironmentVariable(Hdf5Limits.MaxArrayBytesVariable, null); }
    }

    [Fact]
    public void A_SarKit_dataset_whose_E_is_an_external_link_or_has_missing_chunks_is_refused_by_info_and_sar()
    {
        var outside = _dir.File("outside-E.h5");
        using (var seed = Hdf5File.OpenRead(Seed()))
        using (var o = Hdf5File.Create(outside)) o.WriteDataset("/E", seed.ReadDataset("/fields/E"));
        var linked = _dir.File("e-linked.h5");
        SarKitDatasetFiniteTests.Copy(Seed(), linked, (w, path, a) =>
        {
            if (path != "/fields/E") return SarKitDatasetFiniteTests.Written.No;
            Hdf5RefusedObjects.ExternalLink(w, path, outside, "/E");
            return SarKitDatasetFiniteTests.Written.LinkSkipAttributes;
        });
        var holes = _dir.File("e-holes.h5");
        SarKitDatasetFiniteTests.Copy(Seed(), holes, (w, path, a) =>
        {
            if (path != "/fields/E") return SarKitDatasetFiniteTests.Written.No;
            var shape = a.Shape.Select(x => (long)x).ToArray();
            w.CreateDataset(path, a.Type, shape, new Hdf5WriteOptions { ChunkShape = [1, .. shape[1..]] });
            var count = (long[])shape.Clone();
            count[0] = 1;
            int n = 2 * (int)count.Aggregate(1L, (x, y) => x * y);
            w.WriteHyperslab<float>(path, ((float[])a.Data).AsSpan(0, n), new long[shape.Length], count);   // channel 0 only
            return SarKitDatasetFiniteTests.Written.DatasetCopyAttributes;
        });
        Assert.Contains("external link", Refused(linked).Message);
        var msg = Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Read(holes)).Message;
        Assert.True(msg.Contains("not stored"), msg);
        var r = CliRunner.Run("sar", "-f", linked, "-d", "1,1", "-m", "point");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("external link", r.Err);
        r = CliRunner.Run("sar", "-f", holes, "-d", "1,1", "-m", "point");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not stored", r.Err);
        Assert.Equal(2, CliRunner.Run("info", linked).ExitCode);
    }

    // ---------------------------------------------------------------- CLI: in-process and in a child process

    private static void AssertCliRefuses(string p)
    {
        foreach (var args in new[] { new[] { "info", p }, new[] { "sar", "-f", p, "-d", "1,1", "-m", "point" } })
        {
            var r = CliRunner.Run(args);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}\n{r.Err}");
            Assert.Contains(Path.GetFileName(p), r.Err);
        }
    }

    private static (int Code, string Err) RunChild(params string[] args)
    {
        var dll = Path.Combine(Support.SharedData.RepoRoot, "src", "SarKit.Cli", "bin", "Release", "net10.0", "SarKit.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var proc = Process.Start(psi)!;
        var err = proc.StandardError.ReadToEndAsync();
        proc.StandardOutput.ReadToEnd();
        Assert.True(proc.WaitForExit(120_000), "the child process hung");
        return (proc.ExitCode, err.Result);
    }

    [Fact]
    public void Corrupt_files_give_exit_2_in_a_child_process_never_a_signal()
    {
        var files = new[]
        {
            Mutate("child-trunc.h5", b => b[..(b.Length / 3)]),
            Mutate("child-tree.h5", b => { int at = IndexOf(b, "TREE"u8.ToArray()) + 4; for (int i = at; i < at + 8; i++) b[i] ^= 0xFF; return b; }),
            HugeChannels("child-million.h5", 1_000_000),
        };
        foreach (var p in files)
            foreach (var args in new[] { new[] { "info", p }, new[] { "sar", "-f", p, "-d", "1,1", "-m", "point" } })
            {
                var (code, err) = RunChild(args);
                Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code} (a signal is > 128)\n{err}");
                Assert.Contains(Path.GetFileName(p), err);
            }
    }
}
