using SarKit.Cli.Commands;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;
using SarKit.Reporting;

namespace SarKit.Cli;

/// <summary>
/// Writes the maps of `sarkit sar -o`: point SAR, averaged SAR and the IEC/IEEE 62704-1 voxel status, each [nz,ny,nx]
/// C order, plus the grid edges, to HDF5 (attributes carry units) or .npz (text members carry units). The file is
/// written to a temporary name in the target folder and renamed when complete.
/// </summary>
internal static class SarMapsFile
{
    public const string FormatId = "sarkit-sar-maps";

    public static void CheckTarget(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5" or ".npz"))
            throw new SarKitInputException($"--output '{path}': unsupported extension '{ext}'; expected .h5, .hdf5 or .npz.") { SourceFile = path };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{path}': the folder {dir} does not exist.") { SourceFile = path };
        if (Directory.Exists(path)) throw new SarKitInputException($"--output '{path}' is a folder, expected a file name.") { SourceFile = path };
    }

    public static void Write(string path, SarDataset ds, SarCommand.Evaluation r, string source)
    {
        CheckTarget(path);
        var g = ds.Grid;
        int[] s3 = [g.Nz, g.Ny, g.Nx];
        var j = r.Json;
        string drive = string.Join(",", j.Drive.Amplitude.Select((a, n) => FormattableString.Invariant($"{a:R}@{j.Drive.PhaseDeg[n]:R}")));
        if (Path.GetExtension(path).Equals(".npz", StringComparison.OrdinalIgnoreCase))
        {
            using var w = NpzWriter.Create(path);
            w.Add("point_sar", new NdArray(NdType.Float64, s3, r.PointSar));
            if (r.AveragedSar is { } a)
            {
                w.Add("averaged_sar", new NdArray(NdType.Float64, s3, a));
                w.Add("status", new NdArray(NdType.UInt8, s3, r.Status!.Select(x => (byte)x).ToArray()));
                w.Add("mass_kg", new NdArray(NdType.Float64, [], new[] { r.MassKg!.Value }));
            }
            w.Add("edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
            w.Add("edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
            w.Add("edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
            w.AddText("sar_unit", "W/kg");
            w.AddText("edges_unit", "m");
            w.AddText("status_legend", "0 background, 1 unused (step 2), 2 used, 3 valid (IEC/IEEE 62704-1)");
            w.AddText("method", j.Method);
            w.AddText("drive", drive);
            w.AddText("drive_unit", j.Drive.Unit);
            w.AddText("source_file", Path.GetFullPath(source));
            w.AddText("sarkit_version", CliApp.Version);
            w.Commit();
            return;
        }
        var tmp = AtomicOutput.TempPathFor(path, out var full);
        try
        {
            using (var f = Hdf5File.Create(tmp))
            {
                f.WriteAttribute("/", "sarkit_format", FormatId);
                f.WriteAttribute("/", "sarkit_format_version", 1);
                f.WriteAttribute("/", "method", j.Method);
                f.WriteAttribute("/", "drive", drive);
                f.WriteAttribute("/", "drive_unit", j.Drive.Unit);
                f.WriteAttribute("/", "normalisation", ds.E.Normalisation.ToId());
                f.WriteAttribute("/", "source_file", Path.GetFullPath(source));
                f.WriteAttribute("/", "sarkit_version", CliApp.Version);
                f.WriteAttribute("/", "created_utc", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
                f.WriteDataset("/point_sar", new NdArray(NdType.Float64, s3, r.PointSar), Hdf5WriteOptions.Compressed);
                f.WriteAttribute("/point_sar", "unit", "W/kg");
                f.WriteAttribute("/point_sar", "description", "local (point) SAR sigma|E|^2/(2 rho) of the drive");
                if (r.AveragedSar is { } a)
                {
                    f.WriteDataset("/averaged_sar", new NdArray(NdType.Float64, s3, a), Hdf5WriteOptions.Compressed);
                    f.WriteAttribute("/averaged_sar", "unit", "W/kg");
                    f.WriteAttribute("/averaged_sar", "mass_kg", r.MassKg!.Value);
                    f.WriteAttribute("/averaged_sar", "description", "IEC/IEEE 62704-1 mass-averaged SAR per voxel");
                    f.WriteDataset("/status", new NdArray(NdType.UInt8, s3, r.Status!.Select(x => (byte)x).ToArray()), Hdf5WriteOptions.Compressed);
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
