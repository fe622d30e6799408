using SarKit.Engines;

namespace SarKit.Surrogate.Fdfd2D;

/// <summary>
/// A random pelvis-like transverse cross-section on an <see cref="FdfdGrid2D"/> with an 8-element array of line sources
/// around it; built deterministically from a seed by <see cref="Generate"/>.
/// </summary>
/// <remarks>
/// <para>Coordinates: x left–right, y posterior (−) to anterior (+), origin at the grid centre. Geometry (all lengths m,
/// drawn uniformly in the ranges given): body ellipse semi-axes a ∈ [0.15, 0.19], b ∈ [0.10, 0.13], centre offset
/// within ±1 cm, rotation within ±6°; subcutaneous fat of lateral thickness ∈ [0.010, 0.035] and antero-posterior
/// thickness ∈ [0.008, 0.030] (muscle core = ellipse with the reduced semi-axes); two femoral heads (cortical bone
/// discs of radius ∈ [0.018, 0.026]) at ±(0.45–0.60)·a_core laterally, y ∈ [−0.25, 0.05]·b_core; a sacrum-like bone
/// ellipse (0.025–0.04 × 0.012–0.02) at y ≈ −0.75·b_core; a bladder (urine) ellipse 0.025–0.055 × 0.018–0.04 at
/// y ∈ [0.15, 0.45]·b_core; a prostate ellipse of radius 0.013–0.022 just posterior to the bladder. Later shapes
/// overwrite earlier ones, all are clipped to the muscle core. Cells are assigned by their centre (no partial volume).</para>
/// <para>Properties: <see cref="PelvisTissues.Nominal"/> with σ and ε_r of each tissue scaled by independent factors
/// ∈ [0.9, 1.1] per phantom (ρ unchanged).</para>
/// <para>Array: 8 z-directed line sources (1 A each, "dipole-like" elements) on the ellipse with semi-axes
/// (a + g, b + g), g ∈ [0.02, 0.035] from the skin along the axes, at angles θ_n = 2π(n + ½)/8 + δ_n, δ_n ∈ ±0.06 rad,
/// n = 0..7 counter-clockwise from +x (channel 1 = n = 0), rotated and shifted with the body.</para>
/// <para>Determinism: <see cref="System.Random"/> with an explicit seed (whose sequence .NET keeps stable), fixed draw
/// order.</para>
/// </remarks>
public sealed class PelvisPhantom2D
{
    /// <summary>Number of array elements (channels).</summary>
    public const int Channels = 8;

    private PelvisPhantom2D(FdfdGrid2D grid, int seed, PelvisTissue[] labels, TissueProperties[] tissues, LineSource2D[] elements, IReadOnlyDictionary<string, double> parameters)
    {
        Grid = grid; Seed = seed; Labels = labels; Tissues = tissues; Elements = elements; Parameters = parameters;
        int n = grid.CellCount;
        EpsilonR = new double[n]; Sigma = new double[n]; Density = new double[n];
        for (int c = 0; c < n; c++)
        {
            var t = tissues[(int)labels[c]];
            EpsilonR[c] = t.EpsilonR; Sigma[c] = t.Sigma; Density[c] = t.Density;
        }
    }

    public FdfdGrid2D Grid { get; }
    public int Seed { get; }
    /// <summary>Label per cell (index i + Nx·j).</summary>
    public PelvisTissue[] Labels { get; }
    /// <summary>Jittered properties of this phantom, indexed by (int)label.</summary>
    public TissueProperties[] Tissues { get; }
    public double[] EpsilonR { get; }
    /// <summary>σ per cell (S/m).</summary>
    public double[] Sigma { get; }
    /// <summary>ρ per cell (kg/m³; 0 in air).</summary>
    public double[] Density { get; }
    /// <summary>The 8 line sources (1 A), channel order.</summary>
    public LineSource2D[] Elements { get; }
    /// <summary>The drawn geometry parameters (m, rad) by name, for the dataset manifest.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>Body (tissue) cells.</summary>
    public bool IsBody(int cell) => Labels[cell] != PelvisTissue.Air;

    public FdfdMaterials2D ToMaterials() => new(Grid, EpsilonR, Sigma);

    /// <summary>Generates the phantom for <paramref name="seed"/>. Throws <see cref="SarKitInputException"/> when the
    /// grid is too small for the body and the array (needs about 0.46 m × 0.34 m inside the PML).</summary>
    public static PelvisPhantom2D Generate(FdfdGrid2D grid, int seed)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var rng = new Random(seed);
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        var p = new Dictionary<string, double>();
        double Draw(string name, double lo, double hi) { double v = U(lo, hi); p[name] = v; return v; }

