using System.Numerics;
using System.Runtime.InteropServices;

namespace SarKit.IO;

/// <summary>Which values a chunk from <see cref="StoredArray.ReadChunks{T}"/> holds.</summary>
public enum ValuePart
{
    /// <summary>Real values (the whole array for real data; the real parts for MATLAB complex data).</summary>
    Real,
    /// <summary>Imaginary parts (MATLAB stores them after all real parts).</summary>
    Imaginary,
    /// <summary>Interleaved (re, im) pairs (NumPy complex data); chunk offsets count scalars, two per element.</summary>
    Interleaved,
}

/// <summary>
/// An array stored in a file (a .npy file, an .npz member, a MAT-file variable) whose header has been read but whose
/// values have not: the shape and type are known, and the values are streamed on request, so that a multi-GB array
/// can be read straight into its final destination. Shapes follow the <see cref="NdArray"/> convention (C order;
/// column-major arrays have their axes reversed and <see cref="AxesReversed"/> set).
/// </summary>
public abstract class StoredArray
{
    protected StoredArray(string name, string sourceFile, NdType type, int[] shape, bool axesReversed, bool isText = false)
    {
        Name = name; SourceFile = sourceFile; Type = type; Shape = shape; AxesReversed = axesReversed; IsText = isText;
        Count = CountOf(shape, $"'{sourceFile}' variable '{name}'", sourceFile, name);
    }

    /// <summary>Largest element count of a stored array (2^48: far beyond memory, far below overflow of byte sizes).</summary>
    public const long MaxElements = 1L << 48;

