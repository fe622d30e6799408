using SarKit.Grid;

namespace SarKit.Engines;

/// <summary>Shape of the body of a <see cref="VoxelPhantom"/>.</summary>
public enum PhantomBodyShape
{
    /// <summary>Ellipsoid with semi-axes (a, b, c) along (x, y, z).</summary>
    Ellipsoid,
    /// <summary>Elliptical cylinder along z: semi-axes (a, b) in x, y and half-length c, flat ends.</summary>
    EllipticCylinder,
}

/// <summary>
/// Builds a simple analytic voxel phantom on a given <see cref="VoxelGrid"/>: a body (ellipsoid or elliptical
/// cylinder) made of a muscle core inside a fat shell, and optionally a spherical head above it (brain core, skull
/// shell, thin outer fat/scalp shell). Voxels are assigned by their centre (no partial volumes); background has
/// σ = 0, ρ = 0, ε_r = 1, label 0.
/// </summary>
/// <remarks>
/// Shells are made by shrinking the semi-axes by the shell thickness (the inner ellipsoid has semi-axes a − t, b − t,
/// c − t; for the cylinder the ends shrink by t too), so a shell has exactly the given thickness along the axes and
/// is close to it elsewhere. Where the head and body overlap, the head wins.
/// Labels: 0 background, 1 muscle, 2 fat, 3 brain, 4 skull (<see cref="LabelNames"/>).
/// Masks: "body" = all tissue (whole-body mass, head included), "head" = tissue voxels of the head sphere,
/// "trunk" = tissue voxels of the body shape outside the head.
/// </remarks>
public sealed class VoxelPhantom
{
    /// <summary>Tissue label values.</summary>
    public const int BackgroundLabel = 0, MuscleLabel = 1, FatLabel = 2, BrainLabel = 3, SkullLabel = 4;
    /// <summary>Name of the trunk mask (body without the head).</summary>
    public const string TrunkMask = "trunk";

    /// <summary>Names of the labels.</summary>
    public static IReadOnlyDictionary<int, string> LabelNames { get; } = new Dictionary<int, string>
    {
        [BackgroundLabel] = "background", [MuscleLabel] = "muscle", [FatLabel] = "fat", [BrainLabel] = "brain", [SkullLabel] = "skull",
    };

    public VoxelPhantom(VoxelGrid grid) => Grid = grid ?? throw new ArgumentNullException(nameof(grid));

    public VoxelGrid Grid { get; }
    public PhantomBodyShape Shape { get; set; } = PhantomBodyShape.Ellipsoid;
    /// <summary>Centre of the body (m).</summary>
    public (double X, double Y, double Z) BodyCentre { get; set; }
    /// <summary>Semi-axes (a, b, c) of the body along x, y, z (m); c is the half-length for a cylinder.</summary>
    public (double A, double B, double C) BodySemiAxes { get; set; } = (0.16, 0.10, 0.25);
    /// <summary>Thickness of the fat shell around the muscle core (m); 0 = all muscle.</summary>
    public double FatThickness { get; set; } = 0.01;

    /// <summary>Whether to add the spherical head.</summary>
    public bool Head { get; set; }
    /// <summary>Head radius (m).</summary>
    public double HeadRadius { get; set; } = 0.09;
    /// <summary>Head centre (m); null = on the body axis above the body, with its centre 0.9·R above the body's top so
    /// that head and body join.</summary>
    public (double X, double Y, double Z)? HeadCentre { get; set; }
    /// <summary>Skull shell thickness (m), inside the scalp fat shell.</summary>
    public double SkullThickness { get; set; } = 0.006;
    /// <summary>Outer fat (scalp) shell thickness of the head (m).</summary>
    public double ScalpThickness { get; set; } = 0.003;

    /// <summary>Tissue properties (default: Gabriel 1996 at 128 MHz, see <see cref="TissueSet"/>).</summary>
    public TissueSet Tissues { get; set; } = TissueSet.At128MHz;

    /// <summary>The head centre actually used.</summary>
    public (double X, double Y, double Z) EffectiveHeadCentre
        => HeadCentre ?? (BodyCentre.X, BodyCentre.Y, BodyCentre.Z + BodySemiAxes.C + 0.9 * HeadRadius);

