using System.Runtime.InteropServices;
using static SarKit.IO.Hdf5.H5Native;

namespace SarKit.IO.Hdf5;

/// <summary>What SarKit makes of an HDF5 file datatype.</summary>
internal readonly record struct H5TypeInfo(
    int Class, NdType? Element, string Description,
    string? RealName = null, string? ImagName = null,
    bool IsEnum = false, bool IsString = false, bool IsVariableString = false, int StringSize = 0, int StringPad = 0, int StringCset = 0);

/// <summary>Maps HDF5 datatypes to <see cref="NdType"/> and builds memory/file datatypes (HDF5 1.10 H5Tpublic.h).</summary>
internal static class Hdf5Types
{
    /// <summary>Accepted member-name pairs of a complex compound (h5py: r/i; MATLAB v7.3: real/imag).</summary>
    private static readonly (string Re, string Im)[] ComplexNames = [("r", "i"), ("real", "imag"), ("re", "im")];

    public static H5TypeInfo Describe(long t)
    {
        int cls = H5Tget_class(t);
        int size = (int)H5Tget_size(t);
        switch (cls)
        {
            case H5T_INTEGER:
            {
                bool signed = H5Tget_sign(t) != H5T_SGN_NONE;
                NdType? e = (size, signed) switch
                {
                    (1, true) => NdType.Int8, (1, false) => NdType.UInt8, (2, true) => NdType.Int16, (2, false) => NdType.UInt16,
                    (4, true) => NdType.Int32, (4, false) => NdType.UInt32, (8, true) => NdType.Int64, (8, false) => NdType.UInt64,
                    _ => null,
                };
                return new(cls, e, $"{(signed ? "" : "u")}int{8 * size}");
            }
            case H5T_FLOAT:
                return new(cls, size switch { 4 => NdType.Float32, 8 => NdType.Float64, _ => null }, $"float{8 * size}");
            case H5T_COMPOUND:
            {
                int n = H5Tget_nmembers(t);
                var names = new string[Math.Max(n, 0)];
                for (uint m = 0; m < names.Length; m++) names[m] = MemberName(t, m);
                string desc = $"compound{{{string.Join(",", names)}}}";
                if (n != 2) return new(cls, null, desc);
                var pair = ComplexNames.FirstOrDefault(p => string.Equals(p.Re, names[0], StringComparison.OrdinalIgnoreCase)
                                                            && string.Equals(p.Im, names[1], StringComparison.OrdinalIgnoreCase));
                if (pair.Re is null) return new(cls, null, desc);
                if (H5Tget_member_class(t, 0) != H5T_FLOAT || H5Tget_member_class(t, 1) != H5T_FLOAT) return new(cls, null, desc);
                long m0 = H5Tget_member_type(t, 0), m1 = H5Tget_member_type(t, 1);
                int s0 = (int)H5Tget_size(m0), s1 = (int)H5Tget_size(m1);
                H5Tclose(m0); H5Tclose(m1);
                NdType? e = (s0, s1) switch { (4, 4) => NdType.Complex64, (8, 8) => NdType.Complex128, _ => null };
                return new(cls, e, e is null ? desc : $"complex{16 * s0} {{{names[0]},{names[1]}}}", names[0], names[1]);
            }
            case H5T_ENUM:
            {
                long b = H5Tget_super(t);
                var bi = Describe(b);
                H5Tclose(b);
                int n = H5Tget_nmembers(t);
                bool isBool = n == 2 && MemberName(t, 0).Equals("FALSE", StringComparison.OrdinalIgnoreCase)
                                     && MemberName(t, 1).Equals("TRUE", StringComparison.OrdinalIgnoreCase) && size == 1;
                return new(cls, isBool ? NdType.Bool : bi.Element, isBool ? "bool (enum)" : $"enum of {bi.Description}", IsEnum: true);
            }
            case H5T_STRING:
            {
                bool v = H5Tis_variable_str(t) > 0;
                return new(cls, null, v ? "string (variable length)" : $"string (fixed length {size})", IsString: true, IsVariableString: v,
                    StringSize: v ? 0 : size, StringPad: H5Tget_strpad(t), StringCset: H5Tget_cset(t));
            }
            default:
                return new(cls, null, cls switch
                {
                    H5T_BITFIELD => "bitfield", H5T_OPAQUE => "opaque", H5T_REFERENCE => "reference", H5T_VLEN => "variable-length sequence",
                    H5T_ARRAY => "array", _ => $"HDF5 type class {cls}",
                });
        }
    }

    private static string MemberName(long t, uint m)
    {
        nint p = H5Tget_member_name(t, m);
        if (p == 0) return "";
        try { return Marshal.PtrToStringUTF8(p) ?? ""; }
        finally { H5free_memory(p); }
    }

