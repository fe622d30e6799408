using SarKit.Grid;

namespace SarKit.Averaging;

/// <summary>
/// The drive-independent geometry of IEC/IEEE 62704-1 spatial averaging for one tissue model and target mass:
/// every valid step-1 cube (centred on a tissue voxel, grown to the target mass with a fractional last layer, ≤ 10 %
/// background volume, every face touching tissue, inside the domain), the voxel statuses (VALID, USED, UNUSED), and for
/// every UNUSED voxel the step-2 face-centred cubes kept by the 1.05 × smallest-volume rule.
/// <para>
/// Which cubes exist depends on mass only; which cube gives a USED or UNUSED voxel its value depends on the SAR
/// distribution. So the cube set is computed once and then applied to any additive quantity: a scalar SAR map
/// (<see cref="CubeAverages(System.ReadOnlySpan{double})"/>, <see cref="VoxelMap"/>) or the Q-matrix field
/// (<see cref="AveragedQMatrixSet"/>). psSAR = max over all cubes of the cube averages.
/// </para>
/// <para>
/// Cubes are continuous: side s, voxel weights = product of per-axis overlap fractions (equal to the standard's
/// whole layers plus k/k²/k³ weights of the last layer). s is solved so the cube mass equals the target to ~1e-12
/// (whole-layer cubes within the 1e-6 tolerance are kept whole, as the standard allows). On non-cubic voxels the cube is
/// still a physical cube (a generalisation; the standard assumes cubic voxels).
/// </para>
/// <para>
/// Rectilinear (graded) grids: the same cubes in physical space. A voxel's weight is the fraction of its physical volume
/// inside the cube (per-axis overlap fractions of its own width), masses are ρ·(physical voxel volume), the 10 %
/// background rule and the step-2 1.05 volume rule use physical volumes, "entirely inside" (USED) means > 99.9 % of the
/// voxel's physical volume. Uniform grids take the uniform path unchanged (<see cref="IsRectilinear"/> false).
/// See docs/averaging.md, "Rectilinear grids".
/// </para>
/// </summary>
public sealed class AveragingCubeSet
{
    internal Box3[] Boxes = [];
    internal double[] Masses = [];
    internal int[] CubeVoxelIdx = [];
    internal CubeOrientation[] Orientations = [];
    internal int[] VoxelFirstCube = [];      // VALID: own cube; UNUSED: first step-2 candidate; else −1
    internal byte[] VoxelCubeCount = [];
    internal int[] BoundaryCubes = [];       // valid cubes that contain at least one USED voxel
    internal int[] UsedVoxels = [];          // linear indices of USED voxels
    internal int[] UsedSlot = [];            // voxel → slot in UsedVoxels, −1 otherwise
    internal int[] UsedRows = [];
    internal TissueRegion Region = null!;    // tissue bounding box + 1 voxel: where the summed-volume tables live            // per-row prefix counts of USED voxels, (nx+1) per row

    public VoxelGrid Grid { get; }
    public AveragingOptions Options { get; }
    /// <summary>IEC status per voxel.</summary>
    public VoxelStatus[] Status { get; }
    /// <summary>Number of cubes; cubes [0, <see cref="ValidCubeCount"/>) are valid step-1 cubes, the rest step-2 candidates.</summary>
    public int CubeCount => Boxes.Length;
    public int ValidCubeCount { get; private set; }
    /// <summary>UNUSED voxels for which no step-2 cube fits in the domain (they get their local SAR; conservative).</summary>
    public int VoxelsWithoutCube { get; private set; }
    /// <summary>Voxel width along x (m) on a uniform grid; on a rectilinear grid the width of the first cell (use <see cref="VoxelVolume"/>).</summary>
    public double VoxelSizeX { get; }
    /// <summary>Voxel width along y (m); see <see cref="VoxelSizeX"/>.</summary>
    public double VoxelSizeY { get; }
    /// <summary>Voxel width along z (m); see <see cref="VoxelSizeX"/>.</summary>
    public double VoxelSizeZ { get; }
    /// <summary>True when the cubes were built on a rectilinear (graded) grid with per-cell widths; false for a uniform grid.</summary>
    public bool IsRectilinear => _axes is not null;
    /// <summary>"uniform" or "rectilinear": the grid kind that was averaged.</summary>
    public string GridKind => IsRectilinear ? "rectilinear" : "uniform";
    private readonly CubeAxis[]? _axes;
    private readonly double _uniformVolume;

