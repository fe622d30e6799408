using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;

namespace SarKit.IO.Formats;

/// <summary>Contents of one openEMS HDF5 frequency-domain field dump.</summary>
public sealed class OpenEmsFieldDumpData
{
    public required VoxelGrid Grid { get; init; }
    /// <summary>One-channel field (E for dump types 10/29, H for type 11), peak phasor, per (channel, component) interleaved.</summary>
    public required MultiChannelField Field { get; init; }
    /// <summary>Conductivity from /CellData/Conductivity (S/m), or null when the dump has no cell data.</summary>
    public double[]? Sigma { get; init; }
    /// <summary>Density from /CellData/Density (kg/m³), or null.</summary>
    public double[]? Rho { get; init; }
    /// <summary>Cell volumes from /CellData/Volume (m³), or null.</summary>
    public double[]? Volume { get; init; }
    /// <summary>Frequency of the dumped field in Hz (from the /FieldData/FD attribute 'frequency'), 0 when absent.</summary>
    public double FrequencyHz { get; init; }
    public required string Source { get; init; }

    /// <summary>Tissue model from the cell data; throws when the dump has none (only SAR raw-data dumps, type 29, carry it).</summary>
    public TissueModel Tissue() => Sigma is null || Rho is null
        ? throw new SarKitInputException($"{Source}: /CellData/Conductivity and /CellData/Density are missing (only openEMS SAR raw-data dumps, type 29, hold the tissue).") { SourceFile = Source, Dataset = "/CellData" }
        : new TissueModel(Grid, Sigma, Rho) { Source = $"{Source}:/CellData" };
}

/// <summary>
/// Reads raw openEMS HDF5 field dumps (openEMS_HDF5_version 0.2; layout in docs/hdf5.md), C order,
/// index order [z][y][x]: <c>/Mesh/x|y|z</c> cell centres (m) of a cell-interpolated dump,
/// <c>/FieldData/FD/f{k}_real</c> and <c>f{k}_imag</c> (3, nz, ny, nx) float32 (peak phasor in raw DFT units, V/m·s for E),
/// <c>/FieldData/FD</c> attribute <c>frequency</c>, and for SAR raw-data dumps (type 29)
/// <c>/CellData/Conductivity</c>, <c>/CellData/Density</c>, <c>/CellData/Volume</c> (nz, ny, nx).
/// Divide by the same run's complex incident port voltage (openEMS <c>port.uf_inc</c>) to get V/m per 1 V peak incident.
/// </summary>
public static class OpenEmsFieldDump
{
    /// <summary>True when the open file looks like an openEMS field dump (/Mesh/x and /FieldData/FD exist).</summary>
    public static bool IsFieldDump(Hdf5File f) => f.IsDataset("/Mesh/x") && f.IsGroup("/FieldData/FD");

