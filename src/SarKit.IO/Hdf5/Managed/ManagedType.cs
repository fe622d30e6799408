using static SarKit.IO.Hdf5.Managed.PureHdfInternals;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// What SarKit makes of an HDF5 datatype message, checked bit by bit (docs/hdf5.md, "Accepted datatypes").
/// <see cref="Refusal"/> is set for a numeric class whose layout is not one SarKit accepts: such data is never converted.
/// </summary>
internal sealed record ManagedType(
    NdType? Element, string Description, int FileSize,
    bool BigEndian = false, bool IsString = false, bool IsVariableString = false, int StringPad = 0, bool IsEnum = false,
    string? RealName = null, string? ImagName = null, string? Refusal = null)
{
    // HDF5 file format spec IV.A.2.d (datatype message): class numbers.
    private const int FixedPoint = 0, FloatingPoint = 1, StringClass = 3, Compound = 6, Enumerated = 8, VariableLength = 9;

    /// <summary>Accepted member-name pairs of a complex compound (h5py: r/i; MATLAB v7.3: real/imag).</summary>
    private static readonly (string Re, string Im)[] ComplexNames = [("r", "i"), ("real", "imag"), ("re", "im")];

    public static ManagedType From(object msg)
    {
        int cls = Int(msg, "Class");
        int size = checked((int)Long(msg, "Size"));
        var bitField = Member(msg, "BitField")!;
        var props = (Array)Member(msg, "Properties")!;
        switch (cls)
        {
            case FixedPoint:
            {
                bool signed = (bool)Member(bitField, "IsSigned")!;
                string desc = $"{(signed ? "" : "u")}int{8 * size}";
                var order = Name(Member(bitField, "ByteOrder"));
                var p = props.Length > 0 ? props.GetValue(0)! : null;
                string? why = null;
                if (size is not (1 or 2 or 4 or 8)) why = $"integer of {size} bytes";
                else if (p is null || Int(p, "BitOffset") != 0 || Int(p, "BitPrecision") != 8 * size)
                    why = $"integer with bit offset {(p is null ? "?" : Int(p, "BitOffset"))} and precision {(p is null ? "?" : Int(p, "BitPrecision"))} (expected 0 and {8 * size})";
                else if (order is not ("LittleEndian" or "BigEndian")) why = $"integer byte order {order}";
                NdType? e = why is not null ? null : (size, signed) switch
                {
                    (1, true) => NdType.Int8, (1, false) => NdType.UInt8, (2, true) => NdType.Int16, (2, false) => NdType.UInt16,
                    (4, true) => NdType.Int32, (4, false) => NdType.UInt32, (8, true) => NdType.Int64, _ => NdType.UInt64,
                };
                return new(e, desc, size, order == "BigEndian", Refusal: why is null ? null : $"{desc}: {why}");
            }
            case FloatingPoint:
            {
                string desc = $"float{8 * size}";
                var why = CheckIeee(size, bitField, props.Length > 0 ? props.GetValue(0) : null, out bool be);
                NdType? e = why is not null ? null : size == 4 ? NdType.Float32 : NdType.Float64;
                return new(e, desc, size, be, Refusal: why is null ? null : $"{desc}: {why}");
            }
            case Compound:
            {
                var members = props.Cast<object>().ToArray();
                var names = members.Select(m => (string)Member(m, "Name")!).ToArray();
                string desc = $"compound{{{string.Join(",", names)}}}";
                if (members.Length != 2) return new(null, desc, size);
                var pair = ComplexNames.FirstOrDefault(p => string.Equals(p.Re, names[0], StringComparison.OrdinalIgnoreCase)
                                                            && string.Equals(p.Im, names[1], StringComparison.OrdinalIgnoreCase));
                if (pair.Re is null) return new(null, desc, size);
                var t0 = Member(members[0], "MemberTypeMessage")!;
                var t1 = Member(members[1], "MemberTypeMessage")!;
                if (Int(t0, "Class") != FloatingPoint || Int(t1, "Class") != FloatingPoint)
                    return new(null, desc, size, Refusal: $"{desc}: complex members must both be IEEE floats");
                var m0 = From(t0);
                var m1 = From(t1);
                string? why = m0.Refusal ?? m1.Refusal;
                if (why is null && m0.FileSize != m1.FileSize) why = $"members of {m0.FileSize} and {m1.FileSize} bytes";
                if (why is null && m0.BigEndian != m1.BigEndian) why = "members of different byte order";
                long o0 = Long(members[0], "MemberByteOffset"), o1 = Long(members[1], "MemberByteOffset");
                if (why is null && (o0 != 0 || o1 != m0.FileSize || size != 2 * m0.FileSize))
                    why = $"member offsets {o0}/{o1} in a {size}-byte compound (expected 0/{m0.FileSize} in {2 * m0.FileSize})";
                NdType? e = why is not null ? null : m0.FileSize == 4 ? NdType.Complex64 : NdType.Complex128;
                return new(e, why is null ? $"complex{16 * m0.FileSize} {{{names[0]},{names[1]}}}" : desc, size, m0.BigEndian,
                    RealName: names[0], ImagName: names[1], Refusal: why is null ? null : $"{desc}: {why}");
            }
            case Enumerated:
            {
                var p = props.GetValue(0)!;
                var baseType = From(Member(p, "BaseType")!);
                var names = (string[])Member(p, "Names")!;
                var values = (byte[][])Member(p, "Values")!;
                bool isBool = size == 1 && names.Length == 2 && names[0].Equals("FALSE", StringComparison.OrdinalIgnoreCase)
                              && names[1].Equals("TRUE", StringComparison.OrdinalIgnoreCase) && values[0][0] == 0 && values[1][0] == 1;
                return new(isBool ? NdType.Bool : baseType.Element, isBool ? "bool (enum)" : $"enum of {baseType.Description}", size,
                    baseType.BigEndian, IsEnum: true, Refusal: baseType.Refusal);
            }
            case StringClass:
                return new(null, $"string (fixed length {size})", size, IsString: true, StringPad: Int(bitField, "PaddingType"));
            case VariableLength:
                if (Name(Member(bitField, "Type")) == "String")
                    return new(null, "string (variable length)", size, IsString: true, IsVariableString: true);
                return new(null, "variable-length sequence", size);
            default:
                return new(null, cls switch { 2 => "time", 4 => "bitfield", 5 => "opaque", 7 => "reference", 10 => "array", _ => $"HDF5 type class {cls}" }, size);
        }
    }

    /// <summary>
    /// IEEE 754 binary32/binary64 (IEC 60559) check of a floating-point datatype message: size, bit offset, precision,
    /// sign position, exponent position/size/bias, mantissa position/size, implied mantissa normalisation, byte order.
    /// </summary>
    private static string? CheckIeee(int size, object bitField, object? p, out bool bigEndian)
    {
        var order = Name(Member(bitField, "ByteOrder"));
        bigEndian = order == "BigEndian";
        if (size is not (4 or 8)) return $"{size}-byte floats are not IEEE binary32/binary64";
        if (p is null) return "no floating-point properties";
        var (exLoc, exSize, manSize, bias) = size == 4 ? (23, 8, 23, 127L) : (52, 11, 52, 1023L);
        var got = (off: Int(p, "BitOffset"), prec: Int(p, "BitPrecision"), sign: Int(bitField, "SignLocation"),
            eLoc: Int(p, "ExponentLocation"), eSize: Int(p, "ExponentSize"), mLoc: Int(p, "MantissaLocation"), mSize: Int(p, "MantissaSize"),
            bias: Long(p, "ExponentBias"), norm: Int(bitField, "MantissaNormalization"));
        var want = (off: 0, prec: 8 * size, sign: 8 * size - 1, eLoc: exLoc, eSize: exSize, mLoc: 0, mSize: manSize, bias, norm: 2 /* implied (hidden) leading 1 */);
        if (got != want)
            return $"not an IEEE layout (offset {got.off}, precision {got.prec}, sign bit {got.sign}, exponent {got.eLoc}+{got.eSize} bias {got.bias}, " +
                   $"mantissa {got.mLoc}+{got.mSize}, mantissa normalization {got.norm}; IEEE needs {want.off}, {want.prec}, {want.sign}, {want.eLoc}+{want.eSize} bias {want.bias}, {want.mLoc}+{want.mSize}, normalization 2 = implied)";
        if (order is not ("LittleEndian" or "BigEndian")) return $"byte order {order} (only little- or big-endian IEEE floats are accepted)";
        return null;
    }
}
