using System.Buffers.Binary;

namespace SarKit.Fuzz.Mutation;

/// <summary>Format-agnostic byte-level mutations plus header-field and numeric-slot mutations for binary formats.</summary>
public static class BinaryMutator
{
    /// <summary>Special float64 values: name, value, whether PASS must be impossible after injecting it into numeric data.</summary>
    public static readonly (string Name, double Value, string? Forbid)[] Specials =
    [
        ("NaN", double.NaN, Mutant.NonFinite), ("+Inf", double.PositiveInfinity, Mutant.NonFinite), ("-Inf", double.NegativeInfinity, Mutant.NonFinite),
        ("1e308", 1e308, Mutant.Overflow), ("-1e308", -1e308, Mutant.Overflow), ("1e160", 1e160, Mutant.Overflow),
        ("-0", -0.0, null), ("denormal", 4.9e-324, null), ("1e-300", 1e-300, null), ("-1", -1, null), ("0", 0, null),
    ];

    private static readonly long[] HugeInts = [0x7fffffff, 0xffffffff, 0x80000000, -1, 1_000_000, 3000, 0x7fffffffffffffff, 1L << 40, 0];

    public static Mutant Random(byte[] src, Random rng) => rng.Next(8) switch
    {
        0 => Truncate(src, rng),
        1 => ByteFlips(src, rng),
        2 => BitFlips(src, rng),
        3 => ChunkDuplicate(src, rng),
        4 => ChunkDelete(src, rng),
        5 => HeaderInt(src, rng),
        6 => Zero(src, rng),
        _ => Append(src, rng),
    };

    public static Mutant Truncate(byte[] src, Random rng)
    {
        int n = src.Length == 0 ? 0 : rng.Next(3) switch { 0 => rng.Next(Math.Min(src.Length, 256)), 1 => src.Length - 1 - rng.Next(Math.Min(src.Length, 64)), _ => rng.Next(src.Length) };
        n = Math.Clamp(n, 0, src.Length);
        return new($"truncate@{n}/{src.Length}", src[..n], Mutant.DeletedRows);
    }

    public static Mutant ByteFlips(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone(); int k = 1 + rng.Next(8); var at = new List<int>();
        for (int i = 0; i < k && b.Length > 0; i++) { int p = Pos(b, rng); b[p] = (byte)rng.Next(256); at.Add(p); }
        return new($"byteflip[{string.Join(',', at)}]", b);
    }

    public static Mutant BitFlips(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone(); int k = 1 + rng.Next(4); var at = new List<string>();
        for (int i = 0; i < k && b.Length > 0; i++) { int p = Pos(b, rng), bit = rng.Next(8); b[p] ^= (byte)(1 << bit); at.Add($"{p}.{bit}"); }
        return new($"bitflip[{string.Join(',', at)}]", b);
    }

    public static Mutant ChunkDuplicate(byte[] src, Random rng)
    {
        if (src.Length < 2) return Append(src, rng);
        int a = rng.Next(src.Length), len = 1 + rng.Next(Math.Min(4096, src.Length - a)), at = rng.Next(src.Length);
        var b = src[..at].Concat(src.AsSpan(a, len).ToArray()).Concat(src[at..]).ToArray();
        return new($"chunkdup[{a}+{len}→{at}]", b);
    }

    public static Mutant ChunkDelete(byte[] src, Random rng)
    {
        if (src.Length < 2) return Truncate(src, rng);
        int a = rng.Next(src.Length), len = 1 + rng.Next(Math.Min(4096, src.Length - a));
        return new($"chunkdel[{a}+{len}]", src[..a].Concat(src[(a + len)..]).ToArray(), Mutant.DeletedRows);
    }

    public static Mutant Zero(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone(); if (b.Length == 0) return new("zero-empty", b);
        int a = rng.Next(b.Length), len = 1 + rng.Next(Math.Min(512, b.Length - a));
        Array.Clear(b, a, len);
        return new($"zero[{a}+{len}]", b);
    }

    public static Mutant Append(byte[] src, Random rng)
    {
        var extra = new byte[1 + rng.Next(256)]; rng.NextBytes(extra);
        return new($"append{extra.Length}", src.Concat(extra).ToArray());
    }

