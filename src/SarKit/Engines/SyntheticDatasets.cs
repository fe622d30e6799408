using System.Globalization;
using SarKit.Grid;

namespace SarKit.Engines;

/// <summary>Options of <see cref="SyntheticDatasets.Ptx(SyntheticPtxOptions)"/>.</summary>
public sealed record SyntheticPtxOptions
{
    /// <summary>Number of transmit channels (one point source each; even channels: z-directed electric dipoles,
    /// odd channels: loops facing the body).</summary>
    public int Channels { get; init; } = 8;
    /// <summary>Approximate number of voxels; sets the voxel size when <see cref="Dims"/> and <see cref="VoxelSize"/> are not given.</summary>
    public int ApproxVoxels { get; init; } = 200_000;
    /// <summary>Exact grid dimensions; needs <see cref="VoxelSize"/>. The phantom and array are scaled to fit the box.</summary>
    public (int Nx, int Ny, int Nz)? Dims { get; init; }
    /// <summary>Isotropic voxel size (m). Without <see cref="Dims"/>, the grid covers the unscaled phantom and array.</summary>
    public double? VoxelSize { get; init; }
    /// <summary>Frequency (Hz); default 297.2 MHz (7 T).</summary>
    public double FrequencyHz { get; init; } = 297.2e6;
    /// <summary>Add a spherical head above the trunk.</summary>
    public bool Head { get; init; }
    /// <summary>Seed of the small deterministic perturbations of the source positions and orientations.</summary>
    public int Seed { get; init; }
    public bool IncludeH { get; init; }
    public bool IncludeB1Plus { get; init; }
    /// <summary>Body shape (default elliptical cylinder).</summary>
    public PhantomBodyShape Shape { get; init; } = PhantomBodyShape.EllipticCylinder;
    /// <summary>Tissue properties; default <see cref="TissueSet.At(double)"/> of the frequency (60–310 MHz).</summary>
    public TissueSet? Tissues { get; init; }
    /// <summary>Homogeneous medium of the field engine; default: the muscle of <see cref="Tissues"/>.</summary>
    public HomogeneousMedium? Medium { get; init; }
}

/// <summary>
/// One-call factory of deterministic synthetic multi-channel datasets (no files needed) for tests and benchmarks:
/// a <see cref="VoxelPhantom"/> (elliptical trunk of muscle in fat, optional head) and the closed-form fields of a
/// <see cref="DipoleArrayEngine"/> array on an ellipse around the trunk, normalised per ampere.
/// The fields are those of the sources in a homogeneous medium (not a simulation of the phantom); see
/// docs/field-engine.md.
/// </summary>
/// <remarks>
/// Unscaled geometry: trunk semi-axes 0.16 × 0.10 m, half-length 0.20 m, fat 15 mm; head radius 0.09 m (skull 6 mm,
/// scalp 3 mm) centred 0.081 m above the trunk top; sources on an ellipse with semi-axes 0.20 × 0.14 m in the plane
/// z = 0 (trunk centre); a 0.02 m margin around everything. Source i sits at azimuth 2πi/N (± 2 % of the spacing),
/// z ± 1 cm, tilted up to ±10°, then moved to the nearest voxel corner (so no voxel centre is within half a voxel).
/// Electric dipoles have l = 0.05 m; loops have area A = l/|k| (equal far-field strength).
/// </remarks>
public static class SyntheticDatasets
{
    private const double TrunkA = 0.16, TrunkB = 0.10, TrunkC = 0.20, Fat = 0.015, HeadR = 0.09, Skull = 0.006, Scalp = 0.003;
    private const double CoilGap = 0.04, Margin = 0.02, DipoleLength = 0.05;

    /// <summary>pTx dataset with about <paramref name="approxVoxels"/> voxels (the voxel size follows).</summary>
    public static SarDataset Ptx(int channels = 8, int approxVoxels = 200_000, double frequencyHz = 297.2e6, bool head = false, int seed = 0,
                                 bool includeH = false, bool includeB1Plus = false)
        => Ptx(new SyntheticPtxOptions { Channels = channels, ApproxVoxels = approxVoxels, FrequencyHz = frequencyHz, Head = head, Seed = seed, IncludeH = includeH, IncludeB1Plus = includeB1Plus });

    /// <summary>pTx dataset on an exact grid of <paramref name="dims"/> voxels of size <paramref name="voxelSize"/> (m); the phantom and array are scaled to fit.</summary>
    public static SarDataset Ptx(int channels, (int Nx, int Ny, int Nz) dims, double voxelSize, double frequencyHz, bool head, int seed,
                                 bool includeH = false, bool includeB1Plus = false)
        => Ptx(new SyntheticPtxOptions { Channels = channels, Dims = dims, VoxelSize = voxelSize, FrequencyHz = frequencyHz, Head = head, Seed = seed, IncludeH = includeH, IncludeB1Plus = includeB1Plus });

    /// <summary>pTx dataset from options; deterministic for given options.</summary>
    public static SarDataset Ptx(SyntheticPtxOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Channels < 1) throw new SarKitInputException($"Synthetic dataset: {o.Channels} channels; expected ≥ 1.");
        var tissues = o.Tissues ?? TissueSet.At(o.FrequencyHz);
        var medium = o.Medium ?? HomogeneousMedium.Of(tissues.Muscle, "muscle");

