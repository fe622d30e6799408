using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.IO.Formats;

/// <summary>
/// Opens original Q-matrices for VOP compression and verification (docs/vop-cli.md, "Inputs") as an
/// <see cref="IQMatrixSource"/>:
/// <list type="bullet">
/// <item>SarKit Q-matrix HDF5 (docs/qmatrix-format.md, <c>/matrices</c> complex [count, N, N]): streamed in hyperslabs.</item>
/// <item>MATLAB .mat (v7.3 streamed as HDF5 hyperslabs; v5/v7 read whole): a complex N×N×K array, the layout of the public
/// MATLAB VOP tools (variable <c>matrices</c>, else <c>Q</c>, <c>Q10g</c>, else the only N×N×K numeric variable).</item>
/// <item>NumPy .npz: a complex [K, N, N] member (<c>matrices</c>, <c>q</c>, <c>Q</c>, else the only [K, N, N] member).</item>
/// <item>A synthetic population spec (.json, <see cref="PopulationSpecFile"/>): the matrices are generated on demand.</item>
/// </list>
/// Every matrix is checked to be Hermitian (relative tolerance 1e-9 for double data, 1e-6 for single precision);
/// the packed form takes the diagonal and the upper triangle (<see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>).
/// </summary>
public static class QMatrixSources
{
    /// <summary>Variable names tried, in order, in .mat and .npz inputs.</summary>
    public static readonly string[] PreferredNames = ["matrices", "Q", "q", "q_matrices", "Q10g"];

