using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace SarKit.IO.Arrays;

/// <summary>MATLAB array classes (mxClassID) of the Level 5 MAT-file format.</summary>
public enum MatClass : byte
{
    Unknown = 0, Cell = 1, Struct = 2, Object = 3, Char = 4, Sparse = 5, Double = 6, Single = 7,
    Int8 = 8, UInt8 = 9, Int16 = 10, UInt16 = 11, Int32 = 12, UInt32 = 13, Int64 = 14, UInt64 = 15,
    Function = 16, Opaque = 17,
}

/// <summary>A numeric or character variable of a MAT-file (header read, values read on demand).</summary>
public sealed class MatVariable : StoredArray
{
    private readonly MatFile _file;
    internal readonly long Offset, Bytes;
    internal readonly bool Compressed;

    internal MatVariable(MatFile file, string name, MatClass cls, bool complex, bool logical, bool global, int[] dims, long offset, long bytes, bool compressed)
        : base(name, file.SourceFile, TypeOf(cls, complex, logical), dims.Reverse().ToArray(), axesReversed: true, isText: cls == MatClass.Char)
    {
        _file = file; Class = cls; IsLogical = logical; IsGlobal = global; Offset = offset; Bytes = bytes; Compressed = compressed;
        MatlabDims = dims;
    }

    /// <summary>MATLAB class of the variable.</summary>
    public MatClass Class { get; }
    public bool IsLogical { get; }
    public bool IsGlobal { get; }
    /// <summary>Dimensions as MATLAB reports them (size(x)).</summary>
    public int[] MatlabDims { get; }

    internal static NdType TypeOf(MatClass c, bool complex, bool logical)
    {
        if (logical) return NdType.Bool;
        NdType real = c switch
        {
            MatClass.Double => NdType.Float64, MatClass.Single => NdType.Float32, MatClass.Int8 => NdType.Int8, MatClass.UInt8 => NdType.UInt8,
            MatClass.Int16 => NdType.Int16, MatClass.UInt16 => NdType.UInt16, MatClass.Int32 => NdType.Int32, MatClass.UInt32 => NdType.UInt32,
            MatClass.Int64 => NdType.Int64, MatClass.UInt64 => NdType.UInt64, _ => NdType.UInt16, // char: UTF-16 code units
        };
        if (!complex) return real;
        return real == NdType.Float32 ? NdType.Complex64 : NdType.Complex128; // complex integers are widened to complex double
    }

    /// <summary>Opens the variable's data: the returned stream is positioned at the real-part tag.</summary>
    private Stream OpenData()
    {
        var fs = new FileStream(SourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            fs.Seek(Offset + 8, SeekOrigin.Begin);
            Stream s = fs;
            if (Compressed)
            {
                s = new ZLibStream(new BoundedReadStream(fs, Bytes, ownsInner: true), CompressionMode.Decompress);
                var inner = MatFile.ReadTag(s, _file.BigEndian);
                if (inner.Type != MatFile.miMATRIX) throw new SarKitInputException($"{Where}: compressed element does not hold a matrix.") { SourceFile = SourceFile, Dataset = Name };
            }
            MatFile.ReadMatrixHeader(s, _file.BigEndian, SourceFile);
            return s;
        }
        catch { fs.Dispose(); throw; }
    }

    private long PartBytes(MatFile.Tag t, int what)
    {
        if (!MatFile.TryKind(t.Type, out var k))
            throw new SarKitInputException($"{Where}: {(what == 0 ? "real" : "imaginary")} part has unsupported storage type {t.Type}.") { SourceFile = SourceFile, Dataset = Name };
        long size = ScalarCodec.Size(k);
        if (t.Bytes != Count * size)
            throw new SarKitInputException($"{Where}: {(what == 0 ? "real" : "imaginary")} part holds {t.Bytes} bytes of type {t.Type}, expected {Count} values for size {ShapeText}.") { SourceFile = SourceFile, Dataset = Name };
        return t.Bytes;
    }

    protected override void ReadData(Array data)
    {
        using var s = OpenData();
        bool cx = IsComplex;
        for (int part = 0; part < (cx ? 2 : 1); part++)
        {
            var t = MatFile.ReadTag(s, _file.BigEndian);
            PartBytes(t, part);
            MatFile.TryKind(t.Type, out var k);
            ScalarCodec.ReadInto(s, k, _file.Swap && ScalarCodec.Size(k) > 1, data, part, cx ? 2 : 1, Count);
            ScalarCodec.Skip(s, t.Padding);
        }
    }

