using System.Numerics;
using System.Text.Json;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;

namespace SarKit.Tests.Reference;

/// <summary>
/// Loads the independent openEMS 8-channel 7 T reference (../shared/reference/openems-ptx8) with the raw HDF5 wrapper,
/// once per test run. Spatial arrays are [z, y, x] C order = SarKit's linear voxel order.
/// </summary>
internal sealed class Ptx8Reference
{
    public const string File = "openems-ptx8/ptx8_dipoles_7T.h5";
    private static readonly Lazy<Ptx8Reference> _instance = new(() => new Ptx8Reference());
    public static Ptx8Reference Instance => _instance.Value;

    public TissueModel Tissue { get; }
    public MultiChannelField E { get; }
    public string Path { get; }

    private Ptx8Reference()
    {
        Path = SharedData.Reference(File)!;
        using var f = Hdf5File.OpenRead(Path);
        double[] D(string p) => f.ReadDataset(p).ToDouble();
        var grid = VoxelGrid.FromCentresAndWidths(D("/x"), D("/cell_width_x"), D("/y"), D("/cell_width_y"), D("/z"), D("/cell_width_z"));
        Tissue = new TissueModel(grid, D("/sigma"), D("/rho")) { Source = Path };
        var info = f.GetDatasetInfo("/E");
        int nch = (int)info.Shape[0];
        E = new MultiChannelField(grid, nch, FieldQuantity.E, FieldNormalisation.PerVoltIncident) { Source = Path + ":/E" };
        for (int c = 0; c < nch; c++)
            for (int a = 0; a < 3; a++)
                f.ReadInto<float>("/E", E.ComponentData(c, a), [c, a, 0, 0, 0], [1, 1, grid.Nz, grid.Ny, grid.Nx]);
    }

    public SarDataset Dataset => new(Tissue, E);

    public static double[] ReadMap(string file, string dataset)
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(file)!);
        return f.ReadDataset(dataset).ToDouble();
    }

    public static int ReadPad(string file)
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(file)!);
        return (int)f.ReadDataset("/pad").ToDouble()[0];
    }

    /// <summary>The drive of a ref62704 JSON file (complex V peak incident, 1 W total incident power).</summary>
    public static DriveVector ReadDrive(string jsonFile)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(SharedData.Reference(jsonFile)!));
        var b = doc.RootElement.GetProperty("drive_V_per_sqrtW").EnumerateArray()
            .Select(p => new Complex(p[0].GetDouble(), p[1].GetDouble())).ToArray();
        return new DriveVector(b, FieldNormalisation.PerVoltIncident);
    }
}