    /// <summary>
    /// Reads frequency <paramref name="frequencyIndex"/> of a dump as one channel. When <paramref name="incidentVoltage"/> is
    /// given the field is divided by it and normalised <see cref="FieldNormalisation.PerVoltIncident"/>; otherwise it stays in raw
    /// units with <see cref="FieldNormalisation.Unspecified"/>.
    /// </summary>
    public static OpenEmsFieldDumpData Read(string path, Complex? incidentVoltage = null, FieldQuantity quantity = FieldQuantity.E,
        int frequencyIndex = 0, string? channelName = null)
    {
        if (quantity == FieldQuantity.B1Plus) throw new ArgumentException("openEMS dumps hold E or H vector fields.", nameof(quantity));
        using var f = Hdf5File.OpenRead(path);
        if (!IsFieldDump(f))
            throw new SarKitInputException($"{path}: not an openEMS field dump (expected /Mesh/x, /Mesh/y, /Mesh/z and the group /FieldData/FD).")
                { SourceFile = path, Dataset = f.IsDataset("/Mesh/x") ? "/FieldData/FD" : "/Mesh/x" };
        string re = $"/FieldData/FD/f{frequencyIndex}_real", im = $"/FieldData/FD/f{frequencyIndex}_imag";
        var volume = f.IsDataset("/CellData/Volume") ? f.ReadDataset("/CellData/Volume") : null;
        var grid = ReadGrid(f, volume);
        var norm = incidentVoltage is null ? FieldNormalisation.Unspecified : FieldNormalisation.PerVoltIncident;
        if (incidentVoltage is { } u && (u == Complex.Zero || !double.IsFinite(u.Real) || !double.IsFinite(u.Imaginary)))
            throw new SarKitInputException($"{path}: incident voltage {u} cannot normalise the field.") { SourceFile = path };
        var field = new MultiChannelField(grid, 1, quantity, norm, [channelName ?? Path.GetFileNameWithoutExtension(path)]) { Source = $"{path}:{re}" };
        long[] shape = [3, grid.Nz, grid.Ny, grid.Nx];
        foreach (var p in new[] { re, im })
        {
            var info = FieldIO.Require(f, p, $"{(p == re ? "real" : "imaginary")} part of the field at frequency index {frequencyIndex}");
            FieldIO.CheckShape(f, info, shape, "(3, nz, ny, nx) on /Mesh");
            if (info.ElementType is null or NdType.Complex64 or NdType.Complex128 or NdType.Bool)
                throw FieldIO.Bad(f, p, $"type {info.TypeDescription}, expected float32/float64");
        }
        int nv = grid.VoxelCount;
        var part = new float[nv];
        Complex scale = incidentVoltage is { } v ? 1 / v : Complex.One;
        for (int a = 0; a < 3; a++)
        {
            var dst = field.ComponentData(0, a);
            f.ReadInto<float>(re, part, [a, 0, 0, 0], [1, grid.Nz, grid.Ny, grid.Nx]);
            for (int i = 0; i < nv; i++) dst[2 * i] = part[i];
            f.ReadInto<float>(im, part, [a, 0, 0, 0], [1, grid.Nz, grid.Ny, grid.Nx]);
            for (int i = 0; i < nv; i++) dst[2 * i + 1] = part[i];
            if (scale != Complex.One)
                for (int i = 0; i < nv; i++)
                {
                    var z = new Complex(dst[2 * i], dst[2 * i + 1]) * scale;
                    dst[2 * i] = (float)z.Real; dst[2 * i + 1] = (float)z.Imaginary;
                }
        }
        double freq = 0;
        if (f.HasAttribute("/FieldData/FD", "frequency"))
        {
            var fr = f.ReadAttribute("/FieldData/FD", "frequency").ToDouble();
            if (frequencyIndex < fr.Length) freq = fr[frequencyIndex];
        }
        double[]? Cell(string name) => f.IsDataset("/CellData/" + name) ? FieldIO.GridMap(f, "/CellData/" + name, grid, name) : null;
        return new OpenEmsFieldDumpData
        {
            Grid = grid, Field = field, Source = path, FrequencyHz = freq,
            Sigma = Cell("Conductivity"), Rho = Cell("Density"), Volume = volume is null ? null : Cell("Volume"),
        };
    }

    /// <summary>
    /// Reads one dump per channel (same mesh) into one multi-channel field; <paramref name="incidentVoltages"/> (one per
    /// channel, the run's uf_inc) normalise each channel to V/m per 1 V peak incident.
    /// </summary>
    public static MultiChannelField ReadChannels(IReadOnlyList<string> paths, IReadOnlyList<Complex>? incidentVoltages = null, FieldQuantity quantity = FieldQuantity.E)
    {
        if (paths.Count == 0) throw new SarKitInputException("No openEMS dump files given.");
        if (incidentVoltages is not null && incidentVoltages.Count != paths.Count)
            throw new SarKitInputException($"{paths.Count} dump files but {incidentVoltages.Count} incident voltages.");
        MultiChannelField? result = null;
        for (int c = 0; c < paths.Count; c++)
        {
            var d = Read(paths[c], incidentVoltages?[c], quantity, 0, $"ch{c}");
            result ??= new MultiChannelField(d.Grid, paths.Count, quantity, d.Field.Normalisation, Enumerable.Range(0, paths.Count).Select(k => $"ch{k}").ToArray())
                { Source = string.Join(", ", paths) };
            if (!d.Grid.Equals(result.Grid))
                throw new SarKitInputException($"{paths[c]}: mesh {d.Grid} differs from {paths[0]} ({result.Grid}).") { SourceFile = paths[c], Dataset = "/Mesh" };
            for (int a = 0; a < 3; a++) d.Field.ComponentData(0, a).CopyTo(result.ComponentData(c, a), 0);
        }
        return result!;
    }

