using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SarKit.IO.Hdf5;
using SarKit.Reporting;

namespace SarKit.IO.Arrays;

/// <summary>One variable of a MATLAB v7.3 MAT-file.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="MatlabClass">MATLAB class (MATLAB_class attribute): double, single, int8 … uint64, logical, char, cell, struct, …</param>
/// <param name="MatlabSize">Size as MATLAB's <c>size()</c> reports it (the HDF5 dimensions reversed).</param>
/// <param name="IsComplex">True for complex numeric variables.</param>
/// <param name="IsSupported">True when SarKit can read it (numeric, logical and char arrays; not cell, struct, sparse, objects).</param>
public sealed record MatVariableInfo(string Name, string MatlabClass, int[] MatlabSize, bool IsComplex, bool IsSupported)
{
    public override string ToString() => $"{Name}: {string.Join("×", MatlabSize)} {(IsComplex ? "complex " : "")}{MatlabClass}{(IsSupported ? "" : " (not supported)")}";
}

/// <summary>
/// MATLAB v7.3 MAT-files (HDF5 with a 512-byte user block whose first 128 bytes are the MAT-file header: 116 bytes of text
/// starting "MATLAB 7.3 MAT-file", 8 bytes subsystem offset, version 0x0200, endian indicator "IM").
/// Each variable is a root dataset with the attribute MATLAB_class; complex values are a compound {real, imag};
/// logical is uint8; char is uint16 with MATLAB_int_decode = 2; empty arrays store their size (uint64) with MATLAB_empty = 1.
/// <para><b>Axis order.</b> MATLAB is column-major and stores an array of size [d1 … dn] as an HDF5 dataset with dimensions
/// [dn … d1] holding the same bytes. <see cref="Read(string, string)"/> returns the HDF5 view: <see cref="NdArray.Shape"/> = [dn … d1] (C order,
/// no data moved), <see cref="NdArray.AxesReversed"/> = true and <see cref="NdArray.FileShape"/> = [d1 … dn], MATLAB's size.
/// The flat data is MATLAB's <c>A(:)</c>, so MATLAB <c>A(i1, …, in)</c> (1-based) is element
/// (i1−1) + d1·((i2−1) + d2·(…)). A MATLAB E(nx, ny, nz) therefore arrives as shape [nz, ny, nx] with x fastest, the SarKit voxel order.</para>
/// <para>Writing uses the same rule in reverse: the HDF5 dimensions are the array's <see cref="NdArray.Shape"/> (with or without
/// AxesReversed), so MATLAB sees the reversed shape; a C-order [nz, ny, nx] map becomes MATLAB nx×ny×nz. A 1-D array of n
/// values becomes an n×1 column, a scalar 1×1.</para>
/// </summary>
public static class MatFileV73
{
    public const int UserBlockBytes = 512;
    private const int HeaderBytes = 128, HeaderTextBytes = 116;

    private static readonly Dictionary<string, NdType> ClassTypes = new()
    {
        ["double"] = NdType.Float64, ["single"] = NdType.Float32, ["int8"] = NdType.Int8, ["uint8"] = NdType.UInt8,
        ["int16"] = NdType.Int16, ["uint16"] = NdType.UInt16, ["int32"] = NdType.Int32, ["uint32"] = NdType.UInt32,
        ["int64"] = NdType.Int64, ["uint64"] = NdType.UInt64, ["logical"] = NdType.Bool,
    };

