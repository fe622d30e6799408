using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Cli;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

/// <summary>NaN and ±Infinity stored in a SarKit dataset file (E, H, B1+, σ, ρ, ε_r) are refused where the file is loaded (issue 14).</summary>
public sealed class SarKitDatasetFiniteTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Copies every group, dataset and attribute of <paramref name="src"/>, replacing element <paramref name="index"/> of <paramref name="dataset"/> by <paramref name="value"/>.</summary>
    internal static void CopyWith(string src, string dst, string dataset, int index, double value)
        => Copy(src, dst, (w, path, a) =>
        {
            if (path != dataset) return Written.No;
            switch (a.Data)
            {
                case double[] d: d[index] = value; break;
                case float[] f: f[index] = (float)value; break;
                default: throw new InvalidOperationException(path);
            }
            return Written.No;
        });

    /// <summary>What a <see cref="Copy"/> callback did with a dataset.</summary>
    internal enum Written { No, DatasetCopyAttributes, LinkSkipAttributes }

    /// <summary>
    /// Copies every group, dataset and attribute of <paramref name="src"/>; <paramref name="dataset"/> may change an array
    /// before it is written (return <see cref="Written.No"/>), or write the dataset itself — e.g. with missing chunks
    /// (<see cref="Written.DatasetCopyAttributes"/>) or as an external link (<see cref="Written.LinkSkipAttributes"/>).
    /// </summary>
    internal static void Copy(string src, string dst, Func<Hdf5File, string, NdArray, Written> dataset)
    {
        using var r = Hdf5File.OpenRead(src);
        using var w = Hdf5File.Create(dst);
        foreach (var e in r.ListRecursive("/").Prepend(new Hdf5Entry("", "/", Hdf5ObjectKind.Group)))
        {
            if (e.Kind == Hdf5ObjectKind.Group) w.CreateGroup(e.Path);
            else if (e.Kind == Hdf5ObjectKind.Dataset)
            {
                var a = r.ReadDataset(e.Path);
                var done = dataset(w, e.Path, a);
                if (done == Written.LinkSkipAttributes) continue;
                if (done == Written.No) w.WriteDataset(e.Path, a);
            }
            else continue;
            foreach (var name in r.AttributeNames(e.Path))
                switch (r.ReadAttributeValue(e.Path, name))
                {
                    case string s: w.WriteAttribute(e.Path, name, s); break;
                    case string[] s: w.WriteAttribute(e.Path, name, s); break;
                    case NdArray x: w.WriteAttribute(e.Path, name, x); break;
                }
        }
    }

    [Theory]
    [InlineData("/tissue/sigma", 7, double.NaN, "sigma")]
    [InlineData("/tissue/rho", 3, double.PositiveInfinity, "rho")]
    [InlineData("/tissue/eps_r", 4, double.NaN, "eps_r")]
    [InlineData("/tissue/eps_r", 5, double.NegativeInfinity, "eps_r")]
    [InlineData("/fields/E", 11, double.NaN, "E")]
    [InlineData("/fields/E", 12, double.PositiveInfinity, "E")]
    [InlineData("/fields/H", 2, double.NaN, "H")]
    [InlineData("/fields/B1plus", 1, double.NegativeInfinity, "B1")]
    public void Non_finite_values_in_a_SarKit_file_are_refused_on_load(string dataset, int index, double value, string named)
    {
        var seed = _dir.File("seed.h5");
        SarKitDatasetFile.Write(SarKitDatasetFileTests.Sample(true), seed);
        var bad = _dir.File("bad.h5");
        CopyWith(seed, bad, dataset, index, value);
        var ex = Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Read(bad));
        Assert.Contains(named, ex.Message);
        var cli = CliRunner.Run("sar", "-f", bad, "-d", "1,1", "-m", "point");
        Assert.Equal(2, cli.ExitCode);
    }
}
