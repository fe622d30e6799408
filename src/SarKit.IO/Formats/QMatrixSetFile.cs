using System.Numerics;
using System.Security.Cryptography;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>Contents of a SarKit Q-matrix file (docs/qmatrix-format.md), as read back.</summary>
public sealed class QMatrixSetData
{
    /// <summary>Packed Hermitian matrices (<see cref="HermitianPacking"/>), cube-major, W/kg per unit².</summary>
    public required double[] Packed { get; init; }
    public required int Channels { get; init; }
    public required int Count { get; init; }
    /// <summary>Linear voxel index each matrix is tagged with.</summary>
    public required int[] Voxel { get; init; }
    /// <summary>Cube orientation per matrix (7 centred, 1–6 face-centred, 0 for point matrices).</summary>
    public required byte[] Orientation { get; init; }
    public required double TargetMassKg { get; init; }
    public required FieldNormalisation Normalisation { get; init; }
    public required string Kind { get; init; }
    public Dictionary<string, string> Attributes { get; } = new();

    public ReadOnlySpan<double> Matrix(int i) => Packed.AsSpan(i * Channels * Channels, Channels * Channels);

    /// <summary>max over matrices of bᴴQb and the matrix index.</summary>
    public (double Peak, int Index) PeakSar(DriveVector drive)
    {
        if (drive.Channels != Channels) throw new SarKitInputException($"Drive has {drive.Channels} channels, the Q-matrix file has {Channels}.");
        var w = HermitianPacking.DriveWeights(drive.Amplitudes);
        double best = double.NegativeInfinity; int at = -1;
        for (int i = 0; i < Count; i++) { double s = HermitianPacking.QuadraticForm(Matrix(i), w); if (s > best) { best = s; at = i; } }
        return (best, at);
    }
}

/// <summary>
/// Reads and writes Q-matrix sets in HDF5 (docs/qmatrix-format.md): the averaged Q-matrices of every IEC/IEEE 62704-1
/// cube (the input of VOP compression) or point Q-matrices, as complex [count, N, N] arrays readable by h5py and MATLAB,
/// with the cube geometry, voxel statuses and provenance (source file hash, SarKit version).
/// </summary>
public static class QMatrixSetFile
{
    public const string FormatId = "sarkit-qmatrices";
    public const int FormatVersion = 1;