    /// <summary>Opens a Q-matrix input by extension/content; <paramref name="variable"/> overrides the variable choice for .mat/.npz.</summary>
    public static IQMatrixSource Open(string path, string? variable = null)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: Q-matrix file not found.") { SourceFile = path };
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".json" && PopulationSpecFile.Looks(path)) return PopulationSpecFile.Open(path);
        if (ext == ".npz" || (ext != ".mat" && IsZip(path))) return FromArrays(NpzArchive.Open(path), variable);
        if (MatFileV73.IsMatV73(path)) return new Hdf5Source(path, variable, matlab: true);
        if (ext == ".mat") return FromArrays(MatFile.Open(path), variable);
        if (DatasetFiles.IsHdf5(path)) return new Hdf5Source(path, variable, matlab: false);
        throw new SarKitInputException($"{path}: not a Q-matrix file (expected a SarKit Q-matrix .h5, a MATLAB .mat, a NumPy .npz or a population spec .json).") { SourceFile = path };
    }

    /// <summary>Opens several inputs as one concatenated source (matrix indices run through the files in the given order).</summary>
    public static IQMatrixSource OpenMany(IReadOnlyList<string> paths, string? variable = null)
    {
        if (paths.Count == 1) return Open(paths[0], variable);
        var parts = new List<IQMatrixSource>();
        try { foreach (var p in paths) parts.Add(Open(p, variable)); return new ConcatenatedQMatrixSource(parts); }
        catch { foreach (var p in parts) p.Dispose(); throw; }
    }

    private static bool IsZip(string path)
    {
        var h = new byte[2];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(h, 2, throwOnEndOfStream: false) == 2 && h[0] == 'P' && h[1] == 'K';
    }

    /// <summary>
    /// Packs k full complex N×N matrices given interleaved (re, im). When <paramref name="columnMajor"/> (MATLAB N×N×K read in
    /// C order as [K, N, N]), element [k, a, b] of the data is Q(b, a), otherwise Q(a, b).
    /// </summary>
    internal static void PackFull(ReadOnlySpan<double> z, int n, int k, bool columnMajor, double relTol, Span<double> packedOut, string file, string dataset, long firstIndex)
    {
        int nn = n * n;
        for (int c = 0; c < k; c++)
        {
            var m = z.Slice(2 * c * nn, 2 * nn);
            var p = packedOut.Slice(c * nn, nn);
            double scale = 0;
            for (int t = 0; t < 2 * nn; t++) scale = Math.Max(scale, Math.Abs(m[t]));
            double tol = relTol * scale + 1e-300;
            // element (i, j) of Q at data offset o(i, j)
            for (int i = 0; i < n; i++)
            {
                int o = columnMajor ? 2 * (i * n + i) : 2 * (i * n + i);
                if (!(Math.Abs(m[o + 1]) <= tol))
                    throw NotHermitian(file, dataset, firstIndex + c, i, i, $"imaginary diagonal {m[o + 1]:G6}");
                p[i] = m[o];
            }
            int q = n;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    int oij = columnMajor ? 2 * (j * n + i) : 2 * (i * n + j);
                    int oji = columnMajor ? 2 * (i * n + j) : 2 * (j * n + i);
                    double re = m[oij], im = m[oij + 1];
                    if (!(Math.Abs(re - m[oji]) <= tol && Math.Abs(im + m[oji + 1]) <= tol))
                        throw NotHermitian(file, dataset, firstIndex + c, i, j, $"Q[{i},{j}] = ({re:G6}, {im:G6}) but conj(Q[{j},{i}]) = ({m[oji]:G6}, {-m[oji + 1]:G6})");
                    if (!double.IsFinite(re) || !double.IsFinite(im))
                        throw NotHermitian(file, dataset, firstIndex + c, i, j, "not a finite number");
                    p[q++] = re; p[q++] = im;
                }
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(p[i])) throw NotHermitian(file, dataset, firstIndex + c, i, i, "not a finite number");
        }
    }

    private static SarKitInputException NotHermitian(string file, string dataset, long index, int i, int j, string what)
        => new($"{file}: {dataset} matrix {index} (0-based) is not a Hermitian Q-matrix at [{i},{j}]: {what}.") { SourceFile = file, Dataset = dataset };

    private static IQMatrixSource FromArrays(IArrayCollection arrays, string? variable)
    {
        using (arrays)
        {
            var a = Choose(arrays, variable);
            bool colMajor = a.AxesReversed;
            var shape = colMajor ? a.FileShape : a.Shape;   // MATLAB N×N×K, or NumPy [K, N, N]
            int n, k;
            if (shape.Length == 2 && shape[0] == shape[1]) { n = shape[0]; k = 1; }
            else if (shape.Length == 3 && colMajor && shape[0] == shape[1]) { n = shape[0]; k = shape[2]; }
            else if (shape.Length == 3 && !colMajor && shape[1] == shape[2]) { n = shape[1]; k = shape[0]; }
            else throw new SarKitInputException($"{a.Where}: shape {a.ShapeText}; expected {(colMajor ? "N×N×K (MATLAB)" : "[K, N, N] (NumPy)")} Hermitian matrices.") { SourceFile = arrays.SourceFile, Dataset = a.Name };
            if (n < 1 || k < 1) throw new SarKitInputException($"{a.Where}: no matrices (shape {a.ShapeText}).") { SourceFile = arrays.SourceFile, Dataset = a.Name };
            var z = a.Read().ToComplexInterleaved();
            var packed = new double[(long)k * n * n];
            double tol = a.Type is NdType.Float32 or NdType.Complex64 ? 1e-6 : 1e-9;
            PackFull(z, n, k, colMajor, tol, packed, arrays.SourceFile, a.Name, 0);
            return new PackedQMatrixSource(packed, n, arrays.SourceFile);
        }
    }

    private static StoredArray Choose(IArrayCollection c, string? variable)
    {
        if (variable is not null)
            return c.Find(variable) ?? throw new SarKitInputException($"{c.SourceFile}: no variable '{variable}' (variables: {string.Join(", ", c.Names)}).") { SourceFile = c.SourceFile, Dataset = variable };
        foreach (var name in PreferredNames)
            if (c.Find(name) is { IsText: false } a) return a;
        var cands = c.Names.Select(c.Find).Where(a => a is { IsText: false } && a.Rank == 3).ToList();
        if (cands.Count == 1) return cands[0]!;
        throw new SarKitInputException($"{c.SourceFile}: cannot tell which variable holds the Q-matrices (variables: {string.Join(", ", c.Names)}); name it 'matrices' (N×N×K in MATLAB, [K, N, N] in NumPy).") { SourceFile = c.SourceFile };
    }

    /// <summary>SarKit Q-matrix HDF5 (/matrices [K, N, N]) or MATLAB v7.3 (N×N×K, stored [K, N, N] column-major), read by hyperslab.</summary>
    private sealed class Hdf5Source : IQMatrixSource
    {
        private readonly Hdf5File _f;
        private readonly string _dataset;
        private readonly bool _colMajor;
        private readonly double _tol;
        private double[] _buf = [];

        public Hdf5Source(string path, string? variable, bool matlab)
        {
            _f = Hdf5File.OpenRead(path);
            try
            {
                Description = path;
                _colMajor = matlab;
                if (matlab)
                {
                    var vars = MatFileV73.List(_f);
                    var name = variable ?? PreferredNames.FirstOrDefault(v => vars.Any(x => x.Name == v && x.IsSupported))
                        ?? (vars.Count(x => x.IsSupported && x.MatlabSize.Length == 3) == 1 ? vars.First(x => x.IsSupported && x.MatlabSize.Length == 3).Name : null)
                        ?? throw new SarKitInputException($"{path}: cannot tell which variable holds the Q-matrices (variables: {string.Join(", ", vars.Select(v => v.Name))}); name it 'matrices' (N×N×K).") { SourceFile = path };
                    if (!vars.Any(v => v.Name == name)) throw new SarKitInputException($"{path}: no variable '{name}' (variables: {string.Join(", ", vars.Select(v => v.Name))}).") { SourceFile = path, Dataset = name };
                    _dataset = "/" + name;
                }
                else
                {
                    if (!_f.HasAttribute("/", "sarkit_format") || _f.ReadStringAttribute("/", "sarkit_format") != QMatrixSetFile.FormatId)
                        throw new SarKitInputException($"{path}: not a SarKit Q-matrix file (root attribute sarkit_format is not '{QMatrixSetFile.FormatId}'); write one with `sarkit qmatrices`.") { SourceFile = path };
                    _dataset = variable is null ? "/matrices" : "/" + variable.TrimStart('/');
                    if (_f.HasAttribute("/", "normalisation"))
                        Normalisation = FieldNormalisationExtensions.Parse(_f.ReadStringAttribute("/", "normalisation"), path);
                }
                if (!_f.IsDataset(_dataset)) throw new SarKitInputException($"{path}: dataset {_dataset} not found.") { SourceFile = path, Dataset = _dataset };
                var info = _f.GetDatasetInfo(_dataset);
                string expect = matlab ? "N×N×K (MATLAB)" : "[count, N, N]";
                if (info.ElementType is null) throw new SarKitInputException($"{path}: {_dataset} is {info.TypeDescription}, expected numbers.") { SourceFile = path, Dataset = _dataset };
                if (info.Rank == 3 && info.Shape[1] == info.Shape[2]) { Count = info.Shape[0]; Channels = checked((int)info.Shape[1]); }
                else if (info.Rank == 2 && info.Shape[0] == info.Shape[1]) { Count = 1; Channels = checked((int)info.Shape[0]); }
                else throw new SarKitInputException($"{path}: {_dataset} has shape [{string.Join(",", matlab ? info.Shape.Reverse() : info.Shape)}], expected {expect}.") { SourceFile = path, Dataset = _dataset };
                _rank = info.Rank;
                _complex = info.ElementType is NdType.Complex64 or NdType.Complex128;
                _tol = info.ElementType is NdType.Float32 or NdType.Complex64 ? 1e-6 : 1e-9;
                if (Count < 1) throw new SarKitInputException($"{path}: {_dataset} holds no matrices.") { SourceFile = path, Dataset = _dataset };
            }
            catch { _f.Dispose(); throw; }
        }

        private readonly int _rank;
        private readonly bool _complex;

        public int Channels { get; }
        public long Count { get; }
        public string Description { get; }
        public FieldNormalisation Normalisation { get; } = FieldNormalisation.Unspecified;

        public void Read(long first, Span<double> packedOut)
        {
            int n = Channels, nn = n * n, k = packedOut.Length / nn;
            if (first < 0 || first + k > Count) throw new ArgumentOutOfRangeException(nameof(first));
            if (_buf.Length < 2L * k * nn) _buf = new double[2L * k * nn];
            var z = _buf.AsSpan(0, 2 * k * nn);
            long[] start = _rank == 3 ? [first, 0, 0] : [0, 0], count = _rank == 3 ? [k, n, n] : [n, n];
            if (_complex) _f.ReadInto<double>(_dataset, z, start, count);
            else
            {
                var re = z[(k * nn)..];
                _f.ReadInto<double>(_dataset, re, start, count);
                for (int t = 0; t < k * nn; t++) { z[2 * t] = re[t]; z[2 * t + 1] = 0; }
            }
            PackFull(z, n, k, _colMajor, _tol, packedOut, Description, _dataset, first);
        }

        public void Dispose() => _f.Dispose();
    }
}