    /// <summary>Physical volume (m³) of voxel <paramref name="v"/> as the averaging weighs it (mass = ρ × this volume).</summary>
    public double VoxelVolume(int v) => _axes is null ? _uniformVolume : Grid.VoxelVolume(v);

    internal CubeShape Shape(int i, int j, int k, CubeOrientation o)
        => _axes is null ? new CubeShape(i, j, k, o, VoxelSizeX, VoxelSizeY, VoxelSizeZ) : new CubeShape(i, j, k, o, _axes[0], _axes[1], _axes[2]);

    /// <summary>Volume of a box: voxel units on a uniform grid, m³ on a rectilinear grid (only compared with each other).</summary>
    internal double BoxVolume(in Box3 b)
        => _axes is null ? b.Volume : PhysicalLength(0, b.X0, b.X1) * PhysicalLength(1, b.Y0, b.Y1) * PhysicalLength(2, b.Z0, b.Z1);

    private double PhysicalLength(int axis, double lo, double hi)
        => _axes is null ? (hi - lo) * (axis == 0 ? VoxelSizeX : axis == 1 ? VoxelSizeY : VoxelSizeZ) : _axes[axis].ToPhysical(hi) - _axes[axis].ToPhysical(lo);

    private double PhysicalCentre(int axis, double lo, double hi)
    {
        if (_axes is not null) return 0.5 * (_axes[axis].ToPhysical(lo) + _axes[axis].ToPhysical(hi));
        return axis switch
        {
            0 => Grid.EdgesX[0] + 0.5 * (lo + hi) * VoxelSizeX,
            1 => Grid.EdgesY[0] + 0.5 * (lo + hi) * VoxelSizeY,
            _ => Grid.EdgesZ[0] + 0.5 * (lo + hi) * VoxelSizeZ,
        };
    }

    /// <summary>Physical centre of a cube (metres).</summary>
    public (double X, double Y, double Z) CubeCentreM(int cube)
    {
        var b = Boxes[cube];
        return (PhysicalCentre(0, b.X0, b.X1), PhysicalCentre(1, b.Y0, b.Y1), PhysicalCentre(2, b.Z0, b.Z1));
    }

    /// <summary>Tagged voxel (centre voxel for step 1, the averaged UNUSED voxel for step 2) of a cube.</summary>
    public int CubeVoxel(int cube) => CubeVoxelIdx[cube];
    public CubeOrientation CubeOrientation(int cube) => Orientations[cube];
    /// <summary>Cube mass in kg (target within the tolerance).</summary>
    public double CubeMassKg(int cube) => Masses[cube];
    /// <summary>Cube side in metres.</summary>
    public double CubeSideM(int cube) => PhysicalLength(0, Boxes[cube].X0, Boxes[cube].X1);
    /// <summary>Cube volume in m³.</summary>
    public double CubeVolumeM3(int cube) => _axes is null ? Boxes[cube].Volume * VoxelSizeX * VoxelSizeY * VoxelSizeZ : BoxVolume(Boxes[cube]);
    /// <summary>The cube as a box in continuous voxel-index coordinates.</summary>
    public Box3 CubeBox(int cube) => Boxes[cube];

    /// <summary>Number of voxels with each status.</summary>
    public (int Valid, int Used, int Unused, int Background) StatusCounts()
    {
        int va = 0, u = 0, un = 0, bg = 0;
        foreach (var s in Status)
            switch (s) { case VoxelStatus.Valid: va++; break; case VoxelStatus.Used: u++; break; case VoxelStatus.Unused: un++; break; default: bg++; break; }
        return (va, u, un, bg);
    }

