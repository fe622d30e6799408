using SarKit.IO;
using SarKit.Sar;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.IO;

/// <summary>Non-finite values in a global Q file (issue 14): an infinite mass would make the global SAR 0.</summary>
public sealed class GlobalQFileTests : IDisposable
{
    private readonly Cli.TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static double[] Identity2 => HermitianPacking.Pack(new System.Numerics.Complex[,] { { 1, 0 }, { 0, 1 } });

    [Fact]
    public void A_finite_file_round_trips()
    {
        var p = _dir.File("q.h5");
        GlobalQFile.Write(p, 2, FieldNormalisation.PerVoltIncident, [new RegionMatrix("body", Identity2, 50)]);
        var (_, n, regions) = GlobalQFile.Read(p);
        Assert.Equal(2, n);
        Assert.Equal(50, regions[0].MassKg);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    public void A_non_finite_or_zero_mass_is_refused(double mass)
    {
        var p = _dir.File("q.h5");
        GlobalQFile.Write(p, 2, FieldNormalisation.PerVoltIncident, [new RegionMatrix("body", Identity2, mass)]);
        var ex = Assert.Throws<SarKitInputException>(() => GlobalQFile.Read(p));
        Assert.Contains("mass_kg", ex.Message);
    }
}