    /// <summary>MATLAB class name for an element type (complex types map to their real class).</summary>
    public static string MatlabClass(NdType t) => t switch
    {
        NdType.Float64 or NdType.Complex128 => "double", NdType.Float32 or NdType.Complex64 => "single",
        NdType.Bool => "logical", NdType.Int8 => "int8", NdType.UInt8 => "uint8", NdType.Int16 => "int16", NdType.UInt16 => "uint16",
        NdType.Int32 => "int32", NdType.UInt32 => "uint32", NdType.Int64 => "int64", NdType.UInt64 => "uint64",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>True when the file starts with a MATLAB v7.3 header (version 0x0200 with endian "IM", or the "MATLAB 7.3 MAT-file" text).</summary>
    public static bool IsMatV73(string path)
    {
        if (!File.Exists(path)) return false;
        var h = new byte[HeaderBytes];
        using (var s = File.OpenRead(path))
            if (s.ReadAtLeast(h, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes) return false;
        bool version = h[124] == 0x00 && h[125] == 0x02 && h[126] == (byte)'I' && h[127] == (byte)'M';
        return version || Encoding.ASCII.GetString(h, 0, 19) == "MATLAB 7.3 MAT-file";
    }

    /// <summary>The 116-byte descriptive text of the header.</summary>
    public static string HeaderText(string path)
    {
        var h = new byte[HeaderTextBytes];
        using var s = File.OpenRead(path);
        s.ReadAtLeast(h, HeaderTextBytes, throwOnEndOfStream: false);
        return Encoding.ASCII.GetString(h).TrimEnd(' ', '\0');
    }

    private static Hdf5File Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: file not found.") { SourceFile = path };
        if (!IsMatV73(path))
            throw new SarKitInputException($"{path}: not a MATLAB v7.3 MAT-file (no v7.3 header). Save it in MATLAB with save(..., '-v7.3'); v5/v7 MAT-files are not HDF5.") { SourceFile = path };
        return Hdf5File.OpenRead(path);
    }

    /// <summary>Variables of the file (root datasets and groups carrying MATLAB_class; MATLAB's internal #refs#/#subsystem# groups skipped).</summary>
    public static IReadOnlyList<MatVariableInfo> List(string path)
    {
        using var f = Open(path);
        return List(f);
    }

    internal static IReadOnlyList<MatVariableInfo> List(Hdf5File f)
    {
        var r = new List<MatVariableInfo>();
        foreach (var e in f.List("/"))
        {
            if (e.Name.StartsWith('#')) continue;
            string cls = f.HasAttribute(e.Path, "MATLAB_class") ? f.ReadStringAttribute(e.Path, "MATLAB_class") : "";
            if (e.Kind != Hdf5ObjectKind.Dataset) { r.Add(new MatVariableInfo(e.Name, cls == "" ? "struct" : cls, [1, 1], false, false)); continue; }
            var info = f.GetDatasetInfo(e.Path);
            bool empty = IsEmpty(f, e.Path);
            int[] size = empty ? EmptySize(f, e.Path) : MatlabSize(info.Shape);
            bool complex = info.ElementType is NdType.Complex64 or NdType.Complex128;
            bool supported = (ClassTypes.ContainsKey(cls) && info.ElementType is not null) || cls == "char" || (cls == "" && info.ElementType is not null);
            r.Add(new MatVariableInfo(e.Name, cls == "" ? "(no MATLAB_class)" : cls, size, complex, supported));
        }
        return r;
    }

    private static int[] MatlabSize(long[] hdf5Shape)
        => hdf5Shape.Length == 0 ? [1, 1] : hdf5Shape.Reverse().Select(x => checked((int)x)).ToArray();

    private static bool IsEmpty(Hdf5File f, string p)
        => f.HasAttribute(p, "MATLAB_empty") && f.ReadAttribute(p, "MATLAB_empty").ToDouble().FirstOrDefault() != 0;

    private static int[] EmptySize(Hdf5File f, string p) => f.ReadDataset(p).ToDouble().Select(x => (int)x).ToArray();

    /// <summary>
    /// Reads a numeric or logical variable. The result has <see cref="NdArray.AxesReversed"/> = true: Shape is the HDF5 (C-order)
    /// shape and FileShape MATLAB's size (see the class remarks). Logical → <see cref="NdType.Bool"/>, complex → Complex64/128.
    /// </summary>
    public static NdArray Read(string path, string variable)
    {
        using var f = Open(path);
        return Read(f, variable);
    }

    internal static NdArray Read(Hdf5File f, string variable)
    {
        var p = VarPath(f, variable);
        string cls = f.HasAttribute(p, "MATLAB_class") ? f.ReadStringAttribute(p, "MATLAB_class") : "";
        if (cls is "char" or "cell" or "struct" or "sparse" or "function_handle" || (cls != "" && !ClassTypes.ContainsKey(cls)))
            throw new SarKitInputException($"{f.FilePath}: variable '{variable}' is MATLAB {cls}; expected a numeric or logical array{(cls == "char" ? " (use ReadString)" : "")}.") { SourceFile = f.FilePath, Dataset = p };
        if (IsEmpty(f, p))
        {
            var size = EmptySize(f, p);
            var t = ClassTypes.GetValueOrDefault(cls, NdType.Float64);
            return new NdArray(t, size.Reverse().ToArray(), Array.CreateInstance(NdArray.ClrType(t), 0), axesReversed: true);
        }
        var a = f.ReadDataset(p);
        int[] shape = a.Rank == 0 ? [1, 1] : a.Shape;
        if (cls == "logical" && a.Type != NdType.Bool)
        {
            var d = a.ToDouble();
            return new NdArray(NdType.Bool, shape, d.Select(x => x != 0).ToArray(), axesReversed: true);
        }
        return new NdArray(a.Type, shape, a.Data, axesReversed: true);
    }

    /// <summary>Reads a char variable (1×n or n×1) as a string; a char matrix gives its rows joined by '\n'.</summary>
    public static string ReadString(string path, string variable)
    {
        using var f = Open(path);
        var p = VarPath(f, variable);
        string cls = f.HasAttribute(p, "MATLAB_class") ? f.ReadStringAttribute(p, "MATLAB_class") : "";
        if (cls != "char") throw new SarKitInputException($"{f.FilePath}: variable '{variable}' is MATLAB {cls}, expected char.") { SourceFile = f.FilePath, Dataset = p };
        if (IsEmpty(f, p)) return "";
        var a = f.ReadDataset(p);
        var codes = a.ToDouble();
        var size = MatlabSize(a.Shape.Select(x => (long)x).ToArray());
        int rows = size[0], cols = codes.Length / Math.Max(1, rows);
        if (rows == 1 || cols == 1) return new string(codes.Select(c => (char)c).ToArray());
        var sb = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            if (i > 0) sb.Append('\n');
            for (int j = 0; j < cols; j++) sb.Append((char)codes[i + rows * j]);
        }
        return sb.ToString();
    }