    private AveragingCubeSet(VoxelGrid grid, AveragingOptions options, VoxelStatus[] status, bool rectilinear)
    {
        Grid = grid; Options = options; Status = status;
        VoxelSizeX = grid.WidthX(0); VoxelSizeY = grid.WidthY(0); VoxelSizeZ = grid.WidthZ(0);
        _uniformVolume = VoxelSizeX * VoxelSizeY * VoxelSizeZ;
        if (rectilinear) _axes = [new CubeAxis(grid.EdgesX), new CubeAxis(grid.EdgesY), new CubeAxis(grid.EdgesZ)];
    }

    /// <summary>Builds the cube set of a tissue model (IEC/IEEE 62704-1 steps 1 and 2).</summary>
    public static AveragingCubeSet Build(TissueModel tissue, AveragingOptions? options = null, IProgress<double>? progress = null)
        => Build(tissue, options, progress, directSums: false);

    /// <param name="tissue">Tissue model on a uniform or rectilinear grid.</param>
    /// <param name="options">Target mass and 62704-1 parameters.</param>
    /// <param name="progress">Optional progress in [0, 1].</param>
    /// <param name="directSums">Integrate every box by looping over its voxels instead of using summed-volume tables (the
    /// straightforward method; same result, cost ∝ cube volume). For benchmarks and cross-checks.</param>
    /// <param name="forceRectilinear">Take the rectilinear path (per-cell widths) even on a uniform grid (tests, benchmarks).</param>
    internal static AveragingCubeSet Build(TissueModel tissue, AveragingOptions? options, IProgress<double>? progress, bool directSums, bool forceRectilinear = false)
    {
        options ??= new AveragingOptions();
        if (!(options.TargetMassKg > 0)) throw new SarKitInputException($"Averaging mass must be positive, got {options.TargetMassKg} kg.");
        var grid = tissue.Grid;
        bool rectilinear = forceRectilinear || !grid.IsUniform(1e-6);
        tissue.Validate();
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, nv = grid.VoxelCount;
        double M = options.TargetMassKg, tol = options.MassTolerance;
        var status = new VoxelStatus[nv];
        for (int v = 0; v < nv; v++) if (tissue.Rho[v] > 0) status[v] = VoxelStatus.Unused;
        var set = new AveragingCubeSet(grid, options, status, rectilinear);

        int nTissue = 0;
        for (int v = 0; v < nv; v++) if (tissue.Rho[v] > 0) nTissue++;
        var tissueList = new int[nTissue];
        for (int v = 0, t = 0; v < nv; v++) if (tissue.Rho[v] > 0) tissueList[t++] = v;
        // Tables only cover the tissue's bounding box plus one voxel of background: outside it every tabulated quantity is 0.
        var region = TissueRegion.Of(tissue.Rho, grid);
        set.Region = region;
        var rho = tissue.Rho;
        // pm: mass ρ·V per voxel; pt: tissue indicator (faces touch tissue; on a uniform grid also the tissue volume in voxel
        // units); pv: tissue volume in m³ for the background rule on a rectilinear grid
        IVoxelIntegral pm, pt, pv;
        if (directSums)
        {
            var mass = new double[nv];
            var ind = new double[nv];
            var tv = rectilinear ? new double[nv] : ind;
            foreach (var v in tissueList) { mass[v] = rho[v] * set.VoxelVolume(v); ind[v] = 1; if (rectilinear) tv[v] = set.VoxelVolume(v); }
            pm = new DirectVoxelSum(mass, nx, ny, nz);
            pt = new DirectVoxelSum(ind, nx, ny, nz);
            pv = rectilinear ? new DirectVoxelSum(tv, nx, ny, nz) : pt;
        }
        else
        {
            pm = region.Table(v => rho[v] > 0 ? rho[v] * set.VoxelVolume(v) : 0);
            pt = region.Table(v => rho[v] > 0 ? 1 : 0);
            pv = rectilinear ? region.Table(v => rho[v] > 0 ? set.VoxelVolume(v) : 0) : pt;
        }


        // ---- step 1: centred cubes
        // Fast exact path: where every voxel the cube touches has the centre's density, its mass is ρ·s³, so s = (M/ρ)^(1/3)
        // in closed form, background is 0 and every face is tissue. Homogeneity of a box is checked exactly with summed
        // counts of density changes between neighbours along x, y and z.
        var homogeneous = directSums ? null : new DensityChanges(tissue.Rho, region, nx, ny, nz);
        var ok = new bool[nTissue];
        var boxes = new Box3[nTissue];
        var cm = new double[nTissue];
        int done = 0;
        Parallel.For(0, nTissue, t =>
        {
            int v = tissueList[t];
            var (i, j, k) = grid.Unravel(v);
            var shape = set.Shape(i, j, k, Averaging.CubeOrientation.Centred);
            if (homogeneous is not null && homogeneous.TrySolve(shape, M, tol, tissue.Rho[v], out var hbox, out double hm))
            {
                ok[t] = true; boxes[t] = hbox; cm[t] = hm;
            }
            else if (Solve(shape, pm, M, tol, tissue.Rho[v], nx, ny, nz, out var box, out double m)
                && BackgroundFraction(pv, set.BoxVolume(box), box) <= options.MaxBackgroundFraction
                && FacesTouchTissue(pt, box))
            {
                ok[t] = true; boxes[t] = box; cm[t] = m;
            }
            if (progress is not null && (Interlocked.Increment(ref done) & 0xFFFF) == 0) progress.Report(0.8 * done / nTissue);
        });

        var cubes = new List<(Box3 Box, double Mass, int Voxel, CubeOrientation O)>(nTissue);
        var first = new int[nv]; Array.Fill(first, -1);
        var count = new byte[nv];
        for (int t = 0; t < nTissue; t++)
        {
            if (!ok[t]) continue;
            int v = tissueList[t];
            first[v] = cubes.Count; count[v] = 1;
            status[v] = VoxelStatus.Valid;
            cubes.Add((boxes[t], cm[t], v, Averaging.CubeOrientation.Centred));
        }
        int nValid = cubes.Count;
        boxes = null!; cm = null!; ok = null!;

        // ---- USED voxels: entirely (weight > 0.999) inside a valid cube, not VALID themselves.
        // Rows (j, k) without any non-VALID tissue voxel in the cube's x-range are skipped via per-row prefix counts.
        var nonValidRows = RowPrefix(nx, ny, nz, v => status[v] == VoxelStatus.Unused);
        var boundary = new bool[nValid];
        double wIn = options.InsideWeight;
        Parallel.For(0, nValid, c =>
        {
            var b = cubes[c].Box;
            if (!InnerRange(b, wIn, out int i0, out int i1, out int j0, out int j1, out int k0, out int k1)) return;
            for (int k = k0; k <= k1; k++)
            {
                double oz = Overlap(k, b.Z0, b.Z1);
                for (int j = j0; j <= j1; j++)
                {
                    int rowStart = (nx + 1) * (j + ny * k);
                    if (nonValidRows[rowStart + i1 + 1] == nonValidRows[rowStart + i0]) continue;
                    boundary[c] = true;
                    double oyz = oz * Overlap(j, b.Y0, b.Y1);
                    int row = nx * (j + ny * k);
                    for (int i = i0; i <= i1; i++)
                    {
                        int v = row + i;
                        if (status[v] == VoxelStatus.Unused && oyz * Overlap(i, b.X0, b.X1) > wIn) status[v] = VoxelStatus.Used;
                    }
                }
            }
        });
        progress?.Report(0.85);

        // ---- step 2: face-centred cubes for UNUSED voxels
        var unused = tissueList.Where(v => status[v] == VoxelStatus.Unused).ToArray();
        var cand = new (Box3 Box, double Mass)[unused.Length * 6];
        var candOk = new bool[unused.Length * 6];
        double ratio = options.Step2VolumeRatio;
        Parallel.For(0, unused.Length, u =>
        {
            int v = unused[u];
            var (i, j, k) = grid.Unravel(v);
            double vmin = double.PositiveInfinity;
            for (int o = 0; o < 6; o++)
            {
                var shape = set.Shape(i, j, k, (CubeOrientation)(o + 1));
                if (Solve(shape, pm, M, tol, tissue.Rho[v], nx, ny, nz, out var box, out double m))
                {
                    cand[6 * u + o] = (box, m); candOk[6 * u + o] = true;
                    vmin = Math.Min(vmin, set.BoxVolume(box));
                }
            }
            for (int o = 0; o < 6; o++)
                if (candOk[6 * u + o] && set.BoxVolume(cand[6 * u + o].Box) > ratio * vmin) candOk[6 * u + o] = false;
        });
        int noCube = 0;
        for (int u = 0; u < unused.Length; u++)
        {
            int v = unused[u];
            int start = cubes.Count;
            for (int o = 0; o < 6; o++)
                if (candOk[6 * u + o]) cubes.Add((cand[6 * u + o].Box, cand[6 * u + o].Mass, v, (CubeOrientation)(o + 1)));
            if (cubes.Count > start) { first[v] = start; count[v] = (byte)(cubes.Count - start); }
            else noCube++;
        }

        set.Boxes = cubes.Select(c => c.Box).ToArray();
        set.Masses = cubes.Select(c => c.Mass).ToArray();
        set.CubeVoxelIdx = cubes.Select(c => c.Voxel).ToArray();
        set.Orientations = cubes.Select(c => c.O).ToArray();
        set.ValidCubeCount = nValid;
        set.VoxelFirstCube = first;
        set.VoxelCubeCount = count;
        set.VoxelsWithoutCube = noCube;
        set.BoundaryCubes = Enumerable.Range(0, nValid).Where(c => boundary[c]).ToArray();
        var used = new List<int>();
        var slot = new int[nv]; Array.Fill(slot, -1);
        for (int v = 0; v < nv; v++) if (status[v] == VoxelStatus.Used) { slot[v] = used.Count; used.Add(v); }
        set.UsedVoxels = used.ToArray();
        set.UsedSlot = slot;
        set.UsedRows = RowPrefix(nx, ny, nz, v => slot[v] >= 0);
        progress?.Report(1.0);
        return set;
    }