        double a = Draw("body_a", 0.15, 0.19), b = Draw("body_b", 0.10, 0.13);
        double cx = Draw("body_cx", -0.01, 0.01), cy = Draw("body_cy", -0.01, 0.01), rot = Draw("body_rotation", -0.105, 0.105);
        double fatLat = Draw("fat_lateral", 0.010, 0.035), fatAp = Draw("fat_ap", 0.008, 0.030);
        double ac = a - fatLat, bc = b - fatAp;
        double femR = Draw("femur_radius", 0.018, 0.026), femX = Draw("femur_x", 0.45, 0.60) * ac, femY = Draw("femur_y", -0.25, 0.05) * bc;
        double sacA = Draw("sacrum_a", 0.025, 0.04), sacB = Draw("sacrum_b", 0.012, 0.02), sacY = Draw("sacrum_y", -0.80, -0.70) * bc;
        double blA = Draw("bladder_a", 0.025, 0.055), blB = Draw("bladder_b", 0.018, 0.04);
        double blX = Draw("bladder_x", -0.01, 0.01), blY = Draw("bladder_y", 0.15, 0.45) * bc;
        double prR = Draw("prostate_radius", 0.013, 0.022), prX = Draw("prostate_x", -0.005, 0.005);
        double prY = blY - blB - prR - Draw("prostate_gap", 0.0, 0.006);
        double gap = Draw("array_gap", 0.02, 0.035);
        var tissues = new TissueProperties[PelvisTissues.All.Count];
        foreach (var t in PelvisTissues.All)
        {
            var nom = PelvisTissues.Nominal(t);
            if (t == PelvisTissue.Air) { tissues[0] = nom; continue; }
            double fs = Draw($"{t.ToString().ToLowerInvariant()}_sigma_factor", 0.9, 1.1), fe = Draw($"{t.ToString().ToLowerInvariant()}_eps_factor", 0.9, 1.1);
            tissues[(int)t] = new TissueProperties(nom.Sigma * fs, nom.EpsilonR * fe, nom.Density);
        }
        var elements = new LineSource2D[Channels];
        double cr = Math.Cos(rot), sr = Math.Sin(rot);
        for (int n = 0; n < Channels; n++)
        {
            double th = 2 * Math.PI * (n + 0.5) / Channels + Draw($"element{n + 1}_angle_jitter", -0.06, 0.06);
            double lx = (a + gap) * Math.Cos(th), ly = (b + gap) * Math.Sin(th);
            double x = cx + cr * lx - sr * ly, y = cy + sr * lx + cr * ly;
            double halfX = (grid.Nx - 1) / 2.0 * grid.CellSize, halfY = (grid.Ny - 1) / 2.0 * grid.CellSize;
            if (Math.Abs(x) > halfX || Math.Abs(y) > halfY)
                throw new SarKitInputException($"Pelvis phantom (seed {seed}): element {n + 1} at ({x:F3}, {y:F3}) m is outside the {grid.Nx} × {grid.Ny} grid of {grid.CellSize * 1e3:G4} mm cells (±{halfX:F3}, ±{halfY:F3} m); use at least 0.47 m × 0.35 m, e.g. 128 cells of 3.75 mm or 200 of 2.5 mm.");
            elements[n] = new LineSource2D(x, y);
        }

        var labels = new PelvisTissue[grid.CellCount];
        static bool InEllipse(double x, double y, double x0, double y0, double ea, double eb) { double u = (x - x0) / ea, v = (y - y0) / eb; return u * u + v * v <= 1; }
        for (int j = 0; j < grid.Ny; j++)
            for (int i = 0; i < grid.Nx; i++)
            {
                // body frame
                double gx = grid.X(i) - cx, gy = grid.Y(j) - cy;
                double x = cr * gx + sr * gy, y = -sr * gx + cr * gy;
                var t = PelvisTissue.Air;
                if (InEllipse(x, y, 0, 0, a, b))
                {
                    t = PelvisTissue.Fat;
                    if (InEllipse(x, y, 0, 0, ac, bc))
                    {
                        t = PelvisTissue.Muscle;
                        if (InEllipse(x, y, femX, femY, femR, femR) || InEllipse(x, y, -femX, femY, femR, femR) || InEllipse(x, y, 0, sacY, sacA, sacB)) t = PelvisTissue.Bone;
                        if (InEllipse(x, y, blX, blY, blA, blB)) t = PelvisTissue.Urine;
                        if (InEllipse(x, y, prX, prY, prR, prR * 0.85)) t = PelvisTissue.Prostate;
                    }
                }
                labels[i + grid.Nx * j] = t;
            }
        foreach (var e in elements)
        {
            var (i, j) = grid.CellOf(e.X, e.Y);
            if (labels[i + grid.Nx * j] != PelvisTissue.Air) throw new InvalidOperationException($"Pelvis phantom (seed {seed}): an element lies inside the body.");
        }
        return new PelvisPhantom2D(grid, seed, labels, tissues, elements, p);
    }
}