    /// <summary>
    /// Product of a declared shape, refusing negative extents and products above <see cref="MaxElements"/> (a corrupt or
    /// hostile header must not overflow, wrap to a small count, or size an allocation).
    /// </summary>
    public static long CountOf(IReadOnlyList<int> shape, string where, string? sourceFile = null, string? dataset = null)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new SarKitInputException($"{where}: negative extent {d} in the declared shape [{string.Join(",", shape)}].") { SourceFile = sourceFile, Dataset = dataset };
            if (d == 0) n = 0;
            else if (n > MaxElements / d) throw new SarKitInputException($"{where}: declared shape [{string.Join(",", shape)}] has more than {MaxElements} elements (corrupt header?).") { SourceFile = sourceFile, Dataset = dataset };
            else n *= d;
        }
        return n;
    }

    /// <summary>
    /// Throws when the values of the declared shape need more bytes than the file holds for them:
    /// <paramref name="declaredBytes"/> (shape × item size) against <paramref name="availableBytes"/>. Called by the
    /// readers while opening, before anything is allocated from the declared shape.
    /// </summary>
    protected internal static void RequireBytes(string where, string sourceFile, string name, long declaredBytes, long availableBytes, bool exact = true)
    {
        if (declaredBytes > availableBytes || (exact && declaredBytes != availableBytes))
            throw new SarKitInputException($"{where}: the declared shape and type need {declaredBytes} bytes of values, but the file holds {availableBytes} (truncated or corrupt file?).") { SourceFile = sourceFile, Dataset = name };
    }

    /// <summary>Variable or member name ("E", "sigma", ...).</summary>
    public string Name { get; }
    /// <summary>File the array lives in (for messages).</summary>
    public string SourceFile { get; }
    /// <summary>Element type of the values (for text arrays: the character storage type).</summary>
    public NdType Type { get; }
    /// <summary>Shape in C order (last axis fastest in memory).</summary>
    public int[] Shape { get; }
    /// <summary>True when the file stores the array column-major (MATLAB, Fortran-order .npy): <see cref="Shape"/> is the file's shape reversed.</summary>
    public bool AxesReversed { get; }
    /// <summary>True for character data (MATLAB char arrays, NumPy 'U'/'S' arrays): read it with <see cref="ReadText"/>.</summary>
    public bool IsText { get; }

    public int Rank => Shape.Length;
    /// <summary>Number of elements (product of the shape; checked against overflow when the array is created).</summary>
    public long Count { get; }
    public bool IsComplex => Type is NdType.Complex64 or NdType.Complex128;
    /// <summary>Shape as the file's user sees it (MATLAB/Fortran order when <see cref="AxesReversed"/>).</summary>
    public int[] FileShape => AxesReversed ? Shape.Reverse().ToArray() : Shape;

    /// <summary>"'file' variable 'name'", for messages.</summary>
    public string Where => $"'{SourceFile}' variable '{Name}'";

    /// <summary>Shape as text in the file's own order, e.g. "[8,8,1767] (column-major)".</summary>
    public string ShapeText => $"[{string.Join(",", FileShape)}]{(AxesReversed ? " (column-major)" : "")}";

    /// <summary>Reads the whole array into a new <see cref="NdArray"/> (one allocation, values streamed into it).</summary>
    public NdArray Read()
    {
        RequireNumeric();
        long scalars = IsComplex ? 2 * Count : Count;
        if (scalars > Array.MaxLength)
            throw new SarKitInputException($"{Where}: {Count} elements of {Type} do not fit in one in-memory array; stream it with ReadChunks.") { SourceFile = SourceFile, Dataset = Name };
        var data = Array.CreateInstance(NdArray.ClrType(Type), scalars);
        Guard(() => ReadData(data));
        return new NdArray(Type, (int[])Shape.Clone(), data, AxesReversed);
    }

    /// <summary>Reads a real array converted to <typeparamref name="T"/> (e.g. double, int), streaming from the file without intermediate copies.</summary>
    public T[] ReadReal<T>() where T : unmanaged, INumberBase<T>
    {
        RequireNumeric();
        if (IsComplex) throw new SarKitInputException($"{Where} is complex ({Type}); expected real values.") { SourceFile = SourceFile, Dataset = Name };
        if (Count > Array.MaxLength) throw new SarKitInputException($"{Where}: {Count} elements do not fit in one array.") { SourceFile = SourceFile, Dataset = Name };
        var r = new T[Count];
        Guard(() => ReadChunks<T>((first, values, n, part) => values.AsSpan(0, n).CopyTo(r.AsSpan((int)first))));
        return r;
    }

    /// <summary>Reads a real array as bool (non-zero → true).</summary>
    public bool[] ReadBool()
    {
        RequireNumeric();
        if (Count > Array.MaxLength) throw new SarKitInputException($"{Where}: {Count} elements do not fit in one array.") { SourceFile = SourceFile, Dataset = Name };
        var r = new bool[Count];
        if (IsComplex) throw new SarKitInputException($"{Where} is complex ({Type}); expected a logical/0-1 array.") { SourceFile = SourceFile, Dataset = Name };
        Guard(() => ReadChunks<double>((first, values, n, part) => { for (int i = 0; i < n; i++) r[first + i] = values[i] != 0; }));
        return r;
    }

    /// <summary>The single value of a one-element real array (e.g. frequency_hz).</summary>
    public double ReadScalar()
    {
        if (Count != 1) throw new SarKitInputException($"{Where} has shape {ShapeText}; expected a scalar (one value).") { SourceFile = SourceFile, Dataset = Name };
        return ReadReal<double>()[0];
    }

    /// <summary>
    /// Streams the values in C (memory) order, converted to <typeparamref name="T"/>, to <paramref name="handler"/>(first, values, n, part):
    /// values[0..n) are elements first … first+n−1 of the given part (for <see cref="ValuePart.Interleaved"/>, scalars
    /// first … first+n−1 of the interleaved (re, im) sequence). The values buffer is reused between calls.
    /// </summary>
    public void ReadChunks<T>(ChunkHandler<T> handler) where T : unmanaged, INumberBase<T>
    {
        RequireNumeric();
        Guard(() => StreamChunks(handler));
    }

    /// <summary>The text of a character array (rows joined by '\n', trailing blanks of each row removed when there are several).</summary>
    public string ReadText()
    {
        if (!IsText) throw new SarKitInputException($"{Where} is a numeric {Type} array {ShapeText}; expected text.") { SourceFile = SourceFile, Dataset = Name };
        string? r = null;
        Guard(() => r = ReadTextCore());
        return r!;
    }

    protected abstract void ReadData(Array data);
    protected abstract void StreamChunks<T>(ChunkHandler<T> handler) where T : unmanaged, INumberBase<T>;
    protected abstract string ReadTextCore();

    private void RequireNumeric()
    {
        if (IsText) throw new SarKitInputException($"{Where} is text (a character array); expected numbers.") { SourceFile = SourceFile, Dataset = Name };
    }

    private void Guard(Action a)
    {
        try { a(); }
        catch (EndOfStreamException ex) { throw new SarKitInputException($"{Where}: the file ends before all {Count} values of {ShapeText} were read (truncated file?).", ex) { SourceFile = SourceFile, Dataset = Name }; }
        catch (InvalidDataException ex) { throw new SarKitInputException($"{Where}: corrupt compressed data: {ex.Message}", ex) { SourceFile = SourceFile, Dataset = Name }; }
    }

    public override string ToString() => $"{Name}: {(IsText ? "text" : Type.ToString())} {ShapeText}";
}