    /// <summary>Per-row prefix counts: P[(nx+1)·row + i] = number of flagged voxels among the first i of that row.</summary>
    private static int[] RowPrefix(int nx, int ny, int nz, Func<int, bool> flag)
    {
        var p = new int[(nx + 1) * ny * nz];
        Parallel.For(0, ny * nz, row =>
        {
            int run = 0, o = (nx + 1) * row, v = nx * row;
            for (int i = 0; i < nx; i++) { if (flag(v + i)) run++; p[o + i + 1] = run; }
        });
        return p;
    }

    /// <summary>Summed counts of density changes between x-, y- and z-neighbours: a box is homogeneous iff all three are 0.</summary>
    private sealed class DensityChanges
    {
        private readonly IVoxelIntegral _x, _y, _z;
        private readonly int _nx, _ny, _nz;

        public DensityChanges(double[] rho, TissueRegion region, int nx, int ny, int nz)
        {
            _nx = nx; _ny = ny; _nz = nz;
            long plane = (long)nx * ny;
            // a pair is counted at its lower voxel; pairs leaving the region join two background voxels (no change)
            _x = region.Table(v => (v % nx) + 1 < nx && rho[v] != rho[v + 1] ? 1 : 0);
            _y = region.Table(v => (v / nx) % ny + 1 < ny && rho[v] != rho[v + nx] ? 1 : 0);
            _z = region.Table(v => v + plane < rho.Length && rho[v] != rho[v + plane] ? 1 : 0);
        }

