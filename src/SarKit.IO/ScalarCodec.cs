using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SarKit.IO;

/// <summary>Primitive scalar encodings found in array files (one scalar; complex values are two of them).</summary>
internal enum ScalarKind { Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64 }

/// <summary>
/// Converts raw scalar bytes from a stream (either byte order, any primitive storage type) into typed destination
/// arrays chunk by chunk, so that large arrays are streamed straight into their destination without a full extra copy.
/// </summary>
internal static class ScalarCodec
{
    internal const int ChunkBytes = 1 << 20;

    public static int Size(ScalarKind k) => k switch
    {
        ScalarKind.Bool or ScalarKind.Int8 or ScalarKind.UInt8 => 1,
        ScalarKind.Int16 or ScalarKind.UInt16 => 2,
        ScalarKind.Int32 or ScalarKind.UInt32 or ScalarKind.Float32 => 4,
        _ => 8,
    };

    /// <summary>Scalar kind of an element type (the component type for complex).</summary>
    public static ScalarKind Of(NdType t) => t switch
    {
        NdType.Bool => ScalarKind.Bool, NdType.Int8 => ScalarKind.Int8, NdType.UInt8 => ScalarKind.UInt8,
        NdType.Int16 => ScalarKind.Int16, NdType.UInt16 => ScalarKind.UInt16, NdType.Int32 => ScalarKind.Int32,
        NdType.UInt32 => ScalarKind.UInt32, NdType.Int64 => ScalarKind.Int64, NdType.UInt64 => ScalarKind.UInt64,
        NdType.Float32 or NdType.Complex64 => ScalarKind.Float32,
        _ => ScalarKind.Float64,
    };

    /// <summary>Reverses the byte order of every scalar in <paramref name="bytes"/> in place.</summary>
    public static void Swap(Span<byte> bytes, int size)
    {
        switch (size)
        {
            case 2: { var s = MemoryMarshal.Cast<byte, ushort>(bytes); BinaryPrimitives.ReverseEndianness(s, s); break; }
            case 4: { var s = MemoryMarshal.Cast<byte, uint>(bytes); BinaryPrimitives.ReverseEndianness(s, s); break; }
            case 8: { var s = MemoryMarshal.Cast<byte, ulong>(bytes); BinaryPrimitives.ReverseEndianness(s, s); break; }
        }
    }