    protected override void StreamChunks<T>(ChunkHandler<T> handler)
    {
        using var s = OpenData();
        for (int part = 0; part < (IsComplex ? 2 : 1); part++)
        {
            var t = MatFile.ReadTag(s, _file.BigEndian);
            PartBytes(t, part);
            MatFile.TryKind(t.Type, out var k);
            var vp = part == 0 ? ValuePart.Real : ValuePart.Imaginary;
            ScalarCodec.ReadChunks<T>(s, k, _file.Swap && ScalarCodec.Size(k) > 1, Count, (first, v, n) => handler(first, v, n, vp));
            ScalarCodec.Skip(s, t.Padding);
        }
    }

    protected override string ReadTextCore()
    {
        using var s = OpenData();
        var t = MatFile.ReadTag(s, _file.BigEndian);
        var raw = new byte[t.Bytes];
        s.ReadExactly(raw);
        string all = t.Type switch
        {
            MatFile.miUTF8 => Encoding.UTF8.GetString(raw),
            MatFile.miUINT16 or MatFile.miUTF16 or MatFile.miINT16 => (_file.BigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode).GetString(raw),
            MatFile.miUTF32 or MatFile.miUINT32 or MatFile.miINT32 => new UTF32Encoding(_file.BigEndian, false).GetString(raw),
            MatFile.miUINT8 or MatFile.miINT8 => Encoding.Latin1.GetString(raw),
            _ => throw new SarKitInputException($"{Where}: character data of storage type {t.Type} is not supported.") { SourceFile = SourceFile, Dataset = Name },
        };
        int rows = MatlabDims.Length > 0 ? MatlabDims[0] : 0;
        if (rows <= 1 || all.Length != Count) return all;
        int cols = (int)(Count / rows);
        var sb = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            var row = new char[cols];
            for (int c = 0; c < cols; c++) row[c] = all[r + rows * c]; // column-major
            if (r > 0) sb.Append('\n');
            sb.Append(new string(row).TrimEnd());
        }
        return sb.ToString();
    }
}

/// <summary>
/// Reader of MATLAB Level 5 MAT-files (MATLAB's default v7 format, and v6/v5): "MAT-File Format", MathWorks, R2018a
/// and later, chapter 1. A 128-byte header (text, subsystem offset, version 0x0100, endian indicator 'IM' for little-endian
/// or 'MI' for big-endian files), then data elements: miMATRIX arrays (array flags, dimensions, name, real part,
/// optional imaginary part), possibly wrapped in miCOMPRESSED (zlib) elements. Each sub-element has an 8-byte tag
/// (or the 4-byte "small data element" form) and is padded to 8 bytes. Values may be stored in a smaller type than their
/// class (e.g. a double array stored as miUINT8); they are converted to the class type.
/// Numeric classes (double, single, int8…uint64, logical; real or complex) and char arrays (as text) are read;
/// struct, cell, object, sparse and function-handle variables are skipped and listed in <see cref="Warnings"/>.
/// MATLAB arrays are column-major: a variable of size [a, b, c] is exposed with shape [c, b, a] and AxesReversed.
/// v7.3 files are HDF5 files and are rejected with a pointer to an HDF5 reader.
/// </summary>
public sealed class MatFile : IArrayCollection
{
    internal const int miINT8 = 1, miUINT8 = 2, miINT16 = 3, miUINT16 = 4, miINT32 = 5, miUINT32 = 6, miSINGLE = 7,
        miDOUBLE = 9, miINT64 = 12, miUINT64 = 13, miMATRIX = 14, miCOMPRESSED = 15, miUTF8 = 16, miUTF16 = 17, miUTF32 = 18;

    private readonly List<MatVariable> _vars = new();
    private readonly List<string> _warnings = new();

    private MatFile(string source) { SourceFile = source; }

    public string SourceFile { get; }
    /// <summary>The descriptive text of the header ("MATLAB 5.0 MAT-file, Platform: ...").</summary>
    public string HeaderText { get; private set; } = "";
    /// <summary>True for a big-endian file ('MI').</summary>
    public bool BigEndian { get; private set; }
    internal bool Swap => BigEndian == BitConverter.IsLittleEndian;
    /// <summary>Numeric and char variables, in file order.</summary>
    public IReadOnlyList<MatVariable> Variables => _vars;
    /// <summary>Variables and elements that were skipped, with the reason.</summary>
    public IReadOnlyList<string> Warnings => _warnings;
    public IReadOnlyList<string> Names => _vars.Select(v => v.Name).ToList();