    /// <summary>A huge, negative or overflowing integer written over a (likely) header field in the first 1 KiB.</summary>
    public static Mutant HeaderInt(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone(); if (b.Length < 8) return ByteFlips(src, rng);
        int limit = Math.Min(b.Length - 8, 1024); int p = rng.Next(limit + 1) & ~3;
        long v = HugeInts[rng.Next(HugeInts.Length)]; bool wide = rng.Next(2) == 0;
        if (wide) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(p), v); else BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(p), (int)v);
        return new($"headerint{(wide ? 64 : 32)}@{p}={v}", b);
    }

    /// <summary>Structure-aware: every occurrence of the little-endian bytes of one known value of the payload (a dimension,
    /// a count, a matrix element) is replaced. Returns null when no known value occurs in the file (e.g. compressed).</summary>
    public static Mutant? ReplaceKnownInt64(byte[] src, long known, long replacement, string what)
    {
        var pat = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(pat, known);
        var rep = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(rep, replacement);
        var b = (byte[])src.Clone(); int n = ReplaceAll(b, pat, rep, 1);
        return n == 0 ? null : new($"{what}:{known}→{replacement}", b);
    }

    /// <summary>Injects a special value in place of one known float64 (or float32) value of the numeric payload.</summary>
    public static Mutant? InjectKnownDouble(byte[] src, IReadOnlyList<double> known64, IReadOnlyList<float> known32, Random rng)
    {
        var (name, v, forbid) = Specials[rng.Next(Specials.Length)];
        var b = (byte[])src.Clone();
        for (int attempt = 0; attempt < 6; attempt++)
        {
            bool use64 = known32.Count == 0 || (known64.Count > 0 && rng.Next(2) == 0);
            byte[] pat, rep;
            if (use64)
            {
                if (known64.Count == 0) return null;
                double k = known64[rng.Next(known64.Count)]; if (k == 0 || !double.IsFinite(k)) continue;
                pat = BitConverter.GetBytes(k); rep = BitConverter.GetBytes(v);
            }
            else
            {
                float k = known32[rng.Next(known32.Count)]; if (k == 0 || !float.IsFinite(k)) continue;
                pat = BitConverter.GetBytes(k); rep = BitConverter.GetBytes((float)v);
                if (forbid == Mutant.Overflow) forbid = Mutant.NonFinite; // (float)1e308 = ∞
            }
            // replace the first occurrence found from a random start (one value, not all)
            int start = rng.Next(Math.Max(1, b.Length)), at = IndexOf(b, pat, start);
            if (at < 0) at = IndexOf(b, pat, 0);
            if (at < 0) continue;
            rep.CopyTo(b, at);
            return new($"inject{(use64 ? "f8" : "f4")}@{at}={name}", b, forbid);
        }
        return null;
    }

    /// <summary>HDF5 floating-point datatype messages (IEEE little-endian float32/float64): one property byte changed
    /// (byte order, exponent/mantissa location or size, bias), the "two flipped bytes" defect of issue 14.</summary>
    public static Mutant? Hdf5FloatDatatype(byte[] src, Random rng)
    {
        byte[] f8 = [0x11, 0x20, 0x3f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x34, 0x0b, 0x00, 0x34, 0xff, 0x03, 0x00, 0x00];
        byte[] f4 = [0x11, 0x20, 0x1f, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x17, 0x08, 0x00, 0x17, 0x7f, 0x00, 0x00, 0x00];
        var hits = new List<int>();
        foreach (var pat in new[] { f8, f4 }) for (int i = IndexOf(src, pat, 0); i >= 0; i = IndexOf(src, pat, i + 1)) hits.Add(i);
        if (hits.Count == 0) return null;
        var b = (byte[])src.Clone(); int at = hits[rng.Next(hits.Count)];
        int[] fields = [1, 2, 10, 12, 13, 15, 16, 17]; // bit field (order/sign), precision, exp loc, exp size, mantissa size, bias
        int f = fields[rng.Next(fields.Length)], g = fields[rng.Next(fields.Length)];
        if (rng.Next(2) == 0) (b[at + f], b[at + g]) = (b[at + g], b[at + f]); else b[at + f] ^= (byte)(1 << rng.Next(8));
        if (b.AsSpan().SequenceEqual(src)) b[at + 16] ^= 1;
        return new($"hdf5-float-dtype@{at}[{f},{g}]", b, Mutant.DtypeChanged);
    }

    private static int Pos(byte[] b, Random rng) => rng.Next(3) == 0 ? rng.Next(Math.Min(b.Length, 512)) : rng.Next(b.Length);

    public static int IndexOf(byte[] hay, byte[] needle, int start) => start >= hay.Length ? -1 : hay.AsSpan(start).IndexOf(needle) is var i && i >= 0 ? i + start : -1;

    private static int ReplaceAll(byte[] b, byte[] pat, byte[] rep, int max)
    {
        int n = 0;
        for (int i = IndexOf(b, pat, 0); i >= 0 && n < max; i = IndexOf(b, pat, i + pat.Length)) { rep.CopyTo(b, i); n++; }
        return n;
    }
}
