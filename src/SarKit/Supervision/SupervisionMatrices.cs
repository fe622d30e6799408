using SarKit.Compression;
using SarKit.Fields;

namespace SarKit.Supervision;

/// <summary>
/// Turns VOP sets, full Q-matrix sets and region Q files into <see cref="SarObservable"/>s, failing closed: a VOP set
/// without a valid certificate (<see cref="VopSet.HasValidCertificate"/>) or matrices without a known drive unit are refused.
/// </summary>
public static class SupervisionMatrixSets
{
    /// <summary>Drive unit of a normalisation; refuses <see cref="FieldNormalisation.Unspecified"/>.</summary>
    public static string DriveUnitOf(FieldNormalisation n, string source) => n == FieldNormalisation.Unspecified
        ? throw new SarKitInputException($"{source}: the matrices have no drive normalisation (unit unknown); SAR supervision needs W/kg per V², √W² or A².")
        : DriveUnits.Normalise(n.DriveUnit(), source);

    /// <summary>
    /// Local SAR observable from a certified VOP set; throws when the certificate is missing, failed or does not match, and
    /// when the set is not of true SAR (<see cref="VopSarBasis.IsNotTrueSar"/>, e.g. surrogate-derived) unless
    /// <paramref name="acceptNotTrueSar"/> (fail closed).
    /// </summary>
    public static SarObservable FromVops(VopSet vops, SarMetric metric, string source, bool acceptNotTrueSar = false)
    {
        if (!vops.HasValidCertificate(out var why))
            throw new SarKitInputException($"{source}: refusing an uncertified VOP set: {why}.") { SourceFile = source };
        if (VopSarBasis.IsNotTrueSar(vops) && !acceptNotTrueSar)
            throw new SarKitInputException($"{source}: refusing the VOP set: {VopSarBasis.Describe(vops)}; supervision against it needs an explicit opt-in.") { SourceFile = source };
        var basis = VopSarBasis.Describe(vops) is { } b ? $"; {b}" : "";
        return new SarObservable($"VOPs ({Path.GetFileName(source)}{basis})", metric, vops.Channels, vops.Packed, DriveUnitOf(vops.Normalisation, source));
    }

    /// <summary>Single-channel B1-to-SAR calibration k (W/kg per µT²) as a 1×1 matrix in µT.</summary>
    public static SarObservable FromB1Calibration(SarMetric metric, double wPerKgPerMicroTesla2)
    {
        if (!(wPerKgPerMicroTesla2 >= 0) || !double.IsFinite(wPerKgPerMicroTesla2))
            throw new SarKitInputException($"B1-to-SAR calibration for {metric.Id()} = {wPerKgPerMicroTesla2} W/kg/µT² must be a non-negative number.");
        return new SarObservable($"B1 calibration {metric.Id()}", metric, 1, [wPerKgPerMicroTesla2], "uT");
    }
}