        /// <summary>
        /// Solves a centred cube in closed form when every voxel it touches has density <paramref name="rho"/>: mass ρs³,
        /// whole-layer snapping within the tolerance as in the general solver. False when not homogeneous or not inside the grid
        /// (the general path then decides).
        /// </summary>
        public bool TrySolve(in CubeShape shape, double M, double tol, double rho, out Box3 box, out double mass)
        {
            box = default; mass = 0;
            double s = Math.Cbrt(M / rho);
            var b0 = shape.Bounds(s);
            if (CubeShape.Outside(b0, _nx, _ny, _nz)) return false;
            var (i0, i1) = CubeShape.Covered(b0.X0, b0.X1);
            var (j0, j1) = CubeShape.Covered(b0.Y0, b0.Y1);
            var (k0, k1) = CubeShape.Covered(b0.Z0, b0.Z1);
            if (_x.IntegerBox(i0, i1, j0, j1 + 1, k0, k1 + 1) > 0.5) return false;
            if (_y.IntegerBox(i0, i1 + 1, j0, j1, k0, k1 + 1) > 0.5) return false;
            if (_z.IntegerBox(i0, i1 + 1, j0, j1 + 1, k0, k1) > 0.5) return false;
            // the voxels touched are the same for every side in (a, b] (consecutive breakpoints), so ρ·a³ and ρ·b³ are exact
            double a = shape.Prev(s), b = shape.Next(a);
            mass = M;
            if (a > 0 && M - rho * a * a * a <= tol * M) { s = a; mass = rho * a * a * a; }
            else if (rho * b * b * b - M <= tol * M) { s = b; mass = rho * b * b * b; }
            box = shape.Bounds(s);
            return true;
        }
    }