    private static string VarPath(Hdf5File f, string variable)
    {
        var p = "/" + variable.TrimStart('/');
        if (!f.IsDataset(p))
        {
            var have = List(f).Select(v => v.Name);
            throw new SarKitInputException($"{f.FilePath}: no MATLAB variable '{variable}' (variables: {string.Join(", ", have)}).") { SourceFile = f.FilePath, Dataset = p };
        }
        return p;
    }

    /// <summary>
    /// Writes the given variables (values: <see cref="NdArray"/> or <see cref="string"/>) as a new MAT-file, atomically;
    /// the header time comes from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, object>> variables, Hdf5WriteOptions? options = null, TimeProvider? time = null)
    {
        using var w = MatFileV73Writer.Create(path, time);
        foreach (var (name, value) in variables)
        {
            switch (value)
            {
                case NdArray a: w.Write(name, a, options); break;
                case string s: w.WriteString(name, s); break;
                default: throw new ArgumentException($"MAT variable '{name}': {value?.GetType().Name ?? "null"} is not supported (NdArray or string).");
            }
        }
        w.Commit();
    }

    /// <summary>The 128-byte MAT-file header for a v7.3 file.</summary>
    internal static byte[] Header(DateTime utc)
    {
        string platform = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "PCWIN64"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "MACI64" : "GLNXA64";
        var text = $"MATLAB 7.3 MAT-file, Platform: {platform}, Created on: {utc.ToString("ddd MMM dd HH:mm:ss yyyy", CultureInfo.InvariantCulture)} HDF5 schema 1.00 .";
        var h = new byte[HeaderBytes];
        Array.Fill(h, (byte)' ', 0, HeaderTextBytes);
        Encoding.ASCII.GetBytes(text, 0, Math.Min(text.Length, HeaderTextBytes), h, 0);
        // bytes 116..123: subsystem data offset (none: zeros); 124..125: version 0x0200 little-endian; 126..127: "IM".
        h[124] = 0x00; h[125] = 0x02; h[126] = (byte)'I'; h[127] = (byte)'M';
        return h;
    }
}

/// <summary>
/// Writes a MATLAB v7.3 MAT-file: an HDF5 file with a 512-byte user block, created beside the target under a temporary name.
/// <see cref="Commit"/> closes it, writes the MAT-file header into the user block and renames it over the target;
/// disposing without Commit deletes the temporary file. Large arrays can be written piecewise with <see cref="CreateVariable"/>
/// and <c>Hdf5.WriteHyperslab</c>.
/// </summary>
public sealed class MatFileV73Writer : IDisposable
{
    private readonly string _target, _tmp;
    private readonly TimeProvider _time;
    private bool _done;

    /// <summary>The underlying HDF5 file (for hyperslab writes into variables made with <see cref="CreateVariable"/>).</summary>
    public Hdf5File Hdf5 { get; }

    private MatFileV73Writer(string target, string tmp, Hdf5File f, TimeProvider time) { _target = target; _tmp = tmp; Hdf5 = f; _time = time; }

