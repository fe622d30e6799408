namespace SarKit.IO;

/// <summary>Element type of an <see cref="NdArray"/>.</summary>
public enum NdType
{
    Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64,
    Float32, Float64,
    /// <summary>Complex, two float32 (re, im); data is a float[] of length 2·count.</summary>
    Complex64,
    /// <summary>Complex, two float64 (re, im); data is a double[] of length 2·count.</summary>
    Complex128,
}

/// <summary>
/// An n-dimensional array read from or written to a file, always in C (row-major) order: the last axis varies fastest.
/// A file stored in Fortran/MATLAB (column-major) order is exposed with its axes reversed and <see cref="AxesReversed"/> set,
/// so no data is moved: MATLAB E(nx, ny, nz) becomes shape [nz, ny, nx] with x fastest, the SarKit voxel order.
/// Data is a typed flat array: bool[], sbyte[], byte[], short[], ushort[], int[], uint[], long[], ulong[], float[], double[];
/// complex types are interleaved (re, im) float[] or double[].
/// </summary>
public sealed class NdArray
{
    public NdArray(NdType type, int[] shape, Array data, bool axesReversed = false)
    {
        Type = type;
        Shape = shape;
        Data = data;
        AxesReversed = axesReversed;
        long n = Count;
        long expected = IsComplex ? 2 * n : n;
        if (data.LongLength != expected)
            throw new ArgumentException($"NdArray: {data.LongLength} data elements for shape [{string.Join(",", shape)}] of {type} (expected {expected}).");
        if (ClrType(type) != data.GetType().GetElementType())
            throw new ArgumentException($"NdArray: data of {data.GetType().Name} for element type {type}.");
    }

    public NdType Type { get; }
    /// <summary>Shape in C order (last axis fastest).</summary>
    public int[] Shape { get; }
    public Array Data { get; }
    /// <summary>True when the file stored the array column-major and <see cref="Shape"/> is the file's shape reversed.</summary>
    public bool AxesReversed { get; }

    public int Rank => Shape.Length;
    public long Count => StoredArray.CountOf(Shape, $"NdArray {Type}");
    public bool IsComplex => Type is NdType.Complex64 or NdType.Complex128;

    /// <summary>The shape as the file's user sees it (MATLAB/Fortran order when <see cref="AxesReversed"/>).</summary>
    public int[] FileShape => AxesReversed ? Shape.Reverse().ToArray() : Shape;

    public static Type ClrType(NdType t) => t switch
    {
        NdType.Bool => typeof(bool), NdType.Int8 => typeof(sbyte), NdType.UInt8 => typeof(byte),
        NdType.Int16 => typeof(short), NdType.UInt16 => typeof(ushort), NdType.Int32 => typeof(int), NdType.UInt32 => typeof(uint),
        NdType.Int64 => typeof(long), NdType.UInt64 => typeof(ulong), NdType.Float32 => typeof(float), NdType.Float64 => typeof(double),
        NdType.Complex64 => typeof(float), NdType.Complex128 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Real values as double (throws for complex data: use <see cref="ToComplexInterleaved"/>).</summary>
    public double[] ToDouble()
    {
        if (IsComplex) throw new InvalidOperationException("NdArray.ToDouble: the array is complex.");
        var r = new double[Count];
        switch (Data)
        {
            case double[] d: Array.Copy(d, r, d.Length); break;
            case float[] f: for (int i = 0; i < f.Length; i++) r[i] = f[i]; break;
            case bool[] b: for (int i = 0; i < b.Length; i++) r[i] = b[i] ? 1 : 0; break;
            default: for (int i = 0; i < r.Length; i++) r[i] = Convert.ToDouble(Data.GetValue(i)); break;
        }
        return r;
    }

    /// <summary>Values as interleaved complex double (re, im); real data gets zero imaginary parts.</summary>
    public double[] ToComplexInterleaved()
    {
        var r = new double[2 * Count];
        switch (Data)
        {
            case double[] d when Type == NdType.Complex128: Array.Copy(d, r, d.Length); break;
            case float[] f when Type == NdType.Complex64: for (int i = 0; i < f.Length; i++) r[i] = f[i]; break;
            default: var re = ToDouble(); for (int i = 0; i < re.Length; i++) r[2 * i] = re[i]; break;
        }
        return r;
    }

    public override string ToString() => $"{Type}[{string.Join("×", Shape)}]{(AxesReversed ? " (axes reversed from file)" : "")}";
}
