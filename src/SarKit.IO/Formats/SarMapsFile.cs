using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Arrays;
using SarKit.IO.Hdf5;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>The SAR maps of one drive as written by <see cref="SarMapsFile"/>, on the dataset's grid (linear voxel order).</summary>
public sealed record SarMaps
{
    /// <summary>The dataset's grid.</summary>
    public required VoxelGrid Grid { get; init; }
    /// <summary>Local (point) SAR σ|E|²/(2ρ), W/kg.</summary>
    public required double[] PointSar { get; init; }
    /// <summary>IEC/IEEE 62704-1 mass-averaged SAR, W/kg; null for point SAR.</summary>
    public double[]? AveragedSar { get; init; }
    /// <summary>IEC/IEEE 62704-1 voxel status; with <see cref="AveragedSar"/>.</summary>
    public VoxelStatus[]? Status { get; init; }
    /// <summary>Averaging mass, kg; with <see cref="AveragedSar"/>.</summary>
    public double? MassKg { get; init; }
    /// <summary><c>"IEC/IEEE 62704-1"</c> or <c>"point"</c>.</summary>
    public required string Method { get; init; }
    /// <summary>The drive as "a0@p0,a1@p1,…" (amplitude in <see cref="DriveUnit"/> @ phase in degrees).</summary>
    public required string Drive { get; init; }
    /// <summary>Unit of the drive amplitudes.</summary>
    public required string DriveUnit { get; init; }
    /// <summary>Field normalisation of the dataset.</summary>
    public required FieldNormalisation Normalisation { get; init; }
    /// <summary>Absolute path of the dataset.</summary>
    public required string SourceFile { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
    /// <summary>Creation time (HDF5 attribute <c>created_utc</c>).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>
/// The SAR maps file of `sarkit sar -o`: point SAR, averaged SAR and the IEC/IEEE 62704-1 voxel status, each [nz,ny,nx]
/// C order, plus the grid edges, to HDF5 (attributes carry units), .npz or MATLAB v7 .mat (text members carry units). The file is
/// written to a temporary name in the target folder and renamed when complete.
/// </summary>
public static class SarMapsFile
{
    public const string FormatId = "sarkit-sar-maps";

    /// <summary>Refuses an output path that is not .h5/.hdf5/.npz/.mat, whose folder is missing, or that is a folder.</summary>
    public static void CheckTarget(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5" or ".npz" or ".mat"))
            throw new SarKitInputException($"--output '{path}': unsupported extension '{ext}'; expected .h5, .hdf5, .npz or .mat.") { SourceFile = path };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{path}': the folder {dir} does not exist.") { SourceFile = path };
        if (Directory.Exists(path)) throw new SarKitInputException($"--output '{path}' is a folder, expected a file name.") { SourceFile = path };
    }

    /// <summary>Writes <paramref name="m"/> to <paramref name="path"/> (.npz, .mat or HDF5 by extension), atomically.</summary>
    public static void Write(string path, SarMaps m)
    {
        ArgumentNullException.ThrowIfNull(m);
        CheckTarget(path);
        var g = m.Grid;
        int[] s3 = [g.Nz, g.Ny, g.Nx];
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".npz" or ".mat")
        {
            // the same named arrays in both: C order [nz, ny, nx] (a MATLAB user sees size [nx, ny, nz], docs/array-formats.md)
            using var npz = ext == ".npz" ? NpzWriter.Create(path) : null;
            using var mat = ext == ".mat" ? MatWriter.Create(path) : null;
            void Add(string name, NdArray a) { if (npz is not null) npz.Add(name, a); else mat!.Add(name, a); }
            void AddText(string name, string text) { if (npz is not null) npz.AddText(name, text); else mat!.AddText(name, text); }
            Add("point_sar", new NdArray(NdType.Float64, s3, m.PointSar));
            if (m.AveragedSar is { } a)
            {
                Add("averaged_sar", new NdArray(NdType.Float64, s3, a));
                Add("status", new NdArray(NdType.UInt8, s3, m.Status!.Select(x => (byte)x).ToArray()));
                Add("mass_kg", new NdArray(NdType.Float64, [], new[] { m.MassKg!.Value }));
            }
            Add("edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
            Add("edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
            Add("edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
            AddText("sar_unit", "W/kg");
            AddText("edges_unit", "m");
            AddText("status_legend", "0 background, 1 unused (step 2), 2 used, 3 valid (IEC/IEEE 62704-1)");
            AddText("method", m.Method);
            AddText("drive", m.Drive);
            AddText("drive_unit", m.DriveUnit);
            AddText("source_file", m.SourceFile);
            AddText("sarkit_version", m.SarkitVersion);
            if (npz is not null) npz.Commit(); else mat!.Commit();
            return;
        }
        var tmp = AtomicOutput.TempPathFor(path, out var full);
        try
        {
            using (var f = Hdf5File.Create(tmp))
            {
                f.WriteAttribute("/", "sarkit_format", FormatId);
                f.WriteAttribute("/", "sarkit_format_version", 1);
                f.WriteAttribute("/", "method", m.Method);
                f.WriteAttribute("/", "drive", m.Drive);
                f.WriteAttribute("/", "drive_unit", m.DriveUnit);
                f.WriteAttribute("/", "normalisation", m.Normalisation.ToId());
                f.WriteAttribute("/", "source_file", m.SourceFile);
                f.WriteAttribute("/", "sarkit_version", m.SarkitVersion);
                f.WriteAttribute("/", "created_utc", m.CreatedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
                f.WriteDataset("/point_sar", new NdArray(NdType.Float64, s3, m.PointSar), Hdf5WriteOptions.Compressed);
                f.WriteAttribute("/point_sar", "unit", "W/kg");
                f.WriteAttribute("/point_sar", "description", "local (point) SAR sigma|E|^2/(2 rho) of the drive");
                if (m.AveragedSar is { } a)
                {
                    f.WriteDataset("/averaged_sar", new NdArray(NdType.Float64, s3, a), Hdf5WriteOptions.Compressed);
                    f.WriteAttribute("/averaged_sar", "unit", "W/kg");
                    f.WriteAttribute("/averaged_sar", "mass_kg", m.MassKg!.Value);
                    f.WriteAttribute("/averaged_sar", "description", "IEC/IEEE 62704-1 mass-averaged SAR per voxel");
                    f.WriteDataset("/status", new NdArray(NdType.UInt8, s3, m.Status!.Select(x => (byte)x).ToArray()), Hdf5WriteOptions.Compressed);
                    f.WriteAttribute("/status", "legend", "0 background, 1 unused (step 2), 2 used, 3 valid (IEC/IEEE 62704-1)");
                }
                f.WriteDataset("/grid/edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
                f.WriteDataset("/grid/edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
                f.WriteDataset("/grid/edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
                foreach (var axis in new[] { "x", "y", "z" }) f.WriteAttribute($"/grid/edges_{axis}", "unit", "m");
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
