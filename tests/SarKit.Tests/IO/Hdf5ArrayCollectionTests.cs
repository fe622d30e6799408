using SarKit.IO;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.IO;

public class Hdf5ArrayCollectionTests
{
    /// <summary>A file written by h5py (the usual way users make one): names, shapes, types, values, complex, groups, text.</summary>
    [H5pyFact]
    public void Reads_the_datasets_of_an_h5py_file_as_named_arrays()
    {
        using var tmp = new TempDir();
        var path = tmp.File("arrays.h5");
        Python.Run("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f["b1"] = (np.arange(12, dtype=np.float64).reshape(3, 4) + 1j * np.arange(12).reshape(3, 4) * 0.5)
                f["mask"] = (np.arange(12).reshape(3, 4) % 3 == 0).astype(np.uint8)
                f.create_group("maps")["rho"] = np.linspace(900, 1100, 6, dtype=np.float32).reshape(2, 3)
                f["note"] = "per unit drive"
            """, path);
        using var c = ArrayCollections.Open(path);
        Assert.IsType<Hdf5ArrayCollection>(c);
        Assert.Equal(new[] { "b1", "maps/rho", "mask", "note" }, c.Names.OrderBy(n => n, StringComparer.Ordinal));
        var b1 = c.Get("b1");
        Assert.True(b1.IsComplex);
        Assert.Equal(new[] { 3, 4 }, b1.Shape);
        var v = b1.Read().ToComplexInterleaved();
        for (int k = 0; k < 12; k++) { Assert.Equal(k, v[2 * k]); Assert.Equal(0.5 * k, v[2 * k + 1]); }
        Assert.Equal(new[] { 1.0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0 }, c.Read("mask").ToDouble());
        var rho = c.Get("/maps/rho").ReadReal<double>();
        Assert.Equal(6, rho.Length);
        Assert.Equal(900, rho[0], 3); Assert.Equal(1100, rho[5], 3); Assert.Equal(940, rho[1], 3);
        Assert.Equal("per unit drive", c.Get("note").ReadText());
        var ex = Assert.Throws<SarKitInputException>(() => c.Get("b1_channels"));
        Assert.Contains("arrays.h5", ex.Message);
        Assert.Contains("b1_channels", ex.Message);
        Assert.Contains("maps/rho", ex.Message);
    }

    [Fact]
    public void Opens_by_content_and_names_missing_or_foreign_files()
    {
        using var tmp = new TempDir();
        var h5 = tmp.File("noext");
        using (var f = SarKit.IO.Hdf5.Hdf5File.Create(h5)) f.WriteDataset("x", new NdArray(NdType.Int32, [2], new[] { 7, 8 }));
        using (var c = ArrayCollections.Open(h5)) Assert.Equal(new[] { 7.0, 8.0 }, c.Read("x").ToDouble());
        var missing = Assert.Throws<SarKitInputException>(() => { ArrayCollections.Open(tmp.File("nope.h5")).Dispose(); });
        Assert.Contains("nope.h5", missing.Message);
        File.WriteAllText(tmp.File("text.h5"), "not hdf5");
        var foreign = Assert.ThrowsAny<Exception>(() => { ArrayCollections.Open(tmp.File("text.h5")).Dispose(); });
        Assert.Contains("text.h5", foreign.Message);
    }
}
