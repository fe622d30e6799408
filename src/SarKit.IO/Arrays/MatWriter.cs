using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using SarKit.Reporting;

namespace SarKit.IO.Arrays;

/// <summary>
/// Writes a MATLAB Level 5 MAT-file ("MAT-File Format", MathWorks): little-endian, each variable an miMATRIX element,
/// wrapped in an miCOMPRESSED (zlib) element when compression is on (MATLAB's default v7 format; without compression
/// it is the v6 format). Numeric classes double, single, int8…uint64 and logical, real or complex, and char (text).
/// An array of C-order shape [a, b, c] is written as a MATLAB array of size [c, b, a] (the same memory), so arrays read
/// from MAT-files keep their MATLAB size. Values are streamed from the source; nothing is copied in full.
/// The file appears at its path only on <see cref="Commit"/>. The format limits one variable to 2³²−1 bytes
/// (MATLAB itself refuses variables over 2 GB in v6/v7 files; use v7.3/HDF5 for larger).
/// </summary>
public sealed partial class MatWriter : IDisposable
{
    private readonly string _path;
    private readonly AtomicFile _file;
    private FileStream _fs => _file.Stream;
    private readonly bool _compress;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _done;
    private readonly TimeProvider _time;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,62}$")]
    private static partial Regex NameRx();

    private MatWriter(string path, bool compress, TimeProvider time)
    {
        _file = new AtomicFile(path);
        _path = Path.GetFullPath(path);
        _compress = compress;
        _time = time;
        WriteHeader();
    }

    /// <summary>
    /// Starts a MAT-file; variables are zlib-compressed (v7) when <paramref name="compress"/>. The header's "Created on"
    /// time is read from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
    /// </summary>
    public static MatWriter Create(string path, bool compress = true, TimeProvider? time = null) => new(path, compress, time ?? SarKitSettings.Default.Time);

    /// <summary>True when <paramref name="name"/> is a valid MATLAB variable name (letter, then letters/digits/underscores, at most 63 characters).</summary>
    public static bool IsValidName(string name) => NameRx().IsMatch(name);

    private void WriteHeader()
    {
        var h = new byte[128];
        string text = string.Create(CultureInfo.InvariantCulture,
            $"MATLAB 5.0 MAT-file, Platform: {(OperatingSystem.IsWindows() ? "PCWIN64" : OperatingSystem.IsMacOS() ? "MACI64" : "GLNXA64")}, Created on: {_time.GetUtcNow().UtcDateTime:ddd MMM dd HH:mm:ss yyyy} UTC by SarKit");
        h.AsSpan(0, 116).Fill((byte)' ');
        Encoding.ASCII.GetBytes(text.Length > 116 ? text[..116] : text, h);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(124), 0x0100);
        h[126] = (byte)'I'; h[127] = (byte)'M';
        _fs.Write(h);
    }

    /// <summary>Adds a numeric variable.</summary>
    public void Add(string name, NdArray array) => Add(name, ArrayContent.Of(array));

    /// <inheritdoc cref="Add(string, NdArray)"/>
    public void Add(string name, IArrayContent content)
    {
        var (cls, mi, logical) = content.Type switch
        {
            NdType.Float64 or NdType.Complex128 => (MatClass.Double, MatFile.miDOUBLE, false),
            NdType.Float32 or NdType.Complex64 => (MatClass.Single, MatFile.miSINGLE, false),
            NdType.Int8 => (MatClass.Int8, MatFile.miINT8, false), NdType.UInt8 => (MatClass.UInt8, MatFile.miUINT8, false),
            NdType.Int16 => (MatClass.Int16, MatFile.miINT16, false), NdType.UInt16 => (MatClass.UInt16, MatFile.miUINT16, false),
            NdType.Int32 => (MatClass.Int32, MatFile.miINT32, false), NdType.UInt32 => (MatClass.UInt32, MatFile.miUINT32, false),
            NdType.Int64 => (MatClass.Int64, MatFile.miINT64, false), NdType.UInt64 => (MatClass.UInt64, MatFile.miUINT64, false),
            NdType.Bool => (MatClass.UInt8, MatFile.miUINT8, true),
            _ => throw new ArgumentOutOfRangeException(nameof(content), content.Type, "unsupported type"),
        };
        bool complex = content.IsComplex();
        int size = ScalarCodec.Size(ScalarCodec.Of(content.Type));
        long count = content.Count();
        AddMatrix(name, cls, complex, logical, MatlabDims(content.Shape), mi, count * size,
            (o, part) => Copy(o, content, part, complex ? 2 : 1, count, size));
    }

    /// <summary>Adds a char variable (a 1×n MATLAB char array of UTF-16 code units).</summary>
    public void AddText(string name, string text)
    {
        var bytes = Encoding.Unicode.GetBytes(text);
        int[] dims = text.Length == 0 ? [0, 0] : [1, text.Length];
        AddMatrix(name, MatClass.Char, false, false, dims, MatFile.miUINT16, bytes.Length, (o, _) => o.Write(bytes));
    }

    /// <summary>MATLAB size of a C-order shape: reversed, at least two dimensions (a vector becomes a column).</summary>
    public static int[] MatlabDims(int[] cShape) => cShape.Length switch
    {
        0 => [1, 1],
        1 => [cShape[0], 1],
        _ => cShape.Reverse().ToArray(),
    };

    /// <summary>Streams scalars offset, offset+stride, … (count of them) of <paramref name="c"/> to <paramref name="o"/>.</summary>
    private static void Copy(Stream o, IArrayContent c, int offset, int stride, long count, int size)
    {
        int per = ScalarCodec.ChunkBytes / (size * stride);
        byte[] src = ArrayPool<byte>.Shared.Rent(per * size * stride);
        byte[] dst = stride == 1 ? src : ArrayPool<byte>.Shared.Rent(per * size);
        try
        {
            for (long done = 0; done < count;)
            {
                int n = (int)Math.Min(per, count - done);
                c.CopyScalars(done * stride, src.AsSpan(0, n * size * stride));
                if (stride != 1)
                    for (int i = 0; i < n; i++)
                        src.AsSpan((i * stride + offset) * size, size).CopyTo(dst.AsSpan(i * size));
                o.Write(dst, 0, n * size);
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(src); if (stride != 1) ArrayPool<byte>.Shared.Return(dst); }
    }

    private static long Padded(long n) => (n + 7) / 8 * 8;
    private static void Pad(Stream o, long n) { int p = (int)(Padded(n) - n); if (p > 0) o.Write(stackalloc byte[p]); }

    private static void Tag(Stream o, int type, long bytes)
    {
        Span<byte> t = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(t, (uint)type);
        if (bytes is < 0 or > uint.MaxValue)
            throw new SarKitInputException($"MAT-file element of {bytes} bytes exceeds the Level 5 format's 4 GB limit; write .npz or SarKit HDF5 instead.");
        BinaryPrimitives.WriteUInt32LittleEndian(t[4..], (uint)bytes);
        o.Write(t);
    }

    private void AddMatrix(string name, MatClass cls, bool complex, bool logical, int[] dims, int dataType, long dataBytes, Action<Stream, int> writePart)
    {
        if (_done) throw new InvalidOperationException("MatWriter: already committed.");
        if (!IsValidName(name))
            throw new SarKitInputException($"'{_path}': '{name}' is not a valid MATLAB variable name (a letter, then letters, digits or underscores; at most 63 characters).") { SourceFile = _path, Dataset = name };
        if (!_names.Add(name)) throw new SarKitInputException($"'{_path}': variable '{name}' added twice.") { SourceFile = _path, Dataset = name };
        var nameBytes = Encoding.ASCII.GetBytes(name);
        long body = 16 + 8 + Padded(4L * dims.Length) + 8 + Padded(nameBytes.Length) + (complex ? 2 : 1) * (8 + Padded(dataBytes));
        if (body > uint.MaxValue)
            throw new SarKitInputException($"'{_path}': variable '{name}' needs {body} bytes; a v5/v7 MAT-file variable is limited to 4 GB (MATLAB: 2 GB). Use the SarKit HDF5 dataset format or .npz instead.") { SourceFile = _path, Dataset = name };

        void Element(Stream o)
        {
            Tag(o, MatFile.miMATRIX, body);
            Tag(o, MatFile.miUINT32, 8);
            Span<byte> f = stackalloc byte[8];
            uint flags = (uint)cls | (complex ? 0x800u : 0) | (logical ? 0x200u : 0);
            BinaryPrimitives.WriteUInt32LittleEndian(f, flags);
            o.Write(f);
            Tag(o, MatFile.miINT32, 4L * dims.Length);
            var db = new byte[Padded(4L * dims.Length)];
            for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(db.AsSpan(4 * i), dims[i]);
            o.Write(db);
            Tag(o, MatFile.miINT8, nameBytes.Length);
            o.Write(nameBytes); Pad(o, nameBytes.Length);
            for (int part = 0; part < (complex ? 2 : 1); part++) // real part, then imaginary part
            {
                Tag(o, dataType, dataBytes);
                writePart(o, part);
                Pad(o, dataBytes);
            }
        }

        if (!_compress) { Element(_fs); return; }
        long tagPos = _fs.Position;
        Tag(_fs, MatFile.miCOMPRESSED, 0);
        using (var z = new ZLibStream(_fs, CompressionLevel.Optimal, leaveOpen: true)) Element(z);
        long end = _fs.Position, len = end - tagPos - 8;
        if (len > uint.MaxValue) throw new SarKitInputException($"'{_path}': compressed variable '{name}' exceeds 4 GB.") { SourceFile = _path, Dataset = name };
        _fs.Seek(tagPos, SeekOrigin.Begin);
        Tag(_fs, MatFile.miCOMPRESSED, len);
        _fs.Seek(end, SeekOrigin.Begin);
    }

    /// <summary>Finishes the file and renames it over the target.</summary>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException("MatWriter: already committed.");
        _file.Commit();
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        _file.Dispose();
        _done = true;
    }
}
