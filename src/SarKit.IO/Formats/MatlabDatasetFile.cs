using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;

namespace SarKit.IO.Formats;

/// <summary>
/// A SAR dataset as MATLAB v7.3 variables (docs/hdf5.md), sizes as MATLAB's <c>size()</c> shows them:
/// <c>sigma</c>, <c>rho</c> nx×ny×nz (S/m, kg/m³); <c>E</c> nx×ny×nz×3×nch complex (V/m, peak phasor per unit drive);
/// the grid as <c>edges_x</c>, <c>edges_y</c>, <c>edges_z</c> (m, n+1 cell edges) or as cell centres <c>x</c>, <c>y</c>, <c>z</c>
/// (m) with optional <c>cell_width_x|y|z</c>; optional <c>H</c> (A/m, like E), <c>eps_r</c>, <c>labels</c> (integer),
/// <c>mask_&lt;name&gt;</c> (logical), <c>frequency_hz</c> (or <c>f0_Hz</c>), <c>normalisation</c> (char, as in
/// docs/dataset-format.md; default unspecified). MATLAB's column-major nx×ny×nz is the SarKit voxel order (x fastest), so no data
/// is reordered. MATLAB drops trailing singleton dimensions; a one-channel E of size nx×ny×nz×3 is accepted.
/// </summary>
public static class MatlabDatasetFile
{
    /// <summary>True when the open file (a v7.3 MAT-file) holds sigma, rho and E.</summary>
    internal static bool HasDatasetVariables(Hdf5File f) => f.IsDataset("/sigma") && f.IsDataset("/rho") && f.IsDataset("/E");

    private static VoxelGrid ReadGrid(Hdf5File f)
    {
        try
        {
            if (f.IsDataset("/edges_x") && f.IsDataset("/edges_y") && f.IsDataset("/edges_z"))
                return new VoxelGrid(FieldIO.Vector(f, "/edges_x", "cell edges along x, m"), FieldIO.Vector(f, "/edges_y", "cell edges along y, m"),
                    FieldIO.Vector(f, "/edges_z", "cell edges along z, m"));
            if (f.IsDataset("/x") && f.IsDataset("/y") && f.IsDataset("/z"))
            {
                var x = FieldIO.Vector(f, "/x", "cell centres along x, m");
                var y = FieldIO.Vector(f, "/y", "cell centres along y, m");
                var z = FieldIO.Vector(f, "/z", "cell centres along z, m");
                if (f.IsDataset("/cell_width_x") && f.IsDataset("/cell_width_y") && f.IsDataset("/cell_width_z"))
                    return VoxelGrid.FromCentresAndWidths(x, FieldIO.Vector(f, "/cell_width_x", "cell widths along x, m", x.Length),
                        y, FieldIO.Vector(f, "/cell_width_y", "cell widths along y, m", y.Length),
                        z, FieldIO.Vector(f, "/cell_width_z", "cell widths along z, m", z.Length));
                return VoxelGrid.FromCentres(x, y, z);
            }
        }
        catch (SarKitInputException e) when (e.SourceFile is null)
        {
            throw new SarKitInputException($"{f.FilePath}: grid variables: {e.Message}", e) { SourceFile = f.FilePath, Dataset = "/edges_x" };
        }
        throw new SarKitInputException($"{f.FilePath}: MATLAB variables edges_x, edges_y, edges_z (cell edges, m) or x, y, z (cell centres, m) are missing.")
            { SourceFile = f.FilePath, Dataset = "/edges_x" };
    }

    private static double Frequency(Hdf5File f)
    {
        foreach (var n in new[] { "/frequency_hz", "/f0_Hz" })
            if (f.IsDataset(n))
            {
                var v = MatFileV73.Read(f, n.TrimStart('/'));
                if (v.Count != 1 || v.IsComplex) throw FieldIO.Bad(f, n, $"size {string.Join("×", v.FileShape)}, expected a real scalar (Hz)");
                return v.ToDouble()[0];
            }
        return 0;
    }

    private static FieldNormalisation Normalisation(string path, Hdf5File f)
        => f.IsDataset("/normalisation")
            ? FieldNormalisationExtensions.Parse(MatFileV73.ReadString(path, "normalisation"), $"{path}: variable 'normalisation'")
            : FieldNormalisation.Unspecified;

