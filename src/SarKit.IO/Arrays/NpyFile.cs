using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using SarKit.Reporting;

namespace SarKit.IO.Arrays;

/// <summary>The header of a .npy array: dtype descriptor, memory order and shape.</summary>
/// <param name="Descr">NumPy dtype string as written, e.g. "&lt;f8", "&gt;c8", "|b1", "&lt;U17".</param>
/// <param name="FortranOrder">True when the data is column-major.</param>
/// <param name="FileShape">Shape as NumPy reports it.</param>
/// <param name="Version">Format version (major, minor).</param>
/// <param name="HeaderBytes">Bytes before the data (magic, version, length, header text).</param>
public sealed record NpyHeader(string Descr, bool FortranOrder, int[] FileShape, (int Major, int Minor) Version, long HeaderBytes);

/// <summary>
/// Reader and writer of NumPy .npy files, format versions 1.0, 2.0 and 3.0
/// (NumPy Enhancement Proposal 1 / numpy.lib.format: magic "\x93NUMPY", version, little-endian header length
/// (uint16 for 1.0, uint32 for 2.0/3.0), a Python-literal dict {'descr', 'fortran_order', 'shape'} padded to a
/// multiple of 64 bytes, then the raw values).
/// Supported dtypes: f4 f8 c8 c16 i1–i8 u1–u8 b1 in either byte order ('&gt;' is byte-swapped on read), and U/S
/// strings as text. Object arrays and structured dtypes are rejected. Fortran-order arrays are returned with reversed
/// shape and <see cref="NdArray.AxesReversed"/> set (no data movement).
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole .npy file.</summary>
    public static NdArray Read(string path) => Open(path).Read();

    /// <summary>Reads the header of a .npy file; values are read on demand from the returned array.</summary>
    public static StoredArray Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"NumPy file '{path}' does not exist.") { SourceFile = path };
        NpyHeader h;
        long length;
        using (var fs = File.OpenRead(path)) { h = ReadHeader(fs, path); length = fs.Length; }
        var name = Path.GetFileNameWithoutExtension(path);
        return Create(h, name, path, () => { var fs = File.OpenRead(path); fs.Seek(h.HeaderBytes, SeekOrigin.Begin); return fs; }, length - h.HeaderBytes);
    }

    /// <summary>Parses the header at the current position of <paramref name="s"/>, leaving the stream at the first data byte.</summary>
    public static NpyHeader ReadHeader(Stream s, string source)
    {
        Span<byte> pre = stackalloc byte[10];
        int got = s.ReadAtLeast(pre, 10, throwOnEndOfStream: false);
        if (got < 10 || !pre[..6].SequenceEqual(Magic))
            throw new SarKitInputException($"'{source}' is not a NumPy .npy file (no \\x93NUMPY magic).") { SourceFile = source };
        int major = pre[6], minor = pre[7];
        long len; int lenBytes;
        if (major == 1) { len = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]); lenBytes = 2; }
        else if (major is 2 or 3)
        {
            Span<byte> l4 = stackalloc byte[4]; pre[8..10].CopyTo(l4);
            s.ReadExactly(l4[2..]);
            len = BinaryPrimitives.ReadUInt32LittleEndian(l4); lenBytes = 4;
        }
        else throw new SarKitInputException($"'{source}': unsupported .npy format version {major}.{minor} (supported 1.0, 2.0, 3.0).") { SourceFile = source };
        if (len > 1 << 24) throw new SarKitInputException($"'{source}': implausible .npy header length {len}.") { SourceFile = source };
        var hb = new byte[len];
        try { s.ReadExactly(hb); }
        catch (EndOfStreamException) { throw new SarKitInputException($"'{source}': .npy header truncated.") { SourceFile = source }; }
        string text = major == 3 ? Encoding.UTF8.GetString(hb) : Encoding.Latin1.GetString(hb);
        var dict = new PyLiteralParser(text, source).ParseDict();
        if (!dict.TryGetValue("descr", out var descr)) throw new SarKitInputException($"'{source}': .npy header has no 'descr': {text.Trim()}") { SourceFile = source };
        if (descr is not string ds)
            throw new SarKitInputException($"'{source}': structured dtype (descr {Describe(descr)}) is not supported; save plain numeric arrays.") { SourceFile = source };
        bool fortran = dict.TryGetValue("fortran_order", out var fo) && fo is true;
        if (!dict.TryGetValue("shape", out var sh) || sh is not List<object> shl)
            throw new SarKitInputException($"'{source}': .npy header has no shape tuple: {text.Trim()}") { SourceFile = source };
        var shape = new int[shl.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shl[i] is not long v || v < 0 || v > int.MaxValue)
                throw new SarKitInputException($"'{source}': bad .npy shape entry {Describe(shl[i])} in {text.Trim()}.") { SourceFile = source };
            shape[i] = (int)v;
        }
        return new NpyHeader(ds, fortran, shape, (major, minor), 6 + 2 + lenBytes + len);
    }

    private static string Describe(object? o) => o switch
    {
        null => "None", string s => $"'{s}'", List<object> l => "[" + string.Join(", ", l.Select(Describe)) + "]",
        _ => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "?",
    };

    /// <summary>Decoded dtype: element type, byte swap, or text (U: UTF-32 chars, S: bytes) with its item size.</summary>
    internal readonly record struct Dtype(NdType Type, bool Swap, char TextKind, int ItemChars)
    {
        /// <summary>Bytes per element in the file.</summary>
        public long ItemBytes => TextKind switch
        {
            'U' => 4L * ItemChars,
            'S' => ItemChars,
            _ => ScalarCodec.Size(ScalarCodec.Of(Type)) * (Type is NdType.Complex64 or NdType.Complex128 ? 2L : 1L),
        };
    }

    internal static Dtype ParseDescr(string descr, string source)
    {
        string d = descr.Trim();
        if (d.Length < 2) throw BadDescr(descr, source, "not a NumPy dtype");
        char order = d[0];
        string rest = d;
        if (order is '<' or '>' or '|' or '=') rest = d[1..]; else order = '=';
        bool swap = order == '>' ? BitConverter.IsLittleEndian : order == '<' ? !BitConverter.IsLittleEndian : false;
        char kind = rest[0];
        if (!int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            throw BadDescr(descr, source, kind is 'O' ? "object arrays (pickled Python objects) are not supported" : kind is 'M' or 'm' ? "datetime types are not supported" : "not a plain numeric dtype");
        NdType? t = (kind, size) switch
        {
            ('f', 4) => NdType.Float32, ('f', 8) => NdType.Float64, ('c', 8) => NdType.Complex64, ('c', 16) => NdType.Complex128,
            ('i', 1) => NdType.Int8, ('i', 2) => NdType.Int16, ('i', 4) => NdType.Int32, ('i', 8) => NdType.Int64,
            ('u', 1) => NdType.UInt8, ('u', 2) => NdType.UInt16, ('u', 4) => NdType.UInt32, ('u', 8) => NdType.UInt64,
            ('b', 1) => NdType.Bool,
            _ => null,
        };
        if (t is { } nt)
        {
            // '|' means "byte order not applicable": only for one-byte types; for wider types the order is unknown
            if (size > 1 && order is not ('<' or '>')) throw UnknownOrder(descr, source, order);
            return new Dtype(nt, swap, '\0', 0);
        }
        if (kind == 'U')
        {
            if (order is not ('<' or '>')) throw UnknownOrder(descr, source, order);
            return new Dtype(NdType.UInt32, swap, 'U', size);
        }
        if (kind is 'S' or 'a') return new Dtype(NdType.UInt8, false, 'S', size);
        throw BadDescr(descr, source, kind switch
        {
            'O' => "object arrays (pickled Python objects) are not supported",
            'V' => "structured/void dtypes are not supported",
            'f' => $"float{size * 8} is not supported (use float32 or float64)",
            _ => "unsupported dtype",
        });
    }

    // '|' means "not applicable" and '=' or no prefix means the writer's native order: for multi-byte types that is a guess
    private static SarKitInputException UnknownOrder(string descr, string source, char order)
        => BadDescr(descr, source, $"byte order '{order}' does not say whether the multi-byte values are little ('<') or big ('>') endian");

    private static SarKitInputException BadDescr(string descr, string source, string why)
        => new($"'{source}': dtype descr '{descr}': {why}; supported: <f4 <f8 <c8 <c16 <i1..<i8 <u1..<u8 |b1 (either byte order) and U/S text.") { SourceFile = source };

    /// <summary>
    /// The array of a parsed header. <paramref name="availableBytes"/> is the number of bytes after the header (file or
    /// archive member size minus <see cref="NpyHeader.HeaderBytes"/>): it must equal shape × item size exactly, so a
    /// truncated file, trailing garbage or an inflated shape is refused before anything is allocated.
    /// </summary>
    internal static StoredArray Create(NpyHeader h, string name, string source, Func<Stream> openData, long availableBytes)
    {
        var dt = ParseDescr(h.Descr, source);
        var shape = h.FortranOrder ? h.FileShape.Reverse().ToArray() : (int[])h.FileShape.Clone();
        var a = new NpyStoredArray(name, source, dt, shape, h.FortranOrder && h.FileShape.Length > 1, openData);
        Int128 declared = (Int128)a.Count * dt.ItemBytes;
        StoredArray.RequireBytes($"'{source}' array '{name}' ({h.Descr}, shape [{string.Join(",", h.FileShape)}])", source, name,
            declared > long.MaxValue ? long.MaxValue : (long)declared, availableBytes);
        return a;
    }

    private sealed class NpyStoredArray(string name, string source, Dtype dt, int[] shape, bool reversed, Func<Stream> open)
        : StoredArray(name, source, dt.Type, shape, reversed, dt.TextKind != '\0')
    {
        private ScalarKind Kind => ScalarCodec.Of(Type);
        private long Scalars => IsComplex ? 2 * Count : Count;

        protected override void ReadData(Array data)
        {
            using var s = open();
            ScalarCodec.ReadInto(s, Kind, dt.Swap, data, 0, 1, Scalars);
            (s as IVerifiedStream)?.VerifyComplete();
        }

        protected override void StreamChunks<T>(ChunkHandler<T> handler)
        {
            using var s = open();
            var part = IsComplex ? ValuePart.Interleaved : ValuePart.Real;
            ScalarCodec.ReadChunks<T>(s, Kind, dt.Swap, Scalars, (first, v, n) => handler(first, v, n, part));
            (s as IVerifiedStream)?.VerifyComplete();
        }

        protected override string ReadTextCore()
        {
            using var s = open();
            long n = Count;
            long width = dt.ItemBytes; // Count × width was checked against the bytes present when the array was opened
            if (n == 0) return "";
            if (width > Array.MaxLength) throw new SarKitInputException($"{Where}: text items of {width} bytes are too long.") { SourceFile = SourceFile, Dataset = Name };
            var buf = new byte[width];
            var rows = new List<string>();
            for (long i = 0; i < n; i++)
            {
                s.ReadExactly(buf);
                string str;
                if (dt.TextKind == 'U')
                {
                    if (dt.Swap) ScalarCodec.Swap(buf, 4);
                    str = Encoding.UTF32.GetString(buf);
                }
                else str = Encoding.Latin1.GetString(buf);
                rows.Add(str.TrimEnd('\0'));
            }
            (s as IVerifiedStream)?.VerifyComplete();
            return string.Join('\n', rows);
        }
    }

    /// <summary>Writes <paramref name="array"/> as a .npy file (C order, little endian; version 1.0, or 2.0 when the header needs it).</summary>
    /// <param name="path">Target file (written through a temporary file and renamed).</param>
    /// <param name="array">Values to write.</param>
    /// <param name="fortranOrderWhenReversed">When true and the array has <see cref="NdArray.AxesReversed"/>, write it as
    /// fortran_order=True with the file shape, so NumPy sees the same shape MATLAB did (still no data movement).</param>
    public static void Write(string path, NdArray array, bool fortranOrderWhenReversed = false)
        => Write(path, ArrayContent.Of(array), fortranOrderWhenReversed);

    /// <inheritdoc cref="Write(string, NdArray, bool)"/>
    public static void Write(string path, IArrayContent content, bool fortranOrderWhenReversed = false)
        => AtomicFile.Write(path, fs => Write(fs, content, fortranOrderWhenReversed));

    /// <summary>Writes a .npy stream.</summary>
    public static void Write(Stream s, IArrayContent c, bool fortranOrderWhenReversed = false)
    {
        bool fortran = fortranOrderWhenReversed && c.AxesReversed && c.Shape.Length > 1;
        var shape = fortran ? c.Shape.Reverse().ToArray() : c.Shape;
        WriteHeader(s, Descr(c.Type), fortran, shape);
        int size = ScalarCodec.Size(ScalarCodec.Of(c.Type));
        long total = c.ScalarCount();
        byte[] buf = ArrayPool<byte>.Shared.Rent(ScalarCodec.ChunkBytes);
        try
        {
            int per = ScalarCodec.ChunkBytes / size;
            for (long done = 0; done < total;)
            {
                int n = (int)Math.Min(per, total - done);
                var b = buf.AsSpan(0, n * size);
                c.CopyScalars(done, b);
                s.Write(b);
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }

    /// <summary>Writes a text scalar (NumPy dtype &lt;U<i>n</i>, shape ()) as .npy, as np.save(str) does.</summary>
    public static void WriteText(Stream s, string text)
    {
        var utf32 = Encoding.UTF32.GetBytes(text); // little endian
        int n = Math.Max(1, utf32.Length / 4);
        WriteHeader(s, $"<U{n}", false, []);
        s.Write(utf32);
        if (utf32.Length == 0) s.Write(new byte[4]);
    }

    private static void WriteHeader(Stream s, string descr, bool fortran, int[] shape)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        int major = 1, pre = 10;
        int total = Align(pre + dict.Length + 1);
        if (total - pre > ushort.MaxValue) { major = 2; pre = 12; total = Align(pre + dict.Length + 1); }
        var hdr = new byte[total];
        Magic.CopyTo(hdr, 0);
        hdr[6] = (byte)major; hdr[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(hdr.AsSpan(8), (ushort)(total - pre));
        else BinaryPrimitives.WriteUInt32LittleEndian(hdr.AsSpan(8), (uint)(total - pre));
        Encoding.Latin1.GetBytes(dict, hdr.AsSpan(pre));
        for (int i = pre + dict.Length; i < total - 1; i++) hdr[i] = (byte)' ';
        hdr[total - 1] = (byte)'\n';
        s.Write(hdr);
        static int Align(int n) => (n + 63) / 64 * 64;
    }

    /// <summary>NumPy dtype string of an element type (little endian).</summary>
    public static string Descr(NdType t) => t switch
    {
        NdType.Bool => "|b1", NdType.Int8 => "|i1", NdType.UInt8 => "|u1", NdType.Int16 => "<i2", NdType.UInt16 => "<u2",
        NdType.Int32 => "<i4", NdType.UInt32 => "<u4", NdType.Int64 => "<i8", NdType.UInt64 => "<u8",
        NdType.Float32 => "<f4", NdType.Float64 => "<f8", NdType.Complex64 => "<c8", NdType.Complex128 => "<c16",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Minimal parser for the Python literal dict of a .npy header (strings, True/False/None, integers, tuples, lists, dicts).</summary>
    private sealed class PyLiteralParser(string text, string source)
    {
        private int _p;

        public Dictionary<string, object?> ParseDict()
        {
            if (Value() is not Dictionary<string, object?> d) throw Fail("expected a dict");
            return d;
        }

        private SarKitInputException Fail(string why) =>
            new($"'{source}': cannot parse the .npy header ({why} at character {_p}): {text.Trim()}") { SourceFile = source };

        private void Ws() { while (_p < text.Length && char.IsWhiteSpace(text[_p])) _p++; }

        private object? Value()
        {
            Ws();
            if (_p >= text.Length) throw Fail("unexpected end");
            char c = text[_p];
            if (c == '{')
            {
                _p++;
                var d = new Dictionary<string, object?>();
                while (true)
                {
                    Ws();
                    if (_p < text.Length && text[_p] == '}') { _p++; return d; }
                    if (Value() is not string k) throw Fail("dict key is not a string");
                    Ws();
                    if (_p >= text.Length || text[_p] != ':') throw Fail("expected ':'");
                    _p++;
                    d[k] = Value();
                    Ws();
                    if (_p < text.Length && text[_p] == ',') _p++;
                }
            }
            if (c is '(' or '[')
            {
                char close = c == '(' ? ')' : ']';
                _p++;
                var l = new List<object>();
                while (true)
                {
                    Ws();
                    if (_p < text.Length && text[_p] == close) { _p++; return l; }
                    l.Add(Value()!);
                    Ws();
                    if (_p < text.Length && text[_p] == ',') _p++;
                }
            }
            if (c is '\'' or '"')
            {
                int end = text.IndexOf(c, _p + 1);
                if (end < 0) throw Fail("unterminated string");
                var s = text.Substring(_p + 1, end - _p - 1);
                _p = end + 1;
                return s;
            }
            if (char.IsDigit(c) || c == '-')
            {
                int st = _p++;
                while (_p < text.Length && char.IsDigit(text[_p])) _p++;
                // "-" alone, or digits beyond the range of long: a malformed header, not an internal error
                if (!long.TryParse(text.AsSpan(st, _p - st), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                    throw Fail($"malformed integer '{text[st.._p]}'");
                if (_p < text.Length && text[_p] is 'L' or 'l') _p++; // Python 2 long suffix
                return v;
            }
            foreach (var (word, val) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
                if (string.CompareOrdinal(text, _p, word, 0, word.Length) == 0) { _p += word.Length; return val; }
            throw Fail($"unexpected '{c}'");
        }
    }
}
