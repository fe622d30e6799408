using System.Numerics;
using SarKit.Fields;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>One region Q-matrix (whole body, head, exposed region): bᴴQb = absorbed power in the region / region mass.</summary>
/// <param name="Region">"whole_body", "head" or "exposed" (partial body).</param>
/// <param name="Packed">Packed Hermitian matrix (<see cref="HermitianPacking"/>), W/kg per drive unit².</param>
/// <param name="MassKg">Region mass, kg.</param>
public sealed record RegionMatrix(string Region, double[] Packed, double MassKg);

/// <summary>
/// SarKit "global Q" HDF5 file (docs/supervision.md): region-averaged Q-matrices (<see cref="RegionQ"/>) for whole-body, head
/// and partial-body (exposed region) SAR. Root attributes sarkit_format = "sarkit-global-q", sarkit_format_version = 1,
/// channels, normalisation, unit, regions (string array); datasets /matrices complex128 [R, N, N] and /mass_kg float64 [R].
/// </summary>
public static class GlobalQFile
{
    public const string FormatId = "sarkit-global-q";

    /// <summary>Writes region matrices (temporary file, then rename).</summary>
    public static void Write(string path, int channels, FieldNormalisation normalisation, IReadOnlyList<RegionMatrix> regions)
    {
        int n = channels, r = regions.Count;
        var full = new double[r * n * n * 2];
        for (int k = 0; k < r; k++)
        {
            var q = HermitianPacking.Unpack(regions[k].Packed, n);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { full[((k * n + i) * n + j) * 2] = q[i, j].Real; full[((k * n + i) * n + j) * 2 + 1] = q[i, j].Imaginary; }
        }
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            f.WriteAttribute("/", "sarkit_format", FormatId);
            f.WriteAttribute("/", "sarkit_format_version", 1);
            f.WriteAttribute("/", "channels", n);
            f.WriteAttribute("/", "normalisation", normalisation.ToId());
            f.WriteAttribute("/", "unit", $"W/kg per {normalisation.DriveUnit()}^2");
            f.WriteAttribute("/", "regions", regions.Select(x => x.Region).ToArray());
            f.WriteDataset("/matrices", new NdArray(NdType.Complex128, [r, n, n], full));
            f.WriteDataset("/mass_kg", new NdArray(NdType.Float64, [r], regions.Select(x => x.MassKg).ToArray()));
        });
    }

    /// <summary>Reads a global Q file; checks format, shapes and that every matrix is Hermitian.</summary>
    public static (FieldNormalisation Normalisation, int Channels, RegionMatrix[] Regions) Read(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: global Q file not found.") { SourceFile = path };
        using var f = Hdf5File.OpenRead(path);
        if (!f.HasAttribute("/", "sarkit_format") || f.ReadStringAttribute("/", "sarkit_format") != FormatId)
            throw new SarKitInputException($"{path}: not a SarKit global Q file (root attribute sarkit_format is not '{FormatId}').") { SourceFile = path };
        var names = f.ReadStringArrayAttribute("/", "regions");
        var m = f.ReadDataset("/matrices");
        if (m.Rank != 3 || m.Shape[1] != m.Shape[2] || m.Shape[0] != names.Length)
            throw new SarKitInputException($"{path}: /matrices has shape [{string.Join(",", m.Shape)}], expected [{names.Length}, N, N] (one per region).") { SourceFile = path, Dataset = "/matrices" };
        var mass = f.ReadDataset("/mass_kg").ToDouble();
        if (mass.Length != names.Length) throw new SarKitInputException($"{path}: /mass_kg has {mass.Length} entries, expected {names.Length}.") { SourceFile = path, Dataset = "/mass_kg" };
        int n = m.Shape[1];
        var z = m.ToComplexInterleaved();
        var res = new RegionMatrix[names.Length];
        for (int k = 0; k < names.Length; k++)
        {
            var q = new Complex[n, n];
            double scale = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { q[i, j] = new Complex(z[((k * n + i) * n + j) * 2], z[((k * n + i) * n + j) * 2 + 1]); scale = Math.Max(scale, q[i, j].Magnitude); }
            for (int i = 0; i < n; i++) for (int j = i; j < n; j++)
                    if (!((q[i, j] - Complex.Conjugate(q[j, i])).Magnitude <= 1e-9 * scale + 1e-300))
                        throw new SarKitInputException($"{path}: /matrices[{k}] ({names[k]}) is not Hermitian at [{i},{j}].") { SourceFile = path, Dataset = "/matrices" };
            if (!(mass[k] > 0) || !double.IsFinite(mass[k])) throw new SarKitInputException($"{path}: /mass_kg[{k}] ({names[k]}) = {mass[k]} must be finite and positive.") { SourceFile = path, Dataset = "/mass_kg" };
            res[k] = new RegionMatrix(names[k], HermitianPacking.Pack(q), mass[k]);
        }
        return (FieldNormalisationExtensions.Parse(f.ReadStringAttribute("/", "normalisation"), path), n, res);
    }
}