    /// <summary>Converts little-endian (already swapped) scalars of <paramref name="kind"/> into dst[i·stride].</summary>
    public static void Convert<T>(ReadOnlySpan<byte> src, ScalarKind kind, Span<T> dst, int stride) where T : unmanaged, INumberBase<T>
    {
        switch (kind)
        {
            case ScalarKind.Bool: for (int i = 0; i < src.Length; i++) dst[i * stride] = src[i] != 0 ? T.One : T.Zero; break;
            case ScalarKind.Int8: { var s = MemoryMarshal.Cast<byte, sbyte>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.UInt8: for (int i = 0; i < src.Length; i++) dst[i * stride] = T.CreateTruncating(src[i]); break;
            case ScalarKind.Int16: { var s = MemoryMarshal.Cast<byte, short>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.UInt16: { var s = MemoryMarshal.Cast<byte, ushort>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.Int32: { var s = MemoryMarshal.Cast<byte, int>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.UInt32: { var s = MemoryMarshal.Cast<byte, uint>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.Int64: { var s = MemoryMarshal.Cast<byte, long>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.UInt64: { var s = MemoryMarshal.Cast<byte, ulong>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.Float32: { var s = MemoryMarshal.Cast<byte, float>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
            case ScalarKind.Float64: { var s = MemoryMarshal.Cast<byte, double>(src); for (int i = 0; i < s.Length; i++) dst[i * stride] = T.CreateTruncating(s[i]); break; }
        }
    }

    private static bool Native<T>(ScalarKind kind) =>
        (typeof(T) == typeof(double) && kind == ScalarKind.Float64) || (typeof(T) == typeof(float) && kind == ScalarKind.Float32)
        || (typeof(T) == typeof(sbyte) && kind == ScalarKind.Int8) || (typeof(T) == typeof(byte) && kind == ScalarKind.UInt8)
        || (typeof(T) == typeof(short) && kind == ScalarKind.Int16) || (typeof(T) == typeof(ushort) && kind == ScalarKind.UInt16)
        || (typeof(T) == typeof(int) && kind == ScalarKind.Int32) || (typeof(T) == typeof(uint) && kind == ScalarKind.UInt32)
        || (typeof(T) == typeof(long) && kind == ScalarKind.Int64) || (typeof(T) == typeof(ulong) && kind == ScalarKind.UInt64);

    /// <summary>
    /// Reads <paramref name="count"/> scalars of <paramref name="kind"/> from <paramref name="s"/> (byte-swapped when
    /// <paramref name="swap"/>) into dst[i·stride]. Same type, stride 1 and no swap: read directly into the destination.
    /// </summary>
    public static void ReadInto<T>(Stream s, ScalarKind kind, bool swap, Span<T> dst, int stride, long count) where T : unmanaged, INumberBase<T>
    {
        int size = Size(kind);
        if (stride == 1 && !swap && Native<T>(kind) && BitConverter.IsLittleEndian)
        {
            var d = dst[..checked((int)count)];
            const int max = ChunkBytes * 256; // bytes per ReadExactly call (keeps byte span lengths in int range)
            int per = max / size;
            for (int i = 0; i < d.Length; i += per)
                s.ReadExactly(MemoryMarshal.AsBytes(d.Slice(i, Math.Min(per, d.Length - i))));
            return;
        }
        byte[] buf = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int per = ChunkBytes / size;
            long done = 0;
            while (done < count)
            {
                int n = (int)Math.Min(per, count - done);
                var b = buf.AsSpan(0, n * size);
                s.ReadExactly(b);
                if (swap) Swap(b, size);
                Convert(b, kind, dst[checked((int)(done * stride))..], stride);
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }

    /// <summary>Reads <paramref name="count"/> scalars into a bool destination (non-zero → true).</summary>
    public static void ReadIntoBool(Stream s, ScalarKind kind, bool swap, Span<bool> dst, long count)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        double[] tmp = ArrayPool<double>.Shared.Rent(ChunkBytes / 8);
        try
        {
            int size = Size(kind), per = ChunkBytes / 8;
            long done = 0;
            while (done < count)
            {
                int n = (int)Math.Min(per, count - done);
                var b = buf.AsSpan(0, n * size);
                s.ReadExactly(b);
                if (swap) Swap(b, size);
                var t = tmp.AsSpan(0, n);
                Convert(b, kind, t, 1);
                var d = dst.Slice((int)done, n);
                for (int i = 0; i < n; i++) d[i] = t[i] != 0;
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); ArrayPool<double>.Shared.Return(tmp); }
    }

    /// <summary>Reads scalars into an NdArray data array (any element type) at dst[offset + i·stride].</summary>
    public static void ReadInto(Stream s, ScalarKind kind, bool swap, Array dst, int offset, int stride, long count)
    {
        switch (dst)
        {
            case double[] a: ReadInto<double>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case float[] a: ReadInto<float>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case sbyte[] a: ReadInto<sbyte>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case byte[] a: ReadInto<byte>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case short[] a: ReadInto<short>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case ushort[] a: ReadInto<ushort>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case int[] a: ReadInto<int>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case uint[] a: ReadInto<uint>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case long[] a: ReadInto<long>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case ulong[] a: ReadInto<ulong>(s, kind, swap, a.AsSpan(offset), stride, count); break;
            case bool[] a when stride == 1: ReadIntoBool(s, kind, swap, a.AsSpan(offset), count); break;
            default: throw new ArgumentException($"Unsupported destination {dst.GetType().Name} (stride {stride}).");
        }
    }

    /// <summary>
    /// Streams <paramref name="count"/> scalars converted to <typeparamref name="T"/> to <paramref name="handler"/>
    /// in chunks (first scalar index, values).
    /// </summary>
    public static void ReadChunks<T>(Stream s, ScalarKind kind, bool swap, long count, Action<long, T[], int> handler) where T : unmanaged, INumberBase<T>
    {
        int size = Size(kind);
        int per = ChunkBytes / Math.Max(size, 4);
        byte[] buf = ArrayPool<byte>.Shared.Rent(per * size);
        T[] vals = ArrayPool<T>.Shared.Rent(per);
        try
        {
            long done = 0;
            while (done < count)
            {
                int n = (int)Math.Min(per, count - done);
                var b = buf.AsSpan(0, n * size);
                s.ReadExactly(b);
                if (swap) Swap(b, size);
                Convert(b, kind, vals.AsSpan(0, n), 1);
                handler(done, vals, n);
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); ArrayPool<T>.Shared.Return(vals); }
    }

    /// <summary>Reads and discards <paramref name="n"/> bytes (works on non-seekable streams).</summary>
    public static void Skip(Stream s, long n)
    {
        if (n <= 0) return;
        if (s.CanSeek) { s.Seek(n, SeekOrigin.Current); return; }
        byte[] b = ArrayPool<byte>.Shared.Rent((int)Math.Min(n, 1 << 16));
        try { while (n > 0) { int k = (int)Math.Min(n, b.Length); s.ReadExactly(b.AsSpan(0, k)); n -= k; } }
        finally { ArrayPool<byte>.Shared.Return(b); }
    }
}