    /// <summary>
    /// Starts a MAT-file at <paramref name="path"/> (written beside it, renamed over it by <see cref="Commit"/>); the header's
    /// "Created on" time is read from <paramref name="time"/> at commit (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
    /// </summary>
    public static MatFileV73Writer Create(string path, TimeProvider? time = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"{path}: the folder {dir} does not exist.") { SourceFile = path };
        var tmp = AtomicFile.TempPathFor(full, out _);
        return new MatFileV73Writer(full, tmp, Hdf5File.Create(tmp, MatFileV73.UserBlockBytes), time ?? SarKitSettings.Default.Time);
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63 || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"'{name}' is not a valid MATLAB variable name (a letter, then letters, digits or _, at most 63).");
    }

    private static long[] Hdf5Dims(int[] shape) => shape.Length switch
    {
        0 => [1, 1],
        1 => [1, shape[0]],
        _ => shape.Select(x => (long)x).ToArray(),
    };

    /// <summary>Writes a numeric or logical array; MATLAB will see size = reversed <see cref="NdArray.Shape"/> (see <see cref="MatFileV73"/>).</summary>
    public void Write(string name, NdArray array, Hdf5WriteOptions? options = null)
    {
        CheckName(name);
        var p = "/" + name;
        var dims = Hdf5Dims(array.Shape);
        var mo = (options ?? Hdf5WriteOptions.Default) with { ComplexMemberNames = ("real", "imag") };
        if (array.Count == 0)
        {
            var size = dims.Reverse().Select(x => (ulong)x).ToArray();
            Hdf5.WriteDataset(p, new NdArray(NdType.UInt64, [size.Length], size));
            Hdf5.WriteAttribute(p, "MATLAB_class", MatFileV73.MatlabClass(array.Type), fixedLength: true);
            Hdf5.WriteAttribute(p, "MATLAB_empty", new NdArray(NdType.UInt8, [], new byte[] { 1 }));
            return;
        }
        if (array.Type == NdType.Bool)
        {
            var bytes = ((bool[])array.Data).Select(x => x ? (byte)1 : (byte)0).ToArray();
            Hdf5.WriteDataset(p, new NdArray(NdType.UInt8, dims.Select(x => (int)x).ToArray(), bytes), mo);
            Hdf5.WriteAttribute(p, "MATLAB_class", "logical", fixedLength: true);
            return;
        }
        Hdf5.WriteDataset(p, new NdArray(array.Type, dims.Select(x => (int)x).ToArray(), array.Data), mo);
        Hdf5.WriteAttribute(p, "MATLAB_class", MatFileV73.MatlabClass(array.Type), fixedLength: true);
    }

    /// <summary>
    /// Creates an empty variable of MATLAB size reversed(<paramref name="hdf5Shape"/>) to be filled with
    /// <c>Hdf5.WriteHyperslab</c> (complex variables: interleaved float/double, members real/imag).
    /// </summary>
    public void CreateVariable(string name, NdType type, long[] hdf5Shape, Hdf5WriteOptions? options = null)
    {
        CheckName(name);
        if (type == NdType.Bool) throw new ArgumentException("Create logical variables with Write.");
        var dims = hdf5Shape.Length switch { 0 => new long[] { 1, 1 }, 1 => [1, hdf5Shape[0]], _ => hdf5Shape };
        Hdf5.CreateDataset("/" + name, type, dims, (options ?? Hdf5WriteOptions.Default) with { ComplexMemberNames = ("real", "imag") });
        Hdf5.WriteAttribute("/" + name, "MATLAB_class", MatFileV73.MatlabClass(type), fixedLength: true);
    }

    /// <summary>Writes a 1×n char variable (UTF-16 code units, as MATLAB stores char).</summary>
    public void WriteString(string name, string value)
    {
        CheckName(name);
        var p = "/" + name;
        if (value.Length == 0)
        {
            Hdf5.WriteDataset(p, new NdArray(NdType.UInt64, [2], new ulong[] { 0, 0 }));
            Hdf5.WriteAttribute(p, "MATLAB_class", "char", fixedLength: true);
            Hdf5.WriteAttribute(p, "MATLAB_empty", new NdArray(NdType.UInt8, [], new byte[] { 1 }));
            return;
        }
        Hdf5.WriteDataset(p, new NdArray(NdType.UInt16, [value.Length, 1], value.Select(c => (ushort)c).ToArray()));
        Hdf5.WriteAttribute(p, "MATLAB_class", "char", fixedLength: true);
        Hdf5.WriteAttribute(p, "MATLAB_int_decode", 2);
    }

    /// <summary>Closes the HDF5 file, writes the MAT-file header into the user block and renames the file over the target.</summary>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException("MAT-file already committed.");
        Hdf5.Dispose();
        using (var s = new FileStream(_tmp, FileMode.Open, FileAccess.Write))
            s.Write(MatFileV73.Header(_time.GetUtcNow().UtcDateTime));
        File.Move(_tmp, _target, overwrite: true);
        _done = true;
    }

    /// <summary>Deletes the temporary file unless <see cref="Commit"/> succeeded.</summary>
    public void Dispose()
    {
        if (_done) return;
        Hdf5.Dispose();
        try { File.Delete(_tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _done = true;
    }
}