        // Natural (unscaled) extents: x, y cover the coil ellipse, z the trunk (and head), each with a margin.
        double coilA = TrunkA + CoilGap, coilB = TrunkB + CoilGap;
        double zLo = -TrunkC - Margin, zHi = TrunkC + (o.Head ? 1.9 * HeadR : 0) + Margin;
        double lx = 2 * (coilA + Margin), ly = 2 * (coilB + Margin), lz = zHi - zLo;

        double h, s; int nx, ny, nz;
        if (o.Dims is { } d)
        {
            if (o.VoxelSize is not { } vs) throw new SarKitInputException("Synthetic dataset: grid dimensions need a voxel size.");
            h = vs; (nx, ny, nz) = d;
            if (nx < 1 || ny < 1 || nz < 1) throw new SarKitInputException($"Synthetic dataset: grid dimensions {nx}×{ny}×{nz} must be positive.");
            s = Math.Min(nx * h / lx, Math.Min(ny * h / ly, nz * h / lz));
        }
        else
        {
            if (o.VoxelSize is { } vs) h = vs;
            else
            {
                if (o.ApproxVoxels < 1) throw new SarKitInputException($"Synthetic dataset: approximate voxel count {o.ApproxVoxels}; expected ≥ 1.");
                h = Math.Cbrt(lx * ly * lz / o.ApproxVoxels);
            }
            s = 1;
            nx = Math.Max(1, (int)Math.Round(lx / h)); ny = Math.Max(1, (int)Math.Round(ly / h)); nz = Math.Max(1, (int)Math.Round(lz / h));
        }
        if (!double.IsFinite(h) || h <= 0) throw new SarKitInputException($"Synthetic dataset: voxel size {h} m must be finite and > 0.");
        if ((long)nx * ny * nz > int.MaxValue / 2) throw new SarKitInputException($"Synthetic dataset: {nx}×{ny}×{nz} voxels is too many.");

        // Grid centred on the content: x, y centred at 0; z centred on [s·zLo, s·zHi].
        double zMid = 0.5 * s * (zLo + zHi);
        var grid = VoxelGrid.Uniform(nx, ny, nz, h, (-0.5 * nx * h, -0.5 * ny * h, zMid - 0.5 * nz * h));

        var phantom = new VoxelPhantom(grid)
        {
            Shape = o.Shape, BodyCentre = (0, 0, 0), BodySemiAxes = (s * TrunkA, s * TrunkB, s * TrunkC), FatThickness = s * Fat,
            Head = o.Head, HeadRadius = s * HeadR, SkullThickness = s * Skull, ScalpThickness = s * Scalp, Tissues = tissues,
        };
        var tissue = phantom.Build();

        var engine = new DipoleArrayEngine(medium, o.FrequencyHz);
        double loopArea = DipoleLength / engine.Wavenumber.Magnitude;
        var rng = new Random(o.Seed);
        for (int n = 0; n < o.Channels; n++)
        {
            double phi = 2 * Math.PI * n / o.Channels + (rng.NextDouble() - 0.5) * 0.04 * 2 * Math.PI / o.Channels;
            double dz = (rng.NextDouble() - 0.5) * 0.02 * s;
            double tilt = (rng.NextDouble() - 0.5) * 2 * (10 * Math.PI / 180);
            double px = s * coilA * Math.Cos(phi), py = s * coilB * Math.Sin(phi);
            var pos = (Snap(grid.EdgesX, px), Snap(grid.EdgesY, py), Snap(grid.EdgesZ, dz));
            // Inward normal of the ellipse and its tangent.
            double inx = -Math.Cos(phi) / coilA, iny = -Math.Sin(phi) / coilB, inn = Math.Sqrt(inx * inx + iny * iny);
            inx /= inn; iny /= inn;
            double tx = -iny, ty = inx;
            double ct = Math.Cos(tilt), st = Math.Sin(tilt);
            if (n % 2 == 0)
                engine.AddChannel($"ch{n}_dipole", PointSource.ElectricDipole(pos, (st * tx, st * ty, ct), DipoleLength));
            else
                engine.AddChannel($"ch{n}_loop", PointSource.MagneticDipole(pos, (ct * inx, ct * iny, st), loopArea));
        }
        var f = engine.Compute(grid, o.IncludeH, o.IncludeB1Plus);
        var ds = new SarDataset(tissue, f.E) { H = f.H, B1Plus = f.B1Plus, FrequencyHz = o.FrequencyHz, Source = "synthetic" };
        var inv = CultureInfo.InvariantCulture;
        ds.Provenance["generator"] = "SarKit.Engines.SyntheticDatasets.Ptx";
        ds.Provenance["description"] = "Synthetic pTx dataset: closed-form point-source fields in a homogeneous medium (test/benchmark engine, not a simulation) on an analytic phantom";
        ds.Provenance["engine"] = "DipoleArrayEngine";
        ds.Provenance["medium"] = medium.ToString();
        ds.Provenance["frequency_hz"] = o.FrequencyHz.ToString("R", inv);
        ds.Provenance["seed"] = o.Seed.ToString(inv);
        ds.Provenance["phantom"] = tissue.Source;
        ds.Provenance["voxel_size_m"] = h.ToString("R", inv);
        ds.Provenance["sources"] = string.Join("; ", engine.Channels.Select(c => $"{c.Name}: {string.Join(", ", c.Sources)}"));
        return ds;
    }

    /// <summary>Nearest cell edge to <paramref name="v"/> (voxel corners are never within half a voxel of a voxel centre).</summary>
    private static double Snap(ReadOnlySpan<double> edges, double v)
    {
        double best = edges[0];
        foreach (var e in edges) if (Math.Abs(e - v) < Math.Abs(best - v)) best = e;
        return best;
    }
}
