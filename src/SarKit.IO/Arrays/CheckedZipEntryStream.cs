using System.IO.Compression;

namespace SarKit.IO.Arrays;

/// <summary>A stream whose content can be verified once the consumer has read what it needs.</summary>
internal interface IVerifiedStream
{
    /// <summary>Reads the rest of the stream and throws <see cref="SarKitInputException"/> when its size or checksum is wrong.</summary>
    void VerifyComplete();
}

/// <summary>
/// Reads one ZIP member (APPNOTE.TXT 6.3, section 4.4.7: CRC-32 of the uncompressed data, polynomial 0xEDB88320) and
/// checks it: never more than the declared uncompressed size is delivered (a member that inflates further is refused
/// at once, so a decompression bomb cannot run on), and <see cref="VerifyComplete"/> checks that exactly the declared
/// size arrived and that its CRC-32 matches the central directory. .NET's ZipArchive does not check the CRC on read.
/// </summary>
internal sealed class CheckedZipEntryStream : Stream, IVerifiedStream
{
    private readonly Stream _inner;
    private readonly long _declared;
    private readonly uint _expectedCrc;
    private readonly string _where, _source;
    private long _read;
    private uint _crc = 0xFFFFFFFFu;

    public CheckedZipEntryStream(ZipArchiveEntry entry, string source)
    {
        _inner = entry.Open();
        _declared = entry.Length;
        _expectedCrc = entry.Crc32;
        _source = source;
        _where = $"'{source}': member '{entry.FullName}'";
    }

    /// <summary>Bound on uncompressed/compressed size: deflate cannot exceed about 1032:1 (RFC 1951 block limits).</summary>
    public const long MaxDeflateRatio = 1100;

    /// <summary>
    /// Checks a member's declared sizes against each other and the archive before any data is read: the compressed size
    /// must fit in the archive and the declared uncompressed size must be reachable by deflate.
    /// </summary>
    public static void CheckDeclaredSizes(ZipArchiveEntry e, long archiveBytes, string source)
    {
        if (e.CompressedLength < 0 || e.CompressedLength > archiveBytes)
            throw new SarKitInputException($"'{source}': member '{e.FullName}' declares {e.CompressedLength} compressed bytes in an archive of {archiveBytes} bytes (corrupt archive).") { SourceFile = source, Dataset = e.FullName };
        if (e.Length < 0 || e.Length > MaxDeflateRatio * Math.Max(e.CompressedLength, 1))
            throw new SarKitInputException($"'{source}': member '{e.FullName}' declares {e.Length} bytes from {e.CompressedLength} compressed bytes, more than deflate can produce (ratio > {MaxDeflateRatio}; corrupt archive or decompression bomb).") { SourceFile = source, Dataset = e.FullName };
    }

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        if (n > 0)
        {
            if (_read + n > _declared)
                throw new SarKitInputException($"{_where} inflates to more than its declared {_declared} bytes (corrupt archive or decompression bomb).") { SourceFile = _source };
            _crc = Update(_crc, buffer[..n]);
            _read += n;
        }
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public void VerifyComplete()
    {
        Span<byte> b = stackalloc byte[8192];
        while (Read(b) > 0) { }
        if (_read != _declared)
            throw new SarKitInputException($"{_where} holds {_read} bytes, but the archive declares {_declared} (truncated or corrupt archive).") { SourceFile = _source };
        uint crc = ~_crc;
        if (crc != _expectedCrc)
            throw new SarKitInputException($"{_where}: CRC-32 mismatch (data 0x{crc:X8}, archive 0x{_expectedCrc:X8}): the member is corrupt.") { SourceFile = _source };
    }

    // CRC-32 (ISO-HDLC, as ZIP, gzip and PNG use it): one implementation, SarKit.Reporting.Crc32
    private static uint Update(uint crc, ReadOnlySpan<byte> data) => Reporting.Crc32.Update(crc, data);

    /// <summary>CRC-32 (ISO-HDLC, as ZIP and gzip use it) of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data) => Reporting.Crc32.Compute(data);

    protected override void Dispose(bool disposing) { if (disposing) _inner.Dispose(); base.Dispose(disposing); }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _declared;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