    public StoredArray? Find(string name) => _vars.FirstOrDefault(v => v.Name == name);

    /// <summary>The variable of that name; throws <see cref="SarKitInputException"/> listing the variables when absent.</summary>
    public MatVariable Get(string name) => _vars.FirstOrDefault(v => v.Name == name)
        ?? throw new SarKitInputException($"'{SourceFile}' has no readable variable '{name}' (variables: {string.Join(", ", Names)}"
            + (_warnings.Count > 0 ? $"; skipped: {string.Join("; ", _warnings)}" : "") + ").") { SourceFile = SourceFile, Dataset = name };

    /// <summary>Reads one numeric variable completely.</summary>
    public NdArray Read(string name) => Get(name).Read();

    public void Dispose() { }

    /// <summary>Opens a MAT-file and lists its variables (headers only; compressed variables are inflated only as far as their header).</summary>
    public static MatFile Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"MAT-file '{path}' does not exist.") { SourceFile = path };
        var m = new MatFile(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        m.Scan(fs);
        return m;
    }

    private SarKitInputException Bad(string why) => new($"'{SourceFile}': {why}") { SourceFile = SourceFile };

    private void Scan(FileStream fs)
    {
        var hdr = new byte[128];
        if (fs.ReadAtLeast(hdr, 128, throwOnEndOfStream: false) < 128) throw Bad("not a MAT-file (shorter than the 128-byte header).");
        string text = Encoding.ASCII.GetString(hdr, 0, 116).TrimEnd(' ', '\0');
        if (hdr[0] == 0x89 && hdr[1] == (byte)'H' || text.StartsWith("MATLAB 7.3", StringComparison.Ordinal))
            throw Bad("is a MATLAB v7.3 (HDF5) MAT-file; read it with an HDF5 reader (SarKit's HDF5 support), not the Level 5 reader.");
        if (hdr[126] == 'I' && hdr[127] == 'M') BigEndian = false;
        else if (hdr[126] == 'M' && hdr[127] == 'I') BigEndian = true;
        else if (hdr.AsSpan(0, 4).IndexOf((byte)0) >= 0)
            throw Bad("looks like a Level 4 MAT-file (MATLAB v4); only Level 5 (v5/v6/v7) MAT-files are supported — re-save with save(..., '-v7').");
        else throw Bad($"no Level 5 endian indicator ('IM'/'MI') at bytes 126–127; not a MATLAB v5/v7 MAT-file.");
        ushort version = BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(hdr.AsSpan(124)) : BinaryPrimitives.ReadUInt16LittleEndian(hdr.AsSpan(124));
        if (version != 0x0100) _warnings.Add($"header version 0x{version:X4} (expected 0x0100)");
        HeaderText = text;

        long pos = 128, len = fs.Length;
        var names = new HashSet<string>();
        while (pos + 8 <= len)
        {
            fs.Seek(pos, SeekOrigin.Begin);
            var tag = ReadTag(fs, BigEndian);
            long dataStart = tag.Small ? pos + 4 : pos + 8;
            long next = tag.Small ? pos + 8 : pos + 8 + tag.Bytes;
            if (next > len) { _warnings.Add($"element at byte {pos} extends past the end of the file (truncated?); ignored"); break; }
            try
            {
                if (tag.Type == miCOMPRESSED)
                {
                    using var z = new ZLibStream(new BoundedReadStream(fs, tag.Bytes), CompressionMode.Decompress, leaveOpen: true);
                    var inner = ReadTag(z, BigEndian);
                    if (inner.Type != miMATRIX) _warnings.Add($"compressed element at byte {pos} holds type {inner.Type}, not a matrix; skipped");
                    else if (inner.Bytes > 0)
                    {
                        if (inner.Bytes > CheckedZipEntryStream.MaxDeflateRatio * Math.Max(tag.Bytes, 1))
                            throw Bad($"compressed element at byte {pos} declares {inner.Bytes} bytes from {tag.Bytes} compressed bytes, more than zlib can produce (corrupt file or decompression bomb).");
                        var body = new BoundedReadStream(z, inner.Bytes);
                        var h = ReadMatrixHeader(body, BigEndian, SourceFile);
                        if (CheckValues(h, body, pos, compressed: true))
                        {
                            // highly compressed: inflate the rest once (streamed) so the real size, not only the declared one, is known
                            if (inner.Bytes > 64 * Math.Max(tag.Bytes, 1) && inner.Bytes > 1 << 20)
                            {
                                body.Skip(body.Remaining);
                            }
                            AddVariable(h, pos, tag.Bytes, true, names);
                        }
                    }
                }
                else if (tag.Type == miMATRIX)
                {
                    if (tag.Bytes > 0)
                    {
                        var body = new BoundedReadStream(fs, tag.Bytes);
                        var h = ReadMatrixHeader(body, BigEndian, SourceFile);
                        if (CheckValues(h, body, pos, compressed: false)) AddVariable(h, pos, tag.Bytes, false, names);
                    }
                }
                else _warnings.Add($"top-level element of type {tag.Type} at byte {pos} skipped");
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
            {
                _warnings.Add($"element at byte {pos} could not be read ({ex.Message}); skipped");
            }
            pos = next;
        }
    }

    /// <summary>
    /// Checks, before anything is allocated, that the values of a numeric or char variable fit in its element: the
    /// dimensions' product does not overflow, the real part's storage type is known and its byte count equals
    /// count × size and lies inside the element (for uncompressed complex variables the imaginary part too).
    /// True when the variable is numeric or char (other classes are skipped by <see cref="AddVariable"/>).
    /// </summary>
    private bool CheckValues(MatrixHeader h, BoundedReadStream body, long pos, bool compressed)
    {
        bool numeric = h.Class is >= MatClass.Double and <= MatClass.UInt64;
        if (!numeric && h.Class != MatClass.Char) return true;
        if (h.Name.Length == 0) return true;
        string where = $"'{SourceFile}' variable '{h.Name}' (element at byte {pos})";
        long count = StoredArray.CountOf(h.Dims, where, SourceFile, h.Name);
        for (int part = 0; part < (h.Complex && numeric ? 2 : 1); part++)
        {
            var t = ReadTag(body, BigEndian);
            string what = part == 0 ? "real part" : "imaginary part";
            if (t.Bytes > body.Remaining)
                throw new SarKitInputException($"{where}: the {what} declares {t.Bytes} bytes but the element has {body.Remaining} left (truncated or corrupt file).") { SourceFile = SourceFile, Dataset = h.Name };
            if (numeric)
            {
                if (!TryKind(t.Type, out var k))
                    throw new SarKitInputException($"{where}: the {what} has unknown storage type {t.Type}.") { SourceFile = SourceFile, Dataset = h.Name };
                StoredArray.RequireBytes($"{where} {what} (size [{string.Join(",", h.Dims)}])", SourceFile, h.Name, count * ScalarCodec.Size(k), t.Bytes);
            }
            else if (t.Bytes > 4 * count + 8) // UTF-8 uses at most 4 bytes per character
                throw new SarKitInputException($"{where}: {t.Bytes} bytes of character data for {count} characters.") { SourceFile = SourceFile, Dataset = h.Name };
            if (compressed || part == 1 || !h.Complex) break;
            body.Skip(t.Bytes + t.Padding); // uncompressed: seek to the imaginary part's tag
        }
        return true;
    }

    private void AddVariable(MatrixHeader h, long pos, long bytes, bool compressed, HashSet<string> names)
    {
        if (h.Name.Length == 0) { _warnings.Add($"unnamed {h.Class} element at byte {pos} (MATLAB subsystem data) skipped"); return; }
        string name = h.Name;
        bool numeric = h.Class is >= MatClass.Double and <= MatClass.UInt64;
        if (!numeric && h.Class != MatClass.Char)
        {
            string why = h.Class switch
            {
                MatClass.Sparse => "sparse matrices are not supported (save full(x))",
                MatClass.Struct => "struct arrays are not supported (save the fields as separate variables)",
                MatClass.Cell => "cell arrays are not supported",
                MatClass.Object or MatClass.Opaque => "objects are not supported",
                MatClass.Function => "function handles are not supported",
                _ => $"class {(int)h.Class} is not supported",
            };
            _warnings.Add($"variable '{name}' ({h.Class}) skipped: {why}");
            return;
        }
        if (!names.Add(name)) { _warnings.Add($"variable '{name}' appears twice; the later one is ignored"); return; }
        _vars.Add(new MatVariable(this, name, h.Class, h.Complex && h.Class != MatClass.Char, h.Logical, h.Global, h.Dims, pos, bytes, compressed));
    }

    internal readonly record struct Tag(int Type, long Bytes, bool Small)
    {
        /// <summary>Bytes after the data up to the next element (4-byte small elements, 8-byte alignment otherwise).</summary>
        public long Padding => Small ? 4 - Bytes : (8 - Bytes % 8) % 8;
    }

    internal readonly record struct MatrixHeader(MatClass Class, bool Complex, bool Logical, bool Global, int[] Dims, string Name);

    internal static Tag ReadTag(Stream s, bool be)
    {
        Span<byte> b = stackalloc byte[4];
        s.ReadExactly(b);
        uint w = be ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        if ((w >> 16) != 0) return new Tag((int)(w & 0xFFFF), w >> 16, true);
        s.ReadExactly(b);
        uint n = be ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        return new Tag((int)w, n, false);
    }

    private static byte[] ReadElementBytes(Stream s, Tag t, string source, string what)
    {
        if (t.Bytes > 1 << 20) throw new SarKitInputException($"'{source}': implausible {what} element of {t.Bytes} bytes.") { SourceFile = source };
        var d = new byte[t.Bytes];
        s.ReadExactly(d);
        ScalarCodec.Skip(s, t.Padding);
        return d;
    }

    /// <summary>Reads array flags, dimensions and name of a miMATRIX element (stream at its first sub-element).</summary>
    internal static MatrixHeader ReadMatrixHeader(Stream s, bool be, string source)
    {
        var ft = ReadTag(s, be);
        var flags = ReadElementBytes(s, ft, source, "array flags");
        if (flags.Length < 4) throw new SarKitInputException($"'{source}': array flags element too short.") { SourceFile = source };
        uint f = be ? BinaryPrimitives.ReadUInt32BigEndian(flags) : BinaryPrimitives.ReadUInt32LittleEndian(flags);
        var cls = (MatClass)(f & 0xFF);
        bool complex = (f & 0x800) != 0, global = (f & 0x400) != 0, logical = (f & 0x200) != 0;
        int[] dims = [];
        if (cls != MatClass.Opaque)
        {
            var dt = ReadTag(s, be);
            var db = ReadElementBytes(s, dt, source, "dimensions");
            dims = new int[db.Length / 4];
            for (int i = 0; i < dims.Length; i++)
                dims[i] = be ? BinaryPrimitives.ReadInt32BigEndian(db.AsSpan(4 * i)) : BinaryPrimitives.ReadInt32LittleEndian(db.AsSpan(4 * i));
            foreach (var d in dims) if (d < 0) throw new SarKitInputException($"'{source}': negative array dimension {d}.") { SourceFile = source };
        }
        var nt = ReadTag(s, be);
        var nb = ReadElementBytes(s, nt, source, "array name");
        return new MatrixHeader(cls, complex, logical, global, dims, Encoding.UTF8.GetString(nb).TrimEnd('\0'));
    }

    internal static bool TryKind(int mi, out ScalarKind k)
    {
        (bool ok, k) = mi switch
        {
            miINT8 => (true, ScalarKind.Int8), miUINT8 => (true, ScalarKind.UInt8), miINT16 => (true, ScalarKind.Int16),
            miUINT16 => (true, ScalarKind.UInt16), miINT32 => (true, ScalarKind.Int32), miUINT32 => (true, ScalarKind.UInt32),
            miSINGLE => (true, ScalarKind.Float32), miDOUBLE => (true, ScalarKind.Float64), miINT64 => (true, ScalarKind.Int64),
            miUINT64 => (true, ScalarKind.UInt64), _ => (false, ScalarKind.UInt8),
        };
        return ok;
    }

    /// <summary>Writes named arrays to a MAT-file (Level 5, v7 when <paramref name="compress"/>).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NdArray>> arrays, bool compress = true)
    {
        using var w = MatWriter.Create(path, compress);
        foreach (var (k, v) in arrays) w.Add(k, v);
        w.Commit();
    }
}

/// <summary>A read-only window of <paramref name="length"/> bytes from the current position of a stream.</summary>
internal sealed class BoundedReadStream(Stream inner, long length, bool ownsInner = false) : Stream
{
    protected override void Dispose(bool disposing) { if (disposing && ownsInner) inner.Dispose(); base.Dispose(disposing); }
    private long _left = length;
    /// <summary>Bytes of the window not read yet.</summary>
    public long Remaining => _left;

    /// <summary>Skips <paramref name="n"/> bytes of the window (seeking the inner stream when it can).</summary>
    public void Skip(long n)
    {
        if (n > _left) throw new EndOfStreamException($"cannot skip {n} bytes: {_left} left in the element");
        if (inner.CanSeek) { inner.Seek(n, SeekOrigin.Current); _left -= n; }
        else ScalarCodec.Skip(this, n);
    }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0) return 0;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= n;
        return n;
    }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
