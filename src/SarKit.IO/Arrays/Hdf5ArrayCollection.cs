using System.Numerics;
using SarKit.IO.Hdf5;

namespace SarKit.IO.Arrays;

/// <summary>
/// The datasets of a plain HDF5 file (e.g. written by h5py: <c>f["b1_channels"] = arr</c>) as named arrays, so that
/// commands taking "an .npz with arrays a, b, c" take the same arrays from an .h5 file. Names are dataset paths without
/// the leading '/' ("b1", "maps/b1"). HDF5 stores C (row-major) order, the order h5py and the NumPy convention use, so
/// shapes are as written (no axis reversal); complex compound {r,i}/{real,imag} datasets read as complex. String datasets
/// are text. Dispose to close the file.
/// </summary>
public sealed class Hdf5ArrayCollection : IArrayCollection
{
    private readonly Hdf5File _file;
    private readonly Dictionary<string, StoredArray> _arrays = new(StringComparer.Ordinal);
    private readonly List<string> _names = new();

    private Hdf5ArrayCollection(string path, Hdf5File file)
    {
        SourceFile = path; _file = file;
        foreach (var e in file.ListRecursive("/"))
        {
            if (e.Kind != Hdf5ObjectKind.Dataset) continue;
            var info = file.GetDatasetInfo(e.Path);
            if (info.ElementType is null && !info.IsString) continue; // other datatypes (opaque, references) are not arrays
            var name = e.Path.TrimStart('/');
            var shape = info.Shape.Select(d => checked((int)d)).ToArray();
            _arrays[name] = new Hdf5StoredArray(name, path, file, e.Path, info.ElementType ?? NdType.UInt8, shape, info.IsString);
            _names.Add(name);
        }
    }

    /// <summary>Opens an HDF5 file read-only; a missing file or one that is not HDF5 is a <see cref="SarKitInputException"/> naming it.</summary>
    public static Hdf5ArrayCollection Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"HDF5 file '{path}' does not exist.") { SourceFile = path };
        var f = Hdf5File.OpenRead(path);
        try { return new Hdf5ArrayCollection(path, f); }
        catch { f.Dispose(); throw; }
    }

    public string SourceFile { get; }
    public IReadOnlyList<string> Names => _names;
    public StoredArray? Find(string name) => _arrays.GetValueOrDefault(name.TrimStart('/'));
    public void Dispose() => _file.Dispose();

    private sealed class Hdf5StoredArray(string name, string source, Hdf5File file, string path, NdType type, int[] shape, bool text)
        : StoredArray(name, source, type, shape, axesReversed: false, isText: text)
    {
        protected override void ReadData(Array data)
        {
            var nd = file.ReadDataset(path);
            if (nd.Data.GetType() == data.GetType() && nd.Data.Length == data.Length) Array.Copy(nd.Data, data, data.Length);
            else throw new SarKitInputException($"{Where}: read {nd.Type} [{string.Join(",", nd.Shape)}], expected {Type} {ShapeText}.") { SourceFile = SourceFile, Dataset = Name };
        }

        protected override void StreamChunks<T>(ChunkHandler<T> handler)
        {
            var nd = file.ReadDataset(path);
            var v = nd.IsComplex ? nd.ToComplexInterleaved() : nd.ToDouble();
            var values = new T[v.Length];
            for (int i = 0; i < v.Length; i++) values[i] = T.CreateChecked(v[i]);
            handler(0, values, values.Length, nd.IsComplex ? ValuePart.Interleaved : ValuePart.Real);
        }

        protected override string ReadTextCore() => string.Join('\n', file.ReadStrings(path));
    }
}

/// <summary>Opens a file of named arrays by extension or content: .npz, MATLAB .mat (v5/v7), or HDF5 (.h5, .hdf5).</summary>
public static class ArrayCollections
{
    /// <summary>.h5/.hdf5 (or an HDF5 signature) → <see cref="Hdf5ArrayCollection"/>; otherwise <see cref="OpenNpzOrMat"/> (.npz, .mat).</summary>
    public static IArrayCollection Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"Array file '{path}' does not exist.") { SourceFile = path };
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".h5" or ".hdf5" || HasHdf5Signature(path)) return Hdf5ArrayCollection.Open(path);
        return OpenNpzOrMat(path);
    }

    /// <summary>Opens an .npz archive or a MAT-file as a collection of named arrays.</summary>
    public static IArrayCollection OpenNpzOrMat(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"Array file '{path}' does not exist.") { SourceFile = path };
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npz") return NpzArchive.Open(path);
        if (ext == ".mat") return MatFile.Open(path);
        if (ext == ".npy") throw new SarKitInputException($"'{path}': a .npy file holds a single array; a dataset needs several named arrays — use np.savez(...) to write an .npz.") { SourceFile = path };
        var head = new byte[8];
        using (var fs = File.OpenRead(path)) fs.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (head[0] == 'P' && head[1] == 'K') return NpzArchive.Open(path);
        if (head.AsSpan(0, 6).SequenceEqual("MATLAB"u8)) return MatFile.Open(path);
        throw new SarKitInputException($"'{path}' is neither an .npz archive nor a MATLAB MAT-file.") { SourceFile = path };
    }

    /// <summary>The member of that name; a <see cref="SarKitInputException"/> listing the members when absent.</summary>
    public static StoredArray Get(this IArrayCollection c, string name) => c.Find(name)
        ?? throw new SarKitInputException($"'{c.SourceFile}' has no array '{name}' (members: {string.Join(", ", c.Names)}).") { SourceFile = c.SourceFile, Dataset = name };

    /// <summary>Reads one member completely.</summary>
    public static NdArray Read(this IArrayCollection c, string name) => c.Get(name).Read();

    private static bool HasHdf5Signature(string path)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];
        Span<byte> head = stackalloc byte[8];
        using var fs = File.OpenRead(path);
        return fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(signature);
    }
}