    internal static double Overlap(int a, double lo, double hi) => Math.Max(0, Math.Min(a + 1, hi) - Math.Max(a, lo));

    /// <summary>Index ranges of voxels whose per-axis overlaps all exceed <paramref name="w"/> (necessary for weight &gt; w).</summary>
    internal static bool InnerRange(in Box3 b, double w, out int i0, out int i1, out int j0, out int j1, out int k0, out int k1)
    {
        (i0, i1) = Inner(b.X0, b.X1, w); (j0, j1) = Inner(b.Y0, b.Y1, w); (k0, k1) = Inner(b.Z0, b.Z1, w);
        return i1 >= i0 && j1 >= j0 && k1 >= k0;
        static (int, int) Inner(double lo, double hi, double w)
        {
            var (f, l) = CubeShape.Covered(lo, hi);
            if (Overlap(f, lo, hi) <= w) f++;
            if (l >= f && Overlap(l, lo, hi) <= w) l--;
            return (f, l);
        }
    }

    /// <summary>1 − tissue volume / box volume (<paramref name="pv"/> and <paramref name="volume"/> in the same units).</summary>
    private static double BackgroundFraction(IVoxelIntegral pv, double volume, in Box3 box)
        => volume <= 0 ? 1 : 1 - pv.Box(box) / volume;

    /// <summary>Every face's outermost layer of voxels (those with positive weight) contains tissue.</summary>
    private static bool FacesTouchTissue(IVoxelIntegral pt, in Box3 b)
    {
        var (i0, i1) = CubeShape.Covered(b.X0, b.X1);
        var (j0, j1) = CubeShape.Covered(b.Y0, b.Y1);
        var (k0, k1) = CubeShape.Covered(b.Z0, b.Z1);
        return pt.IntegerBox(i0, i0 + 1, j0, j1 + 1, k0, k1 + 1) > 0.5 && pt.IntegerBox(i1, i1 + 1, j0, j1 + 1, k0, k1 + 1) > 0.5
            && pt.IntegerBox(i0, i1 + 1, j0, j0 + 1, k0, k1 + 1) > 0.5 && pt.IntegerBox(i0, i1 + 1, j1, j1 + 1, k0, k1 + 1) > 0.5
            && pt.IntegerBox(i0, i1 + 1, j0, j1 + 1, k0, k0 + 1) > 0.5 && pt.IntegerBox(i0, i1 + 1, j0, j1 + 1, k1, k1 + 1) > 0.5;
    }