    /// <summary>Writes an averaged Q-matrix set (temporary file, then rename); <c>created_utc</c> from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public static void Write(AveragedQMatrixSet set, string path, string? sourceFile = null, IReadOnlyDictionary<string, string>? attributes = null,
                             TimeProvider? time = null)
        => WriteAveraged(set.Cubes, set.Channels, set.Normalisation, path, f => WriteMatrices(f, set.AllPacked, set.Channels, set.Count), sourceFile, attributes, time);

    /// <summary>
    /// Writes an averaged Q-matrix set whose matrices are produced while the file is written, block by block
    /// (<see cref="AveragedQMatrixSet.Stream"/>): <paramref name="produce"/> is called once with the sink that writes each
    /// block of packed matrices into <c>/matrices</c> at its cube index (in any order); every cube must be written. Same
    /// file, bit for bit, as <see cref="Write(AveragedQMatrixSet, string, string?, IReadOnlyDictionary{string, string}?, TimeProvider?)"/>
    /// of the same matrices; temporary file, then rename.
    /// </summary>
    public static void WriteStreamed(AveragingCubeSet cubes, int channels, FieldNormalisation normalisation, string path,
                                     Action<AveragedQMatrixSet.CubeBlockSink> produce, string? sourceFile = null,
                                     IReadOnlyDictionary<string, string>? attributes = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(cubes); ArgumentNullException.ThrowIfNull(produce);
        int n = channels, count = cubes.CubeCount;
        WriteAveraged(cubes, n, normalisation, path, f =>
        {
            if (count == 0) { WriteMatrices(f, ReadOnlySpan<double>.Empty, n, 0); return; }
            f.CreateDataset("/matrices", NdType.Complex128, [count, n, n], Hdf5WriteOptions.Compressed);
            long written = 0;
            produce((c0, k, packed) =>
            {
                WriteMatrixBlock(f, packed, n, c0, k);
                written += k;
            });
            if (written != count) throw new InvalidOperationException($"{written} of {count} averaged Q-matrices were produced");
        }, sourceFile, attributes, time);
    }

    private static void WriteAveraged(AveragingCubeSet cubes, int n, FieldNormalisation normalisation, string path, Action<Hdf5File> writeMatrices,
                                      string? sourceFile, IReadOnlyDictionary<string, string>? attributes, TimeProvider? time)
    {
        var g = cubes.Grid;
        int count = cubes.CubeCount;
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            WriteHeader(f, "averaged", n, count, normalisation, cubes.Options.TargetMassKg, sourceFile, time);
            f.WriteAttribute("/", "averaging", "IEC/IEEE 62704-1 (steps 1 and 2)");
            f.WriteAttribute("/", "averaged_grid", cubes.GridKind);
            f.WriteAttribute("/", "valid_cubes", cubes.ValidCubeCount);
            if (attributes is not null) foreach (var kv in attributes) f.WriteAttribute("/", kv.Key, kv.Value);
            writeMatrices(f);
            var voxel = new int[count]; var orient = new byte[count]; var mass = new double[count]; var side = new double[count];
            var ijk = new int[3 * count]; var centre = new double[3 * count];
            for (int c = 0; c < count; c++)
            {
                voxel[c] = cubes.CubeVoxel(c); orient[c] = (byte)cubes.CubeOrientation(c); mass[c] = cubes.CubeMassKg(c); side[c] = cubes.CubeSideM(c);
                var (i, j, k) = g.Unravel(voxel[c]);
                ijk[3 * c] = i; ijk[3 * c + 1] = j; ijk[3 * c + 2] = k;
                (centre[3 * c], centre[3 * c + 1], centre[3 * c + 2]) = cubes.CubeCentreM(c);
            }
            f.WriteDataset("/cubes/voxel", new NdArray(NdType.Int32, [count], voxel));
            f.WriteDataset("/cubes/ijk", new NdArray(NdType.Int32, [count, 3], ijk));
            f.WriteDataset("/cubes/orientation", new NdArray(NdType.UInt8, [count], orient));
            f.WriteDataset("/cubes/mass_kg", new NdArray(NdType.Float64, [count], mass));
            f.WriteDataset("/cubes/side_m", new NdArray(NdType.Float64, [count], side));
            f.WriteDataset("/cubes/centre_m", new NdArray(NdType.Float64, [count, 3], centre));
            f.WriteDataset("/voxels/status", new NdArray(NdType.UInt8, [g.Nz, g.Ny, g.Nx], cubes.Status.Select(s => (byte)s).ToArray()), Hdf5WriteOptions.Compressed);
            WriteGrid(f, g);
        });
    }

    /// <summary>Writes point Q-matrices (one per tissue voxel); <c>created_utc</c> from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public static void Write(QMatrixField field, string path, string? sourceFile = null, TimeProvider? time = null)
    {
        int n = field.Channels, count = field.Count;
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            WriteHeader(f, "point", n, count, field.Normalisation, 0, sourceFile, time);
            WriteMatrices(f, field.AllPacked, n, count);
            f.WriteDataset("/cubes/voxel", new NdArray(NdType.Int32, [count], field.VoxelIndices.ToArray()));
            f.WriteDataset("/cubes/orientation", new NdArray(NdType.UInt8, [count], new byte[count]));
            WriteGrid(f, field.Grid);
        });
    }

    private static void WriteHeader(Hdf5File f, string kind, int n, int count, FieldNormalisation norm, double massKg, string? source, TimeProvider? time)
    {
        f.WriteAttribute("/", "sarkit_format", FormatId);
        f.WriteAttribute("/", "sarkit_format_version", FormatVersion);
        f.WriteAttribute("/", "kind", kind);
        f.WriteAttribute("/", "channels", n);
        f.WriteAttribute("/", "count", count);
        f.WriteAttribute("/", "normalisation", norm.ToId());
        f.WriteAttribute("/", "unit", $"W/kg per {norm.DriveUnit()}^2");
        f.WriteAttribute("/", "target_mass_kg", massKg);
        f.WriteAttribute("/", "sarkit_version", SarKitVersion.Current);
        f.WriteAttribute("/", "created_utc", (time ?? SarKitSettings.Default.Time).GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        if (source is not null)
        {
            f.WriteAttribute("/", "source_file", Path.GetFullPath(source));
            if (File.Exists(source)) f.WriteAttribute("/", "source_sha256", Sha256(source));
        }
    }

    private static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }

    // full complex matrices [count, N, N] (row i, column j = Q_ij), complex128 compound {r, i}
    /// <summary>
    /// /matrices [count, n, n] complex128, written in blocks of cubes so that only one block of full matrices exists at a
    /// time (the whole set expanded at once was the largest allocation of a Q-matrix export: 16·n² bytes per cube).
    /// Same dataset, options and values as one <see cref="Hdf5File.WriteDataset"/> of the whole array.
    /// </summary>
    private static void WriteMatrices(Hdf5File f, ReadOnlySpan<double> packed, int n, int count)
    {
        if (count == 0) { f.WriteDataset("/matrices", VopSetFiles.FullComplex(packed, n, count), Hdf5WriteOptions.Compressed); return; }
        f.CreateDataset("/matrices", NdType.Complex128, [count, n, n], Hdf5WriteOptions.Compressed);
        int n2 = n * n, block = Math.Max(1, (8 << 20) / (16 * n2));
        for (int c0 = 0; c0 < count; c0 += block)
        {
            int k = Math.Min(block, count - c0);
            WriteMatrixBlock(f, packed.Slice(c0 * n2, k * n2), n, c0, k);
        }
    }

    private static void WriteMatrixBlock(Hdf5File f, ReadOnlySpan<double> packed, int n, int c0, int k)
    {
        var full = VopSetFiles.FullComplex(packed, n, k);
        f.WriteHyperslab<double>("/matrices", (double[])full.Data, [c0, 0, 0], [k, n, n]);
    }

    private static void WriteGrid(Hdf5File f, SarKit.Grid.VoxelGrid g)
    {
        f.WriteDataset("/grid/edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
        f.WriteDataset("/grid/edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
        f.WriteDataset("/grid/edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
    }

    /// <summary>Reads a Q-matrix file written by <see cref="Write(AveragedQMatrixSet, string, string?, IReadOnlyDictionary{string, string}?, TimeProvider?)"/>; checks every matrix is Hermitian.</summary>
    public static QMatrixSetData Read(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.HasAttribute("/", "sarkit_format") || f.ReadStringAttribute("/", "sarkit_format") != FormatId)
            throw new SarKitInputException($"{path}: not a SarKit Q-matrix file (root attribute sarkit_format is not '{FormatId}').") { SourceFile = path };
        var (packed, n, count) = ReadPacked(f, path);
        var attrs = new QMatrixSetData
        {
            Packed = packed, Channels = n, Count = count,
            Voxel = f.ReadDataset("/cubes/voxel").ToDouble().Select(x => (int)x).ToArray(),
            Orientation = f.ReadDataset("/cubes/orientation").ToDouble().Select(x => (byte)x).ToArray(),
            TargetMassKg = f.ReadScalarAttribute("/", "target_mass_kg"),
            Normalisation = FieldNormalisationExtensions.Parse(f.ReadStringAttribute("/", "normalisation"), path),
            Kind = f.ReadStringAttribute("/", "kind"),
        };
        foreach (var a in f.AttributeNames("/"))
            attrs.Attributes[a] = Convert.ToString(f.ReadAttributeValue("/", a), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return attrs;
    }

    /// <summary>
    /// /matrices [count, N, N] as packed Hermitian matrices (<see cref="HermitianPacking"/>), every matrix checked Hermitian
    /// and finite (<see cref="QMatrixSources.PackFull"/>). complex128 data (what SarKit writes) is read block by block, one
    /// chunk row of the dataset per block (one block of 4096 matrices when stored contiguously), on
    /// <see cref="SarKitSettings.MaxDegreeOfParallelism"/> threads, each with its own reader of the file: a block is
    /// inflated and unshuffled into a buffer of one chunk (cache-resident) and packed from there straight into its place of
    /// the result, so no complex128 array of the whole set (16·K·N² bytes) exists and the chunks decompress in parallel.
    /// The values are those of <see cref="ReadPackedWhole"/> bit for bit (same doubles copied; tests/.../QMatrixSetFileReadTests);
    /// when several matrices are not Hermitian the one with the lowest index is reported, as in the sequential read.
    /// </summary>
    internal static (double[] Packed, int N, int Count) ReadPacked(Hdf5File f, string path)
    {
        var info = f.GetDatasetInfo("/matrices");
        if (info.Rank != 3 || info.Shape[1] != info.Shape[2])
            throw new SarKitInputException($"{path}: /matrices has shape [{string.Join(",", info.Shape)}], expected [count, N, N].") { SourceFile = path, Dataset = "/matrices" };
        if (info.ElementType != NdType.Complex128) return ReadPackedWhole(f, path);
        int count = checked((int)info.Shape[0]), n = checked((int)info.Shape[1]), nn = n * n;
        var packed = GC.AllocateUninitializedArray<double>(checked(count * nn));
        if (count == 0) return (packed, n, count);
        int rows = (int)Math.Clamp(info.ChunkShape?[0] ?? 4096, 1, Math.Max(1, (8 << 20) / (16 * nn)));
        if (info.ChunkShape is { } ch && (ch[1] != n || ch[2] != n)) return ReadPackedWhole(f, path);   // chunks split matrices: read whole
        int blocks = (count + rows - 1) / rows;
        int threads = Math.Clamp(SarKitSettings.Default.MaxDegreeOfParallelism, 1, blocks);
        var errors = new Exception?[blocks];
        var readers = new Hdf5File?[threads];
        try
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var buffer = GC.AllocateUninitializedArray<double>(2 * rows * nn);
                try { readers[t] = t == 0 ? f : Hdf5File.OpenRead(path); }
                catch (Exception e) { errors[t] = e; return; }
                var r = readers[t]!;
                // block b on thread b mod threads: deterministic, and each thread walks the file forwards
                for (int b = t; b < blocks; b += threads)
                {
                    int c0 = b * rows, k = Math.Min(rows, count - c0);
                    try
                    {
                        var z = buffer.AsSpan(0, 2 * k * nn);
                        r.ReadInto<double>("/matrices", z, [c0, 0, 0], [k, n, n]);
                        QMatrixSources.PackFull(z, n, k, columnMajor: false, relTol: 1e-9, packed.AsSpan(c0 * nn, k * nn), path, "/matrices", c0);
                    }
                    catch (Exception e) { errors[b] = e; return; }
                }
            });
        }
        finally { for (int t = 1; t < threads; t++) readers[t]?.Dispose(); }
        foreach (var e in errors)
            if (e is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        return (packed, n, count);
    }

    /// <summary>The whole /matrices array read at once and packed (any complex or real element type).</summary>
    internal static (double[] Packed, int N, int Count) ReadPackedWhole(Hdf5File f, string path)
    {
        var m = f.ReadDataset("/matrices");
        if (m.Rank != 3 || m.Shape[1] != m.Shape[2])
            throw new SarKitInputException($"{path}: /matrices has shape [{string.Join(",", m.Shape)}], expected [count, N, N].") { SourceFile = path, Dataset = "/matrices" };
        int count = m.Shape[0], n = m.Shape[1];
        var packed = new double[(long)count * n * n];
        // complex128 data is already interleaved (re, im): pack straight from the read buffer (no second 16·K·N² B copy)
        var z = m.Type == NdType.Complex128 && m.Data is double[] d ? d : m.ToComplexInterleaved();
        QMatrixSources.PackFull(z, n, count, columnMajor: false, relTol: 1e-9, packed, path, "/matrices", 0);
        return (packed, n, count);
    }
}