    /// <summary>Builds the tissue model (σ, ρ, ε_r, labels, masks "body", "head", "trunk"). Validates the geometry.</summary>
    public TissueModel Build()
    {
        var (a, b, c) = BodySemiAxes;
        Positive(a, "body semi-axis a"); Positive(b, "body semi-axis b"); Positive(c, "body semi-axis c");
        NonNegative(FatThickness, "fat thickness");
        if (FatThickness >= Math.Min(a, Math.Min(b, c)))
            throw new SarKitInputException($"Phantom: fat thickness {FatThickness} m must be smaller than the smallest body semi-axis {Math.Min(a, Math.Min(b, c))} m.");
        var t = Tissues ?? throw new SarKitInputException("Phantom: no tissue properties.");
        t.Muscle.Validate("Phantom muscle"); t.Fat.Validate("Phantom fat"); t.Brain.Validate("Phantom brain"); t.Skull.Validate("Phantom skull");
        double rHead = HeadRadius, rSkull = 0, rBrain = 0;
        if (Head)
        {
            Positive(rHead, "head radius"); NonNegative(SkullThickness, "skull thickness"); NonNegative(ScalpThickness, "scalp thickness");
            rSkull = rHead - ScalpThickness; rBrain = rSkull - SkullThickness;
            if (!(rBrain > 0)) throw new SarKitInputException($"Phantom: skull ({SkullThickness} m) and scalp ({ScalpThickness} m) thicknesses leave no brain in a head of radius {rHead} m.");
        }

        var g = Grid;
        int n = g.VoxelCount, nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var sigma = new double[n]; var rho = new double[n]; var eps = new double[n]; var labels = new int[n];
        var body = new bool[n]; var head = new bool[n]; var trunk = new bool[n];
        var (bx, by, bz) = BodyCentre;
        var (hx, hy, hz) = EffectiveHeadCentre;
        double ia = 1 / a, ib = 1 / b, ic = 1 / c;
        double ma = 1 / (a - FatThickness), mb = 1 / (b - FatThickness), mc = 1 / (c - FatThickness);
        bool cyl = Shape == PhantomBodyShape.EllipticCylinder;
        var props = new[] { default, t.Muscle, t.Fat, t.Brain, t.Skull };

        Parallel.For(0, nz, k =>
        {
            double z = g.CentreZ(k);
            int idx = nx * ny * k;
            for (int j = 0; j < ny; j++)
            {
                double y = g.CentreY(j);
                for (int i = 0; i < nx; i++, idx++)
                {
                    double x = g.CentreX(i);
                    int label = BackgroundLabel;
                    double u = (x - bx), v = (y - by), w = (z - bz);
                    if (cyl)
                    {
                        double q2 = u * u * ia * ia + v * v * ib * ib;
                        if (q2 <= 1 && Math.Abs(w) <= c)
                            label = u * u * ma * ma + v * v * mb * mb <= 1 && Math.Abs(w) * mc <= 1 ? MuscleLabel : FatLabel;
                    }
                    else
                    {
                        if (u * u * ia * ia + v * v * ib * ib + w * w * ic * ic <= 1)
                            label = u * u * ma * ma + v * v * mb * mb + w * w * mc * mc <= 1 ? MuscleLabel : FatLabel;
                    }
                    if (label != BackgroundLabel) trunk[idx] = true;
                    if (Head)
                    {
                        double dx = x - hx, dy = y - hy, dz = z - hz;
                        double r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                        if (r <= rHead)
                        {
                            label = r <= rBrain ? BrainLabel : r <= rSkull ? SkullLabel : FatLabel;
                            head[idx] = true; trunk[idx] = false;
                        }
                    }
                    if (label != BackgroundLabel)
                    {
                        var p = props[label];
                        sigma[idx] = p.Sigma; rho[idx] = p.Density; eps[idx] = p.EpsilonR; body[idx] = true;
                    }
                    else eps[idx] = 1;
                    labels[idx] = label;
                }
            }
        });

        var model = new TissueModel(g, sigma, rho)
        {
            EpsilonR = eps, Labels = labels, LabelNames = LabelNames,
            Source = FormattableString.Invariant($"VoxelPhantom({Shape}, semi-axes {a}×{b}×{c} m, fat {FatThickness} m{(Head ? $", head r={rHead} m" : "")})"),
        };
        model.SetMask(TissueModel.BodyMask, body);
        if (Head) model.SetMask(TissueModel.HeadMask, head);
        model.SetMask(TrunkMask, trunk);
        return model;
    }

    /// <summary>Analytic volumes (m³) of the muscle, fat (body shell + scalp), brain and skull regions of the continuous
    /// geometry, ignoring the head/body overlap. For checking voxelisation.</summary>
    public (double Muscle, double BodyFat, double Brain, double Skull, double Scalp) AnalyticVolumes()
    {
        var (a, b, c) = BodySemiAxes; double t = FatThickness;
        double outer, inner;
        if (Shape == PhantomBodyShape.EllipticCylinder) { outer = Math.PI * a * b * 2 * c; inner = Math.PI * (a - t) * (b - t) * 2 * (c - t); }
        else { outer = 4.0 / 3 * Math.PI * a * b * c; inner = 4.0 / 3 * Math.PI * (a - t) * (b - t) * (c - t); }
        if (!Head) return (inner, outer - inner, 0, 0, 0);
        static double Ball(double r) => 4.0 / 3 * Math.PI * r * r * r;
        double rs = HeadRadius - ScalpThickness, rb = rs - SkullThickness;
        return (inner, outer - inner, Ball(rb), Ball(rs) - Ball(rb), Ball(HeadRadius) - Ball(rs));
    }

    private static void Positive(double v, string what)
    {
        if (!double.IsFinite(v) || v <= 0) throw new SarKitInputException($"Phantom: {what} is {v} m; expected a finite value > 0.");
    }

    private static void NonNegative(double v, string what)
    {
        if (!double.IsFinite(v) || v < 0) throw new SarKitInputException($"Phantom: {what} is {v} m; expected a finite value ≥ 0.");
    }
}