/// <summary>Receives a chunk of values from <see cref="StoredArray.ReadChunks{T}"/>: values[0..n) start at element (or interleaved scalar) <paramref name="first"/>.</summary>
public delegate void ChunkHandler<T>(long first, T[] values, int n, ValuePart part);

/// <summary>A file holding named arrays (an .npz archive or a MAT-file). Dispose to close it.</summary>
public interface IArrayCollection : IDisposable
{
    /// <summary>The file (for messages).</summary>
    string SourceFile { get; }
    /// <summary>Names of the readable arrays, in file order.</summary>
    IReadOnlyList<string> Names { get; }
    /// <summary>The array of that name, or null.</summary>
    StoredArray? Find(string name);
}

/// <summary>
/// Values to write (a writer's source), in C order: scalars with complex values interleaved (re, im).
/// Implemented by <see cref="NdArray"/> through <see cref="ArrayContent.Of"/> and by views over SarKit objects, so that
/// writers stream values without building an extra full copy.
/// </summary>
public interface IArrayContent
{
    NdType Type { get; }
    /// <summary>Shape in C order.</summary>
    int[] Shape { get; }
    /// <summary>True when the array came from a column-major file (informational; writers may preserve it).</summary>
    bool AxesReversed { get; }
    /// <summary>Copies scalars starting at scalar index <paramref name="firstScalar"/> into <paramref name="destination"/> as little-endian bytes (its length is a multiple of the scalar size).</summary>
    void CopyScalars(long firstScalar, Span<byte> destination);
}

/// <summary>Helpers for <see cref="IArrayContent"/>.</summary>
public static class ArrayContent
{
    /// <summary>An <see cref="NdArray"/> as writer content (no copy).</summary>
    public static IArrayContent Of(NdArray a) => new NdArrayContent(a);

    public static long Count(this IArrayContent c) { long n = 1; foreach (var s in c.Shape) n *= s; return n; }
    public static bool IsComplex(this IArrayContent c) => c.Type is NdType.Complex64 or NdType.Complex128;
    public static long ScalarCount(this IArrayContent c) => c.IsComplex() ? 2 * c.Count() : c.Count();

    private sealed class NdArrayContent(NdArray a) : IArrayContent
    {
        public NdType Type => a.Type;
        public int[] Shape => a.Shape;
        public bool AxesReversed => a.AxesReversed;
        public void CopyScalars(long first, Span<byte> dst)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
            int size = ScalarCodec.Size(ScalarCodec.Of(a.Type));
            int n = dst.Length / size, f = checked((int)first);
            ReadOnlySpan<byte> src = a.Data switch
            {
                double[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)), float[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                bool[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)), sbyte[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                byte[] d => d.AsSpan(f, n), short[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                ushort[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)), int[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                uint[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)), long[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                ulong[] d => MemoryMarshal.AsBytes(d.AsSpan(f, n)),
                _ => throw new ArgumentException($"Unsupported NdArray data {a.Data.GetType().Name}."),
            };
            src.CopyTo(dst);
        }
    }
}
