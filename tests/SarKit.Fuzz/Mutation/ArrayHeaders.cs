using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace SarKit.Fuzz.Mutation;

/// <summary>Structure-aware mutations of NumPy headers (.npy, and members of .npz archives rewritten with valid CRCs).</summary>
public static class ArrayHeaders
{
    private static readonly string[] Descrs = ["'<f4'", "'>f8'", "'<c16'", "'<c8'", "'|O'", "'<U8'", "'<i8'", "'|b1'", "'<f2'", "'<M8[s]'", "[('a', '<f8')]", "'<f16'", "'<V8'"];
    private static readonly string[] Shapes = ["(1000000, 1000000, 1000000)", "(-1,)", "(4611686018427387904,)", "()", "(0,)", "(3000, 3000, 3000)", "(2147483648,)", "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33)"];

    /// <summary>Mutates the header dictionary of an .npy byte image (descr, shape, fortran_order, declared header length, version);
    /// <paramref name="moreShapes"/> adds format-specific shapes (e.g. near the seed's own) to the generic ones.</summary>
    public static Mutant? Npy(byte[] src, Random rng, string[]? moreShapes = null)
    {
        if (src.Length < 10 || src[0] != 0x93) return null;
        int major = src[6]; int hl = major == 1 ? BitConverter.ToUInt16(src, 8) : BitConverter.ToInt32(src, 8);
        int start = major == 1 ? 10 : 12;
        if (hl <= 0 || start + hl > src.Length) return null;
        string h = Encoding.Latin1.GetString(src, start, hl);
        var b = (byte[])src.Clone();
        string name; string nh = h;
        switch (rng.Next(6))
        {
            case 0: { var d = Descrs[rng.Next(Descrs.Length)]; nh = Regex.Replace(h, @"'descr':\s*('[^']*'|\[[^\]]*\])", $"'descr': {d}"); name = $"npy-descr={d}"; break; }
            case 1: { var all = moreShapes is null ? Shapes : [.. Shapes, .. moreShapes]; var s = all[rng.Next(all.Length)]; nh = Regex.Replace(h, @"'shape':\s*\([^)]*\)", $"'shape': {s}"); name = $"npy-shape={s}"; break; }
            case 2: nh = h.Contains("False") ? h.Replace("False", "True") : h.Replace("True", "False"); name = "npy-fortran-toggle"; break;
            case 3:
                {
                    long v = new long[] { 0, 1, 0xffff, 0x7fffffff, -1 }[rng.Next(5)];
                    if (major == 1) BitConverter.GetBytes((ushort)v).CopyTo(b, 8); else BitConverter.GetBytes((int)v).CopyTo(b, 8);
                    return new($"npy-header-len={v}", b);
                }
            case 4: b[6] = (byte)new[] { 0, 2, 3, 4, 255 }[rng.Next(5)]; return new($"npy-version={b[6]}", b);
            default: nh = h.Replace("{", "{'extra': " + new string('[', 200) + new string(']', 200) + ", "); name = "npy-header-nesting"; break;
        }
        // keep the header length; pad/cut with spaces before the final newline (as NumPy does) or resize when longer
        var hb = Encoding.Latin1.GetBytes(nh.TrimEnd('\n', ' '));
        int len = Math.Max(hl, hb.Length + 1);
        len = (start + len + 63) / 64 * 64 - start;
        var header = Enumerable.Repeat((byte)' ', len).ToArray(); hb.CopyTo(header, 0); header[^1] = (byte)'\n';
        var outp = new byte[start + len + (src.Length - start - hl)];
        Array.Copy(src, outp, start);
        if (major == 1) BitConverter.GetBytes((ushort)len).CopyTo(outp, 8); else BitConverter.GetBytes(len).CopyTo(outp, 8);
        header.CopyTo(outp, start);
        Array.Copy(src, start + hl, outp, start + len, src.Length - start - hl);
        bool shrinks = name.StartsWith("npy-shape=(0") || name == "npy-shape=()";
        return new(name, outp, shrinks ? Mutant.DeletedRows : name.StartsWith("npy-descr") ? Mutant.DtypeChanged : null);
    }

    /// <summary>Rewrites an .npz archive with one member's .npy header mutated (valid zip CRCs: only the content is wrong),
    /// a member dropped or duplicated, or a member stored with a wrong CRC (the npz CRC-32 check of issue 14).</summary>
    public static Mutant? NpzMember(byte[] src, Random rng)
    {
        var members = new List<(string Name, byte[] Data)>();
        try
        {
            using var zin = new ZipArchive(new MemoryStream(src), ZipArchiveMode.Read);
            foreach (var e in zin.Entries) { using var s = e.Open(); var ms = new MemoryStream(); s.CopyTo(ms); members.Add((e.FullName, ms.ToArray())); }
        }
        catch (InvalidDataException) { return null; }
        if (members.Count == 0) return null;
        int k = rng.Next(members.Count); string name; string? forbid = null;
        int mode = rng.Next(4);
        if (mode == 0) { var m = Npy(members[k].Data, rng); if (m is null) return null; members[k] = (members[k].Name, m.Bytes); name = $"npz[{members[k].Name}]:{m.Name}"; forbid = m.PassForbidden; }
        else if (mode == 1) { name = $"npz-drop[{members[k].Name}]"; members.RemoveAt(k); forbid = Mutant.DeletedRows; }
        else if (mode == 2) { name = $"npz-dup[{members[k].Name}]"; members.Add(members[k]); }
        else
        {
            // same bytes, a value changed inside the stored member after the CRC was computed: build the zip stored, then flip a payload byte
            using var ms = new MemoryStream();
            using (var zout = new ZipArchive(ms, ZipArchiveMode.Create, true))
                foreach (var (n, d) in members) { var e = zout.CreateEntry(n, CompressionLevel.NoCompression); using var s = e.Open(); s.Write(d); }
            var b = ms.ToArray(); var data = members[k].Data;
            int at = BinaryMutator.IndexOf(b, data, 0);
            if (at < 0 || data.Length < 140) return null;
            b[at + data.Length - 1 - rng.Next(Math.Min(64, data.Length - 130))] ^= 0x40;
            return new($"npz-crc-mismatch[{members[k].Name}]", b, Mutant.CrcMismatch);
        }
        using var o = new MemoryStream();
        using (var zout = new ZipArchive(o, ZipArchiveMode.Create, true))
            foreach (var (n, d) in members) { var e = zout.CreateEntry(n, CompressionLevel.NoCompression); using var s = e.Open(); s.Write(d); }
        return new(name, o.ToArray(), forbid);
    }
}