    /// <summary>Reads a dump holding tissue (type 29) as a one-channel dataset.</summary>
    public static SarDataset ReadDataset(string path, Complex? incidentVoltage = null)
    {
        var d = Read(path, incidentVoltage);
        var ds = new SarDataset(d.Tissue(), d.Field) { FrequencyHz = d.FrequencyHz, Source = path };
        ds.Provenance["source_files"] = path;
        ds.Provenance["source_layout"] = "openEMS field dump";
        return ds.Validate();
    }

    /// <summary>Summary of a dump without loading the field.</summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        var volume = f.IsDataset("/CellData/Volume") ? f.ReadDataset("/CellData/Volume") : null;
        var grid = ReadGrid(f, volume);
        var rho = f.IsDataset("/CellData/Density") ? FieldIO.GridMap(f, "/CellData/Density", grid, "Density") : null;
        double freq = f.HasAttribute("/FieldData/FD", "frequency") ? f.ReadAttribute("/FieldData/FD", "frequency").ToDouble().FirstOrDefault() : 0;
        return new SarDatasetInfo
        {
            Path = path, Layout = DatasetLayout.OpenEmsFieldDump, Grid = grid, Channels = 1,
            TissueVoxels = rho?.Count(r => r > 0) ?? 0, TissueMassKg = rho is null ? double.NaN : SarDatasetInfo.MassOf(grid, rho), Normalisation = FieldNormalisation.Unspecified, FrequencyHz = freq,
            ChannelNames = [Path.GetFileNameWithoutExtension(path)],
            FieldType = f.IsDataset("/FieldData/FD/f0_real") ? f.GetDatasetInfo("/FieldData/FD/f0_real").TypeDescription : "",
        };
    }

    /// <summary>
    /// Cell edges from the mesh centres. With /CellData/Volume (V[k,j,i] = wx[i]·wy[j]·wz[k]) the width ratios along each
    /// axis come from the volumes and the scale from the centre spacings (c[i+1] − c[i] = (w[i] + w[i+1])/2), which is exact for
    /// non-uniform meshes; without volumes the edges are placed midway between centres (exact for uniform meshes).
    /// </summary>
    internal static VoxelGrid ReadGrid(Hdf5File f, NdArray? volume)
    {
        var x = FieldIO.Vector(f, "/Mesh/x", "cell centres along x, m");
        var y = FieldIO.Vector(f, "/Mesh/y", "cell centres along y, m");
        var z = FieldIO.Vector(f, "/Mesh/z", "cell centres along z, m");
        try
        {
            if (volume is null || x.Length < 2 || y.Length < 2 || z.Length < 2) return VoxelGrid.FromCentres(x, y, z);
            if (!volume.Shape.SequenceEqual([z.Length, y.Length, x.Length]))
                throw FieldIO.Bad(f, "/CellData/Volume", $"shape {FieldIO.Shape(volume.Shape.Select(s => (long)s))}, expected [{z.Length},{y.Length},{x.Length}]");
            var v = volume.ToDouble();
            int nx = x.Length, ny = y.Length;
            double[] Widths(double[] c, Func<int, double> vol)
            {
                var r = new double[c.Length];
                for (int i = 0; i < c.Length; i++) r[i] = vol(i) / vol(0);
                double num = 0, den = 0;
                for (int i = 0; i + 1 < c.Length; i++) { num += c[i + 1] - c[i]; den += 0.5 * (r[i] + r[i + 1]); }
                double w0 = num / den;
                for (int i = 0; i < r.Length; i++) r[i] *= w0;
                return r;
            }
            var wx = Widths(x, i => v[i]);
            var wy = Widths(y, j => v[j * nx]);
            var wz = Widths(z, k => v[k * nx * ny]);
            return VoxelGrid.FromCentresAndWidths(x, wx, y, wy, z, wz);
        }
        catch (SarKitInputException e) when (e.SourceFile is null)
        {
            throw new SarKitInputException($"{f.FilePath}: /Mesh: {e.Message}", e) { SourceFile = f.FilePath, Dataset = "/Mesh" };
        }
    }
}