    /// <summary>Size in bytes of one element of <paramref name="t"/> in memory (complex: both parts).</summary>
    public static int ElementSize(NdType t) => t switch
    {
        NdType.Bool or NdType.Int8 or NdType.UInt8 => 1,
        NdType.Int16 or NdType.UInt16 => 2,
        NdType.Int32 or NdType.UInt32 or NdType.Float32 => 4,
        NdType.Int64 or NdType.UInt64 or NdType.Float64 or NdType.Complex64 => 8,
        NdType.Complex128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>
    /// Memory datatype for reading/writing <paramref name="t"/>: a native type, a compound {re, im} of native
    /// float/double for complex values, or the h5py boolean enum (int8 FALSE = 0, TRUE = 1).
    /// </summary>
    public static unsafe H5Handle MemoryType(NdType t, string re = "r", string im = "i")
    {
        switch (t)
        {
            case NdType.Complex64: return Complex(Hdf5Library.T_NATIVE_FLOAT, 4, re, im);
            case NdType.Complex128: return Complex(Hdf5Library.T_NATIVE_DOUBLE, 8, re, im);
            case NdType.Bool: return BoolEnum();
            default: return H5Handle.Borrow(NativeId(t), H5Kind.Datatype);
        }
    }

    /// <summary>File datatype written for <paramref name="t"/> (little-endian standard types; complex as compound {re, im}).</summary>
    public static H5Handle FileType(NdType t, string re = "r", string im = "i") => t switch
    {
        NdType.Complex64 => Complex(Hdf5Library.T_IEEE_F32LE, 4, re, im),
        NdType.Complex128 => Complex(Hdf5Library.T_IEEE_F64LE, 8, re, im),
        NdType.Bool => BoolEnum(),
        NdType.Int8 => Std(Hdf5Library.T_STD_I8LE), NdType.UInt8 => Std(Hdf5Library.T_STD_U8LE),
        NdType.Int16 => Std(Hdf5Library.T_STD_I16LE), NdType.UInt16 => Std(Hdf5Library.T_STD_U16LE),
        NdType.Int32 => Std(Hdf5Library.T_STD_I32LE), NdType.UInt32 => Std(Hdf5Library.T_STD_U32LE),
        NdType.Int64 => Std(Hdf5Library.T_STD_I64LE), NdType.UInt64 => Std(Hdf5Library.T_STD_U64LE),
        NdType.Float32 => Std(Hdf5Library.T_IEEE_F32LE), NdType.Float64 => Std(Hdf5Library.T_IEEE_F64LE),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    private static H5Handle Std(long id) => H5Handle.Borrow(id, H5Kind.Datatype);

    private static long NativeId(NdType t) => t switch
    {
        NdType.Int8 => Hdf5Library.T_NATIVE_INT8, NdType.UInt8 => Hdf5Library.T_NATIVE_UINT8,
        NdType.Int16 => Hdf5Library.T_NATIVE_INT16, NdType.UInt16 => Hdf5Library.T_NATIVE_UINT16,
        NdType.Int32 => Hdf5Library.T_NATIVE_INT32, NdType.UInt32 => Hdf5Library.T_NATIVE_UINT32,
        NdType.Int64 => Hdf5Library.T_NATIVE_INT64, NdType.UInt64 => Hdf5Library.T_NATIVE_UINT64,
        NdType.Float32 => Hdf5Library.T_NATIVE_FLOAT, NdType.Float64 => Hdf5Library.T_NATIVE_DOUBLE,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    private static H5Handle Complex(long part, int partSize, string re, string im)
    {
        var c = H5Handle.Own(H5Tcreate(H5T_COMPOUND, (nuint)(2 * partSize)), H5Kind.Datatype, () => "H5Tcreate(compound)");
        Hdf5Errors.Check(H5Tinsert(c.Id, re, 0, part), () => $"H5Tinsert({re})");
        Hdf5Errors.Check(H5Tinsert(c.Id, im, (nuint)partSize, part), () => $"H5Tinsert({im})");
        return c;
    }

    private static unsafe H5Handle BoolEnum()
    {
        var e = H5Handle.Own(H5Tenum_create(Hdf5Library.T_NATIVE_INT8), H5Kind.Datatype, () => "H5Tenum_create(int8)");
        sbyte f = 0, t = 1;
        Hdf5Errors.Check(H5Tenum_insert(e.Id, "FALSE", &f), () => "H5Tenum_insert(FALSE)");
        Hdf5Errors.Check(H5Tenum_insert(e.Id, "TRUE", &t), () => "H5Tenum_insert(TRUE)");
        return e;
    }

    /// <summary>Variable-length (or fixed-length, when <paramref name="fixedLength"/> &gt; 0) C string type with the given character set.</summary>
    public static H5Handle StringType(int fixedLength = 0, int cset = H5T_CSET_UTF8, int pad = H5T_STR_NULLTERM)
    {
        var s = H5Handle.Own(H5Tcopy(Hdf5Library.T_C_S1), H5Kind.Datatype, () => "H5Tcopy(C_S1)");
        Hdf5Errors.Check(H5Tset_size(s.Id, fixedLength > 0 ? (nuint)fixedLength : H5T_VARIABLE), () => "H5Tset_size");
        Hdf5Errors.Check(H5Tset_cset(s.Id, cset), () => "H5Tset_cset");
        if (fixedLength > 0) Hdf5Errors.Check(H5Tset_strpad(s.Id, pad), () => "H5Tset_strpad");
        return s;
    }

    /// <summary>The <see cref="NdType"/> of a CLR element type used with the span APIs (real types only).</summary>
    public static NdType FromClr<T>() where T : unmanaged
    {
        var t = typeof(T);
        if (t == typeof(sbyte)) return NdType.Int8;
        if (t == typeof(byte)) return NdType.UInt8;
        if (t == typeof(short)) return NdType.Int16;
        if (t == typeof(ushort)) return NdType.UInt16;
        if (t == typeof(int)) return NdType.Int32;
        if (t == typeof(uint)) return NdType.UInt32;
        if (t == typeof(long)) return NdType.Int64;
        if (t == typeof(ulong)) return NdType.UInt64;
        if (t == typeof(float)) return NdType.Float32;
        if (t == typeof(double)) return NdType.Float64;
        if (t == typeof(bool)) return NdType.Bool;
        throw new ArgumentException($"HDF5: element type {t.Name} is not supported.");
    }
}
