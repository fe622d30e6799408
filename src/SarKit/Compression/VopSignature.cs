using System.Security.Cryptography;
using SarKit.Reporting;

namespace SarKit.Compression;

/// <summary>
/// Optional ECDSA P-256 signatures of VOP certificates (FIPS 186-4 ECDSA over NIST P-256 with SHA-256;
/// docs/vop-format.md "Signature"). The signature is over the certificate digest (<see cref="VopCertificateDigest"/>):
/// ECDSA's hash step is the SHA-256 of the canonical serialisation C, i.e. the digest itself, so
/// <c>VerifyHash(digest, signature)</c> and <c>VerifyData(C, signature, SHA256)</c> agree. Stored as IEEE P1363 (r‖s,
/// 64 bytes) in base64, with the SHA-256 of the signer's SubjectPublicKeyInfo (DER) as the key id.
/// Keys: private PKCS#8 PEM ("PRIVATE KEY"), public SubjectPublicKeyInfo PEM ("PUBLIC KEY").
/// </summary>
public static class VopSignature
{
    /// <summary>Identifier of the signature scheme stored beside the signature.</summary>
    public const string Algorithm = "ecdsa-p256-sha256-p1363";

    /// <summary>A new P-256 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM).</summary>
    public static (string PrivatePem, string PublicPem) GenerateKeyPair()
    {
        using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (k.ExportPkcs8PrivateKeyPem(), k.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>Loads a P-256 private key from PKCS#8 (or SEC1 "EC PRIVATE KEY") PEM; refuses other keys (exit 2).</summary>
    public static ECDsa LoadPrivateKey(string pemPath)
    {
        var pem = ReadPem(pemPath, "private key");
        var k = ECDsa.Create();
        try { k.ImportFromPem(pem); }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            k.Dispose();
            throw new SarKitInputException($"--key '{pemPath}': not an EC private key in PEM (PKCS#8 'PRIVATE KEY'): {e.Message}", e) { SourceFile = pemPath };
        }
        try
        {
            ECParameters p;
            try { p = k.ExportParameters(true); }
            catch (CryptographicException) { p = default; }
            if (p.D is null) throw new SarKitInputException($"--key '{pemPath}': the PEM holds a public key; signing needs the private key.") { SourceFile = pemPath };
            CheckCurve(k, pemPath);
        }
        catch { k.Dispose(); throw; }
        return k;
    }

    /// <summary>Loads a P-256 public key from SubjectPublicKeyInfo PEM ("PUBLIC KEY"); refuses other keys (exit 2).</summary>
    public static ECDsa LoadPublicKey(string pemPath)
    {
        var pem = ReadPem(pemPath, "public key");
        var k = ECDsa.Create();
        try { k.ImportFromPem(pem); CheckCurve(k, pemPath); }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            k.Dispose();
            throw new SarKitInputException($"--trusted-key '{pemPath}': not an EC public key in PEM (SubjectPublicKeyInfo 'PUBLIC KEY'): {e.Message}", e) { SourceFile = pemPath };
        }
        catch { k.Dispose(); throw; }
        return k;
    }

    /// <summary>SHA-256 (lower-case hex) of the key's SubjectPublicKeyInfo DER: the key id stored with a signature.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())).ToLowerInvariant();

    /// <summary>
    /// Signs the certificate of <paramref name="set"/> (which must be valid, <see cref="VopSet.HasValidCertificate"/>) and
    /// returns the certificate with <see cref="VopCertificate.Signature"/> and <see cref="VopCertificate.SignerKeySha256"/> set.
    /// </summary>
    public static VopCertificate Sign(VopSet set, ECDsa privateKey, string source = "VOP set")
    {
        if (!set.HasValidCertificate(out var why))
            throw new SarKitInputException($"{source}: refusing to sign: {why}.") { SourceFile = source };
        var c = set.Certificate!;
        var digest = Convert.FromHexString(c.DigestSha256);
        var sig = privateKey.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return c with { Signature = Convert.ToBase64String(sig), SignerKeySha256 = KeyId(privateKey) };
    }

    /// <summary>
    /// True when the certificate of <paramref name="set"/> is valid (<see cref="VopSet.HasValidCertificate"/>) and carries a
    /// signature of its digest by <paramref name="trustedKey"/>.
    /// </summary>
    public static bool Verify(VopSet set, ECDsa trustedKey, out string reason)
    {
        if (!set.HasValidCertificate(out reason)) return false;
        var c = set.Certificate!;
        if (string.IsNullOrEmpty(c.Signature)) { reason = "the VOP set is not signed (run `sarkit vop sign --key PRIVATE.pem VOPS`)"; return false; }
        byte[] sig;
        try { sig = Convert.FromBase64String(c.Signature); }
        catch (FormatException) { reason = "the certificate's signature is not valid base64"; return false; }
        string keyId = KeyId(trustedKey);
        if (sig.Length != 64 || !trustedKey.VerifyHash(Convert.FromHexString(c.DigestSha256), sig, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            reason = c.SignerKeySha256 is { } id && id != keyId
                ? $"the VOP set is signed by another key (signer {Abbrev(id)}, trusted key {Abbrev(keyId)}), or the signature does not match"
                : "the signature does not match the certificate digest (the file was altered after signing, or the key is wrong)";
            return false;
        }
        reason = ""; return true;
    }

    /// <summary>
    /// Writes a PEM file atomically (temporary file, then rename); a <paramref name="secret"/> file is created with mode 0600
    /// (owner read/write only) on Unix.
    /// </summary>
    public static void WritePem(string path, string pem, bool secret)
    {
        AtomicFile.WriteAtomically(path, tmp =>
        {
            var o = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (secret && !OperatingSystem.IsWindows()) o.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var f = new FileStream(tmp, o);
            var b = System.Text.Encoding.ASCII.GetBytes(pem);
            f.Write(b);
            f.Flush(true);
        });
    }

    /// <summary>Key id (<see cref="KeyId"/>) of a public or private key PEM file.</summary>
    public static string KeyIdOf(string pemPath)
    {
        using var k = LoadPublicKey(pemPath);
        return KeyId(k);
    }

    private static string Abbrev(string h) => h[..Math.Min(16, h.Length)] + "…";

    private static string ReadPem(string path, string what)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: {what} file not found.") { SourceFile = path };
        var len = new FileInfo(path).Length;
        if (len > 64 * 1024) throw new SarKitInputException($"{path}: {len} bytes is too large for a PEM {what} (≤ 64 KiB).") { SourceFile = path };
        return File.ReadAllText(path);
    }

    private static void CheckCurve(ECDsa k, string path)
    {
        var p = k.ExportParameters(false);
        bool p256 = p.Curve.Oid?.Value == "1.2.840.10045.3.1.7" || p.Curve.Oid?.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1";
        if (k.KeySize != 256 || !p256)
            throw new SarKitInputException($"{path}: the key is not on NIST P-256 (key size {k.KeySize}); SarKit VOP signatures use ECDSA P-256.") { SourceFile = path };
    }
}