    /// <summary>
    /// Finds the side s of a cube of the family with mass M: brackets M between consecutive breakpoints, keeps a whole-layer
    /// cube within the relative tolerance, otherwise solves the exact cubic on the bracket. False when the cube leaves the grid.
    /// </summary>
    private static bool Solve(in CubeShape shape, IVoxelIntegral pm, double M, double tol, double rhoCentre, int nx, int ny, int nz, out Box3 box, out double mass)
    {
        box = default; mass = 0;
        double s0 = Math.Cbrt(M / rhoCentre);
        // Start no larger than the grid: a near-zero centre density gives an astronomically large s0, from which the
        // shrinking loop below would step down one voxel breakpoint at a time (practically forever).
        double sMax = shape.MaxSide(nx, ny, nz);
        if (!(s0 <= sMax)) s0 = sMax;
        double a = shape.Prev(s0), b = shape.Next(a);
        double ma = a > 0 ? pm.Box(shape.Bounds(a)) : 0, mb = pm.Box(shape.Bounds(b));
        int guard = 0;
        while (mb < M)
        {
            if (CubeShape.Outside(shape.Bounds(b), nx, ny, nz)) return false; // the cube must grow beyond b: outside too
            a = b; ma = mb; b = shape.Next(b); mb = pm.Box(shape.Bounds(b));
            if (++guard > 100000) return false;
        }
        while (ma > M && a > 0)
        {
            b = a; mb = ma; a = shape.Prev(a); ma = a > 0 ? pm.Box(shape.Bounds(a)) : 0;
        }
        double s;
        if (a > 0 && M - ma <= tol * M) { s = a; mass = ma; }
        else if (mb - M <= tol * M) { s = b; mass = mb; }
        else
        {
            // exact cubic on [a, b] from four samples
            double h = b - a;
            double y0 = ma, y1 = pm.Box(shape.Bounds(a + h / 3)), y2 = pm.Box(shape.Bounds(a + 2 * h / 3)), y3 = mb;
            // Newton form on nodes 0, 1/3, 2/3, 1 converted to monomial coefficients in t
            double d1 = (y1 - y0) * 3, d2 = (y2 - y1) * 3, d3 = (y3 - y2) * 3;
            double e1 = (d2 - d1) * 1.5, e2 = (d3 - d2) * 1.5;
            double f1 = (e2 - e1);
            // p(t) = y0 + d1 t + e1 t (t − 1/3) + f1 t (t − 1/3)(t − 2/3)
            double c0 = y0, c1 = d1 - e1 / 3 + f1 * 2.0 / 9.0, c2 = e1 - f1, c3 = f1;
            double lo = 0, hi = 1, t = (M - y0) / (y3 - y0);
            for (int it = 0; it < 100; it++)
            {
                double p = ((c3 * t + c2) * t + c1) * t + c0 - M;
                if (Math.Abs(p) <= 1e-14 * M) break;
                if (p > 0) hi = t; else lo = t;
                double dp = (3 * c3 * t + 2 * c2) * t + c1;
                double tn = dp > 0 ? t - p / dp : double.NaN;
                t = (tn > lo && tn < hi) ? tn : 0.5 * (lo + hi);
                if (hi - lo < 1e-15) break;
            }
            s = a + t * h;
            mass = ((c3 * t + c2) * t + c1) * t + c0; // the exact cubic: equals the box integral to rounding
        }
        box = shape.Bounds(s);
        return !CubeShape.Outside(box, nx, ny, nz);
    }

    // ---------------------------------------------------------------- applying the cubes

    /// <summary>Average of a per-voxel SAR map [W/kg] over every cube: Σ w_i m_i SAR_i / Σ w_i m_i (W/kg).</summary>
    public double[] CubeAverages(ReadOnlySpan<double> localSar, ReadOnlySpan<double> rho)
    {
        var p = new double[localSar.Length];
        for (int v = 0; v < p.Length; v++) p[v] = rho[v] > 0 ? localSar[v] * rho[v] * VoxelVolume(v) : 0;
        return CubeAverages(p);
    }

    /// <summary>Average over every cube of a per-voxel absorbed power [W] (= mass × local SAR): Σ w_i P_i / cube mass.</summary>
    public double[] CubeAverages(ReadOnlySpan<double> powerPerVoxel) => CubeAverages(powerPerVoxel, directSums: false);

