using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SarKit.Fields;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// The canonical byte serialisation of a VOP set and its certificate, and its SHA-256 (the certificate digest), as
/// specified in docs/vop-format.md "Certificate digest" so that a third party can re-implement the check. The digest
/// binds every value a consumer relies on: the VOP matrices (exact float64 bits, <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>
/// layout, VOP-major), the source indices, channel count, criterion, algorithm, margin (kind, ε, matrix), normalisation
/// and unit, SAR_wc, the source Q-matrix hash and count, and every certificate field (passed, criterion, checked/failed
/// counts, violation, tolerance, random-drive check, verifier, time). Free-form attributes are not bound, except the SAR
/// basis (<see cref="VopSarBasis"/>: attributes sar_basis and sar_basis_coverage, appended only when present, so the digest
/// of a true-SAR set is unchanged and stripping the "surrogate-calibrated" label invalidates the certificate).
/// <para>A digest only detects accidental corruption: whoever can edit the file can recompute it. Deliberate tampering
/// is detected by a signature (<see cref="VopSignature"/>) or by re-verifying against the originals.</para>
/// </summary>
public static class VopCertificateDigest
{
    /// <summary>Certificate form written by this SarKit (1 was the legacy VOP-matrix self-hash).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The ASCII magic that starts the canonical serialisation.</summary>
    public const string Magic = "SARKIT-VOP-CERT";

    /// <summary>Timestamp format of the canonical serialisation and of the files.</summary>
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

    /// <summary>SHA-256 (lower-case hex) of <see cref="CanonicalBytes"/>.</summary>
    public static string Compute(VopSet set, VopCertificate certificate) =>
        Convert.ToHexString(SHA256.HashData(CanonicalBytes(set, certificate))).ToLowerInvariant();

    /// <summary>Returns <paramref name="certificate"/> in the current form with its digest for <paramref name="set"/> (signature removed).</summary>
    public static VopCertificate Seal(VopSet set, VopCertificate certificate)
    {
        var c = certificate with { Version = CurrentVersion, CreatedUtc = TruncateToSeconds(certificate.CreatedUtc), DigestSha256 = "", Signature = null, SignerKeySha256 = null };
        return c with { DigestSha256 = Compute(set, c) };
    }

    /// <summary>A UTC time truncated to whole seconds (the resolution of the stored timestamp).</summary>
    public static DateTime TruncateToSeconds(DateTime t)
    {
        var u = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
        return new DateTime(u.Ticks - u.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    /// <summary>
    /// The canonical serialisation C (docs/vop-format.md): the ASCII magic <see cref="Magic"/>, then a fixed sequence of
    /// fields, each = type byte ('i' int64, 'f' float64, 's' UTF-8 string, 'h' 32-byte SHA-256), name length (one byte),
    /// ASCII name, value (int64/float64 little-endian; string = uint32 little-endian byte count + UTF-8 bytes; hash = 32 raw
    /// bytes). Every NaN is written as the quiet NaN 0x7FF8000000000000.
    /// </summary>
    public static byte[] CanonicalBytes(VopSet set, VopCertificate c)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(c);
        var w = new Writer();
        w.Magic();
        w.I("certificate_version", c.Version);
        w.S("format", "sarkit-vops");
        w.I("channels", set.Channels);
        w.I("count", set.Count);
        w.H("vops_sha256", HashDoubles(set.Packed));
        w.H("source_index_sha256", SHA256.HashData(MemoryMarshal.AsBytes(LittleEndianInts(set.SourceIndex))));
        w.S("criterion", CriterionId(set.Criterion));
        w.S("algorithm", set.Algorithm);
        w.S("margin_kind", set.Margin.Kind.ToString().ToLowerInvariant());
        w.F("margin_epsilon", set.Margin.Epsilon);
        w.H("margin_sha256", HashDoubles(set.Margin.Packed));
        w.S("normalisation", set.Normalisation.ToId());
        w.S("unit", set.Unit);
        w.F("sar_wc", set.SarWorstCase);
        w.I("source_count", set.SourceCount);
        w.S("source_sha256", set.SourceSha256);
        w.I("passed", c.Passed ? 1 : 0);
        w.S("certificate_criterion", CriterionId(c.Criterion));
        w.I("matrices_checked", c.MatricesChecked);
        w.I("matrices_failed", c.MatricesFailed);
        w.F("largest_violation", c.LargestViolation);
        w.I("largest_violation_index", c.LargestViolationIndex);
        w.F("tolerance", c.Tolerance);
        w.I("random_drives", c.RandomDrives);
        w.F("random_max_relative_underestimation", c.RandomMaxRelativeUnderestimation);
        w.S("certificate_source_sha256", c.SourceSha256);
        w.S("certificate_vop_sha256", c.VopSha256);
        w.S("verifier", c.Verifier);
        w.S("created_utc", TruncateToSeconds(c.CreatedUtc).ToString(TimeFormat, CultureInfo.InvariantCulture));
        if (set.Attributes.TryGetValue(VopSarBasis.AttributeKey, out var basis))
        {
            w.S(VopSarBasis.AttributeKey, basis);
            w.S(VopSarBasis.CoverageKey, set.Attributes.GetValueOrDefault(VopSarBasis.CoverageKey, ""));
        }
        return w.ToArray();
    }

    private static string CriterionId(DominanceCriterion c) => c switch
    {
        DominanceCriterion.Single => "single",
        DominanceCriterion.ConvexCombination => "cc",
        DominanceCriterion.ConvexOptimization => "co",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static byte[] HashDoubles(ReadOnlySpan<double> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        return SHA256.HashData(MemoryMarshal.AsBytes(values));
    }

    private static int[] LittleEndianInts(int[] v)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        return v;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _m = new();

        public void Magic() => _m.Write(Encoding.ASCII.GetBytes(VopCertificateDigest.Magic));

        private void Head(char type, string name)
        {
            var nb = Encoding.ASCII.GetBytes(name);
            _m.WriteByte((byte)type);
            _m.WriteByte(checked((byte)nb.Length));
            _m.Write(nb);
        }

        public void I(string name, long v)
        {
            Head('i', name);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            _m.Write(b);
        }

        public void F(string name, double v)
        {
            Head('f', name);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, double.IsNaN(v) ? 0x7FF8000000000000L : BitConverter.DoubleToInt64Bits(v));
            _m.Write(b);
        }

        public void S(string name, string? v)
        {
            Head('s', name);
            var vb = Encoding.UTF8.GetBytes(v ?? "");
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)vb.Length);
            _m.Write(b);
            _m.Write(vb);
        }

        public void H(string name, byte[] sha256)
        {
            Head('h', name);
            _m.Write(sha256);
        }

        public byte[] ToArray() => _m.ToArray();
    }
}
