using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;

namespace SarKit.IO.Formats;

/// <summary>
/// Reads the assembled openEMS multi-channel dataset layout of SarKit's reference data
/// (the independent 8-channel 7 T openEMS reference file ptx8_dipoles_7T.h5), all arrays C order, spatial index order [z, y, x]:
/// <c>/x, /y, /z</c> cell centres (m), <c>/cell_width_x|y|z</c> (m), <c>/sigma</c>, <c>/rho</c> [nz,ny,nx],
/// <c>/E</c> (and optional <c>/H</c>) [nch,3,nz,ny,nx] complex peak phasors per 1 V peak incident voltage at each
/// channel's port, <c>/S</c> [nch,nch], root attributes <c>f0_Hz</c>, <c>generator</c>, <c>description</c>.
/// The fields are normalised <see cref="FieldNormalisation.PerVoltIncident"/>.
/// </summary>
public static class OpenEmsReferenceReader
{
    /// <summary>True when the open file has the datasets of this layout (/x, /y, /z, /sigma, /rho, /E).</summary>
    public static bool IsReferenceLayout(Hdf5File f)
        => new[] { "/x", "/y", "/z", "/sigma", "/rho", "/E" }.All(f.IsDataset);

    internal static VoxelGrid ReadGrid(Hdf5File f)
    {
        var x = FieldIO.Vector(f, "/x", "cell centres along x, m");
        var y = FieldIO.Vector(f, "/y", "cell centres along y, m");
        var z = FieldIO.Vector(f, "/z", "cell centres along z, m");
        bool widths = f.IsDataset("/cell_width_x") && f.IsDataset("/cell_width_y") && f.IsDataset("/cell_width_z");
        try
        {
            if (!widths) return VoxelGrid.FromCentres(x, y, z);
            return VoxelGrid.FromCentresAndWidths(
                x, FieldIO.Vector(f, "/cell_width_x", "cell widths along x, m", x.Length),
                y, FieldIO.Vector(f, "/cell_width_y", "cell widths along y, m", y.Length),
                z, FieldIO.Vector(f, "/cell_width_z", "cell widths along z, m", z.Length));
        }
        catch (SarKitInputException e) when (e.SourceFile is null)
        {
            throw new SarKitInputException($"{f.FilePath}: /x, /y, /z{(widths ? ", /cell_width_*" : "")}: {e.Message}", e) { SourceFile = f.FilePath, Dataset = "/x" };
        }
    }

    /// <summary>Reads the tissue model and the E-field (and H when present) into a validated <see cref="SarDataset"/>.</summary>
    public static SarDataset Read(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        var (tissue, eStored, hStored) = Describe(f);
        var e = FieldIO.Read(f, eStored);
        var h = hStored is null ? null : FieldIO.Read(f, hStored);
        var ds = new SarDataset(tissue, e)
        {
            H = h, Source = path,
            FrequencyHz = FrequencyOf(f),
        };
        foreach (var key in new[] { "generator", "description" })
            if (f.HasAttribute("/", key) && f.ReadAttributeValue("/", key) is string s) ds.Provenance[key] = s;
        ds.Provenance["source_files"] = path;
        ds.Provenance["source_layout"] = "openEMS reference layout";
        return ds.Validate();
    }

    /// <summary>
    /// The tissue model (read, not yet validated) and the stored E (and H) of an open file of this layout, shapes checked,
    /// values not read.
    /// </summary>
    internal static (TissueModel Tissue, FieldIO.StoredField E, FieldIO.StoredField? H) Describe(Hdf5File f)
    {
        if (!IsReferenceLayout(f)) throw Missing(f);
        var grid = ReadGrid(f);
        var tissue = new TissueModel(grid,
            FieldIO.GridMap(f, "/sigma", grid, "conductivity, S/m"),
            FieldIO.GridMap(f, "/rho", grid, "mass density, kg/m³")) { Source = $"{f.FilePath}:/sigma,/rho" };
        var e = FieldIO.Describe(f, "/E", grid, FieldQuantity.E, FieldNormalisation.PerVoltIncident);
        var h = f.IsDataset("/H") ? FieldIO.Describe(f, "/H", grid, FieldQuantity.H, FieldNormalisation.PerVoltIncident, null, e.Channels) : null;
        return (tissue, e, h);
    }

    internal static double FrequencyOf(Hdf5File f) => f.HasAttribute("/", "f0_Hz") ? f.ReadScalarAttribute("/", "f0_Hz") : 0;

    /// <summary>Summary without loading the fields.</summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!IsReferenceLayout(f)) throw Missing(f);
        var grid = ReadGrid(f);
        var rho = FieldIO.GridMap(f, "/rho", grid, "mass density, kg/m³");
        var e = f.GetDatasetInfo("/E");
        if (e.Rank != 5) throw FieldIO.Bad(f, "/E", $"shape {FieldIO.Shape(e.Shape)}, expected [nch,3,{grid.Nz},{grid.Ny},{grid.Nx}]");
        FieldIO.CheckShape(f, e, [e.Shape[0], 3, grid.Nz, grid.Ny, grid.Nx], "E-field on the grid");
        return new SarDatasetInfo
        {
            Path = path, Layout = DatasetLayout.OpenEmsReference, Grid = grid, Channels = (int)e.Shape[0],
            TissueVoxels = rho.Count(r => r > 0), TissueMassKg = SarDatasetInfo.MassOf(grid, rho), Normalisation = FieldNormalisation.PerVoltIncident,
            FrequencyHz = f.HasAttribute("/", "f0_Hz") ? f.ReadScalarAttribute("/", "f0_Hz") : 0,
            HasH = f.IsDataset("/H"),
            ChannelNames = Enumerable.Range(0, (int)e.Shape[0]).Select(c => $"ch{c}").ToArray(),
            Provenance = SarKitDatasetFile.ReadProvenance(f, "/"), FieldType = e.TypeDescription,
        };
    }

    /// <summary>The scattering matrix /S [nch,nch] (S[m,k] = b_m / a_k at f0), or null when absent.</summary>
    public static Complex[,]? ReadSMatrix(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.IsDataset("/S")) return null;
        var info = f.GetDatasetInfo("/S");
        if (info.Rank != 2 || info.Shape[0] != info.Shape[1]) throw FieldIO.Bad(f, "/S", $"shape {FieldIO.Shape(info.Shape)}, expected a square matrix");
        var d = f.ReadDataset("/S").ToComplexInterleaved();
        int n = (int)info.Shape[0];
        var s = new Complex[n, n];
        for (int m = 0; m < n; m++) for (int k = 0; k < n; k++) s[m, k] = new Complex(d[2 * (m * n + k)], d[2 * (m * n + k) + 1]);
        return s;
    }

    private static SarKitInputException Missing(Hdf5File f)
    {
        var miss = new[] { "/x", "/y", "/z", "/sigma", "/rho", "/E" }.Where(p => !f.IsDataset(p));
        return new SarKitInputException($"{f.FilePath}: not the openEMS reference layout: missing dataset(s) {string.Join(", ", miss)}.")
            { SourceFile = f.FilePath, Dataset = miss.First() };
    }
}