    internal double[] CubeAverages(ReadOnlySpan<double> powerPerVoxel, bool directSums)
    {
        IVoxelIntegral pp;
        if (directSums) pp = new DirectVoxelSum(powerPerVoxel.ToArray(), Grid.Nx, Grid.Ny, Grid.Nz);
        else
        {
            // power outside tissue must be 0 for the cropped table to be exact
            var rho = Status;
            for (int v = 0; v < powerPerVoxel.Length; v++)
                if (rho[v] == VoxelStatus.Background && powerPerVoxel[v] != 0)
                    throw new ArgumentException($"Absorbed power {powerPerVoxel[v]} W in background voxel {Grid.Unravel(v)}.", nameof(powerPerVoxel));
            var copy = powerPerVoxel.ToArray();
            pp = Region.Table(v => copy[v]);
        }
        var r = new double[CubeCount];
        Parallel.For(0, CubeCount, c => r[c] = pp.Box(Boxes[c]) / Masses[c]);
        return r;
    }

    /// <summary>
    /// Per-voxel averaged SAR from per-cube values: VALID voxels their own cube, USED voxels the maximum over the valid
    /// cubes that contain them, UNUSED voxels the maximum over their kept step-2 cubes (voxels with no cube: their
    /// <paramref name="localSarFallback"/> value). Background: 0.
    /// </summary>
    public double[] VoxelMap(ReadOnlySpan<double> cubeValues, ReadOnlySpan<double> localSarFallback)
    {
        if (cubeValues.Length != CubeCount) throw new ArgumentException("One value per cube expected.", nameof(cubeValues));
        int nv = Grid.VoxelCount;
        var map = new double[nv];
        for (int v = 0; v < nv; v++)
        {
            int f = VoxelFirstCube[v];
            if (Status[v] == VoxelStatus.Valid) map[v] = cubeValues[f];
            else if (Status[v] == VoxelStatus.Unused)
            {
                if (f < 0) { map[v] = localSarFallback[v]; continue; }
                double m = double.NegativeInfinity;
                for (int c = f; c < f + VoxelCubeCount[v]; c++) m = Math.Max(m, cubeValues[c]);
                map[v] = m;
            }
        }
        // USED: max over containing valid cubes (thread-local maxima over USED slots, merged)
        var used = UsedVoxels; var slot = UsedSlot; var usedRows = UsedRows; var boxes = Boxes; var bc = BoundaryCubes;
        int nx = Grid.Nx, ny = Grid.Ny;
        double wIn = Options.InsideWeight;
        var status = Status;
        var best = new double[used.Length];
        Array.Fill(best, double.NegativeInfinity);
        var vals = cubeValues.ToArray();
        object gate = new();
        Parallel.For(0, bc.Length, () => { var a = new double[used.Length]; Array.Fill(a, double.NegativeInfinity); return a; }, (t, _, local) =>
        {
            int c = bc[t];
            var b = boxes[c];
            double val = vals[c];
            InnerRange(b, wIn, out int i0, out int i1, out int j0, out int j1, out int k0, out int k1);
            for (int k = k0; k <= k1; k++)
            {
                double oz = Overlap(k, b.Z0, b.Z1);
                for (int j = j0; j <= j1; j++)
                {
                    int rowStart = (nx + 1) * (j + ny * k);
                    if (usedRows[rowStart + i1 + 1] == usedRows[rowStart + i0]) continue;
                    double oyz = oz * Overlap(j, b.Y0, b.Y1);
                    int row = nx * (j + ny * k);
                    for (int i = i0; i <= i1; i++)
                    {
                        int s = slot[row + i];
                        if (s >= 0 && val > local[s] && oyz * Overlap(i, b.X0, b.X1) > wIn) local[s] = val;
                    }
                }
            }
            return local;
        }, local => { lock (gate) { for (int s = 0; s < local.Length; s++) if (local[s] > best[s]) best[s] = local[s]; } });
        for (int s = 0; s < used.Length; s++) map[used[s]] = best[s];
        return map;
    }
}