    /// <summary>Reads and validates a dataset stored as MATLAB v7.3 variables (every field it holds).</summary>
    public static SarDataset Read(string path)
    {
        if (!MatFileV73.IsMatV73(path)) throw new SarKitInputException($"{path}: not a MATLAB v7.3 MAT-file.") { SourceFile = path };
        using var f = Hdf5File.OpenRead(path);
        if (!HasDatasetVariables(f))
            throw new SarKitInputException($"{path}: MATLAB variables sigma, rho and E are required; found {string.Join(", ", MatFileV73.List(f).Select(v => v.ToString()))}.")
                { SourceFile = path, Dataset = new[] { "/sigma", "/rho", "/E" }.First(p => !f.IsDataset(p)) };
        var grid = ReadGrid(f);
        var tissue = new TissueModel(grid, FieldIO.GridMap(f, "/sigma", grid, "conductivity, S/m, nx×ny×nz"),
            FieldIO.GridMap(f, "/rho", grid, "mass density, kg/m³, nx×ny×nz"))
        {
            Source = $"{path}:sigma,rho",
            EpsilonR = f.IsDataset("/eps_r") ? FieldIO.GridMap(f, "/eps_r", grid, "relative permittivity, nx×ny×nz") : null,
            Labels = f.IsDataset("/labels") ? FieldIO.GridMap(f, "/labels", grid, "tissue labels, nx×ny×nz").Select(v => (int)v).ToArray() : null,
        };
        foreach (var v in MatFileV73.List(f).Where(v => v.Name.StartsWith("mask_", StringComparison.Ordinal) && v.IsSupported))
            tissue.SetMask(v.Name["mask_".Length..], FieldIO.GridMap(f, "/" + v.Name, grid, $"mask {v.Name}, nx×ny×nz").Select(x => x != 0).ToArray());
        var norm = Normalisation(path, f);
        var e = FieldIO.ReadField(f, "/E", grid, FieldQuantity.E, norm, allowReal: true);
        var h = f.IsDataset("/H") ? FieldIO.ReadField(f, "/H", grid, FieldQuantity.H, norm, null, e.Channels, allowReal: true) : null;
        var ds = new SarDataset(tissue, e) { H = h, FrequencyHz = Frequency(f), Source = path };
        ds.Provenance["source_files"] = path;
        ds.Provenance["source_layout"] = "MATLAB v7.3";
        return ds.Validate();
    }

    /// <summary>Summary without loading the fields.</summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        var grid = ReadGrid(f);
        var rho = FieldIO.GridMap(f, "/rho", grid, "mass density, kg/m³, nx×ny×nz");
        var e = FieldIO.Require(f, "/E", "E-field");
        int nch = e.Rank == 5 ? (int)e.Shape[0] : 1;
        FieldIO.CheckShape(f, e, [nch, 3, grid.Nz, grid.Ny, grid.Nx], "E, nx×ny×nz×3×nch");
        return new SarDatasetInfo
        {
            Path = path, Layout = DatasetLayout.MatlabV73, Grid = grid, Channels = nch, TissueVoxels = rho.Count(r => r > 0), TissueMassKg = SarDatasetInfo.MassOf(grid, rho),
            Normalisation = Normalisation(path, f), FrequencyHz = Frequency(f), HasH = f.IsDataset("/H"),
            HasEpsilonR = f.IsDataset("/eps_r"), HasLabels = f.IsDataset("/labels"),
            ChannelNames = Enumerable.Range(0, nch).Select(c => $"ch{c}").ToArray(),
            Masks = MatFileV73.List(f).Where(v => v.Name.StartsWith("mask_", StringComparison.Ordinal)).Select(v => v.Name[5..]).ToArray(),
            FieldType = e.TypeDescription,
        };
    }

    /// <summary>Writes a dataset as MATLAB v7.3 variables (E and H as single-precision complex), atomically.</summary>
    public static void Write(SarDataset d, string path, Hdf5WriteOptions? fieldOptions = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        d.Validate();
        var g = d.Grid;
        int[] s3 = [g.Nz, g.Ny, g.Nx];
        using var w = MatFileV73Writer.Create(path);
        w.Write("edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
        w.Write("edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
        w.Write("edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
        w.Write("sigma", new NdArray(NdType.Float64, s3, d.Tissue.Sigma));
        w.Write("rho", new NdArray(NdType.Float64, s3, d.Tissue.Rho));
        if (d.Tissue.EpsilonR is { } eps) w.Write("eps_r", new NdArray(NdType.Float64, s3, eps));
        if (d.Tissue.Labels is { } lab) w.Write("labels", new NdArray(NdType.Int32, s3, lab));
        foreach (var (name, m) in d.Tissue.Masks)
            if (name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && name.Length < 58) w.Write("mask_" + name, new NdArray(NdType.Bool, s3, m));
        w.Write("frequency_hz", new NdArray(NdType.Float64, [], new[] { d.FrequencyHz }));
        w.WriteString("normalisation", d.E.Normalisation.ToId());
        foreach (var (name, field) in new[] { ("E", d.E), ("H", d.H) })
        {
            if (field is null) continue;
            w.CreateVariable(name, NdType.Complex64, [field.Channels, 3, g.Nz, g.Ny, g.Nx], fieldOptions);
            for (int c = 0; c < field.Channels; c++)
                for (int a = 0; a < 3; a++)
                    w.Hdf5.WriteHyperslab<float>("/" + name, field.ComponentData(c, a), [c, a, 0, 0, 0], [1, 1, g.Nz, g.Ny, g.Nx]);
        }
        w.Commit();
    }
}
