using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Averaging;

/// <summary>IEC/IEEE 62704-1 averaging on rectilinear (graded) grids: invariants, uniform-path identity, convergence.</summary>
public class RectilinearAveragingTests(ITestOutputHelper output)
{
    /// <summary>Cell edges (metres) from cell widths (metres), starting at <paramref name="origin"/>.</summary>
    internal static double[] EdgesFromWidths(IEnumerable<double> widths, double origin = 0)
    {
        var e = new List<double> { origin };
        foreach (var w in widths) e.Add(e[^1] + w);
        return e.ToArray();
    }

    /// <summary>Random graded axis: n cells with widths in [lo, hi] metres (smoothly varying).</summary>
    private static double[] RandomAxis(int n, double lo, double hi, Random rnd)
    {
        double ph = rnd.NextDouble() * 6, f = 0.2 + 0.4 * rnd.NextDouble();
        return EdgesFromWidths(Enumerable.Range(0, n).Select(i => lo + (hi - lo) * (0.5 + 0.5 * Math.Sin(f * i + ph)) * (0.8 + 0.2 * rnd.NextDouble())), -0.5 * n * lo);
    }

    /// <summary>The two-tissue ellipsoid of <see cref="TestPhantoms.Ellipsoid"/> on a graded grid (tissue where the centre is inside).</summary>
    internal static TissueModel GradedEllipsoid(int nx, int ny, int nz, int seed, double lo = 0.002, double hi = 0.006)
    {
        var rnd = new Random(seed);
        var g = new VoxelGrid(RandomAxis(nx, lo, hi, rnd), RandomAxis(ny, lo, hi, rnd), RandomAxis(nz, lo, hi, rnd));
        double cx = 0.5 * (g.EdgesX[0] + g.EdgesX[^1]), cy = 0.5 * (g.EdgesY[0] + g.EdgesY[^1]), cz = 0.5 * (g.EdgesZ[0] + g.EdgesZ[^1]);
        double ax = 0.5 * (g.EdgesX[^1] - g.EdgesX[0]) - 2 * hi, ay = 0.5 * (g.EdgesY[^1] - g.EdgesY[0]) - 2 * hi, az = 0.5 * (g.EdgesZ[^1] - g.EdgesZ[0]) - 2 * hi;
        var s = new double[g.VoxelCount]; var r = new double[g.VoxelCount];
        for (int v = 0; v < g.VoxelCount; v++)
        {
            var (x, y, z) = g.Centre(v);
            double q = Math.Pow((x - cx) / ax, 2) + Math.Pow((y - cy) / ay, 2) + Math.Pow((z - cz) / az, 2);
            if (q > 1) continue;
            bool fat = q > 0.6;
            r[v] = (fat ? 900 : 1050) * (1 + 0.2 * (rnd.NextDouble() - 0.5));
            s[v] = fat ? 0.05 : 0.8 * (1 + 0.2 * (rnd.NextDouble() - 0.5));
        }
        return new TissueModel(g, s, r) { Source = "graded test ellipsoid" };
    }

    private static double[] RandomSar(TissueModel t, int seed)
    {
        var rnd = new Random(seed);
        return t.Rho.Select(r => r > 0 ? 0.5 + rnd.NextDouble() : 0).ToArray();
    }

    /// <summary>Physical overlap length of [a0, a1] and [b0, b1].</summary>
    private static double Ov(double a0, double a1, double b0, double b1) => Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));

    /// <summary>Σ ρ·(physical volume of the voxel inside the box) and the tissue volume inside, by a direct loop in metres.</summary>
    private static (double Mass, double TissueVolume) PhysicalBoxSums(TissueModel t, double x0, double x1, double y0, double y1, double z0, double z1)
    {
        var g = t.Grid;
        double m = 0, tv = 0;
        for (int k = 0; k < g.Nz; k++)
        {
            double oz = Ov(g.EdgesZ[k], g.EdgesZ[k + 1], z0, z1);
            if (oz == 0) continue;
            for (int j = 0; j < g.Ny; j++)
            {
                double oy = Ov(g.EdgesY[j], g.EdgesY[j + 1], y0, y1);
                if (oy == 0) continue;
                for (int i = 0; i < g.Nx; i++)
                {
                    double o = Ov(g.EdgesX[i], g.EdgesX[i + 1], x0, x1) * oy * oz;
                    int v = g.Index(i, j, k);
                    if (o == 0 || !(t.Rho[v] > 0)) continue;
                    m += t.Rho[v] * o; tv += o;
                }
            }
        }
        return (m, tv);
    }

    [Fact]
    public void A_uniform_grid_given_by_explicit_edges_gives_bit_identical_results()
    {
        // (a) a uniform grid as a reader of per-axis coordinates builds it (cumulative widths, explicit edge arrays)
        var t = TestPhantoms.Ellipsoid(22, 20, 24, 0.004, seed: 5);
        var g = t.Grid;
        var rect = new VoxelGrid(EdgesFromWidths(Enumerable.Repeat(g.WidthX(0), g.Nx), g.EdgesX[0]),
                                 EdgesFromWidths(Enumerable.Repeat(g.WidthY(0), g.Ny), g.EdgesY[0]),
                                 EdgesFromWidths(Enumerable.Repeat(g.WidthZ(0), g.Nz), g.EdgesZ[0]));
        var tr = new TissueModel(rect, t.Sigma, t.Rho) { Source = "explicit edges" };
        var sar = RandomSar(t, 1);
        var a = SpatialAverage.Compute(t, sar, AveragingOptions.TenGram);
        var b = SpatialAverage.Compute(tr, sar, AveragingOptions.TenGram);
        Assert.False(b.Cubes.IsRectilinear);
        Assert.Equal("uniform", b.Cubes.GridKind);
        Assert.Equal(a.Status, b.Status);
        Assert.Equal(a.CubeValues.Length, b.CubeValues.Length);
        Assert.True(a.Map.AsSpan().SequenceEqual(b.Map), "maps differ");
        Assert.True(a.CubeValues.AsSpan().SequenceEqual(b.CubeValues), "cube values differ");
        Assert.Equal(a.Peak, b.Peak);

        // and the Q-matrix set
        var e = TestPhantoms.RandomFields(g, 3, seed: 2);
        var er = TestPhantoms.RandomFields(rect, 3, seed: 2);
        var qa = AveragedQMatrixSet.Compute(new SarDataset(t, e), a.Cubes);
        var qb = AveragedQMatrixSet.Compute(new SarDataset(tr, er), b.Cubes);
        Assert.True(qa.AllPacked.SequenceEqual(qb.AllPacked), "averaged Q-matrices differ");
    }

    [Theory]
    [InlineData(0.010, 0.004)]
    [InlineData(0.001, 0.002)]
    public void The_rectilinear_path_on_a_uniform_grid_agrees_with_the_uniform_path(double mass, double d)
    {
        var t = TestPhantoms.Ellipsoid(24, 22, 26, d, seed: 7);
        var sar = RandomSar(t, 2);
        var opt = new AveragingOptions { TargetMassKg = mass };
        var u = AveragingCubeSet.Build(t, opt, null, directSums: false);
        var r = AveragingCubeSet.Build(t, opt, null, directSums: false, forceRectilinear: true);
        Assert.True(r.IsRectilinear);
        var a = SpatialAverage.Compute(t, sar, opt, u);
        var b = SpatialAverage.Compute(t, sar, opt, r);
        var counts = u.StatusCounts();
        Assert.True(counts.Used > 0 && counts.Unused > 0, $"{counts}");
        Assert.Equal(a.Status, b.Status);
        Assert.Equal(u.CubeCount, r.CubeCount);
        double worst = 0;
        for (int v = 0; v < sar.Length; v++) if (t.Rho[v] > 0) worst = Math.Max(worst, Math.Abs(a.Map[v] - b.Map[v]) / a.Map[v]);
        output.WriteLine($"max relative difference rectilinear vs uniform path: {worst:E2}");
        Assert.True(worst < 1e-9, $"{worst:E3}");
        for (int c = 0; c < u.CubeCount; c++)
        {
            Assert.Equal(u.CubeSideM(c), r.CubeSideM(c), 1e-9 * u.CubeSideM(c));
            Assert.Equal(u.CubeVolumeM3(c), r.CubeVolumeM3(c), 1e-8 * u.CubeVolumeM3(c));
            var (x, y, z) = u.CubeCentreM(c); var (xr, yr, zr) = r.CubeCentreM(c);
            Assert.Equal(x, xr, 1e-12); Assert.Equal(y, yr, 1e-12); Assert.Equal(z, zr, 1e-12);
        }
    }

    [Theory]
    [InlineData(0.010, 21)]
    [InlineData(0.001, 22)]
    public void Graded_cubes_are_physical_cubes_of_the_target_mass_with_the_standard_validity_rules(double mass, int seed)
    {
        var t = GradedEllipsoid(26, 24, 28, seed, lo: mass < 0.005 ? 0.001 : 0.002, hi: mass < 0.005 ? 0.003 : 0.006);
        var g = t.Grid;
        Assert.False(g.IsUniform());
        var opt = new AveragingOptions { TargetMassKg = mass };
        var cubes = AveragingCubeSet.Build(t, opt);
        Assert.True(cubes.IsRectilinear);
        Assert.Equal("rectilinear", cubes.GridKind);
        var counts = cubes.StatusCounts();
        output.WriteLine($"{g}: {counts}, {cubes.CubeCount} cubes");
        Assert.True(counts.Valid > 500 && counts.Used > 0 && counts.Unused > 0, $"{counts}");
        for (int c = 0; c < cubes.CubeCount; c++)
        {
            Assert.InRange(Math.Abs(cubes.CubeMassKg(c) / mass - 1), 0, 1e-6);
            var b = cubes.CubeBox(c);
            var ax = new CubeAxis(g.EdgesX); var ay = new CubeAxis(g.EdgesY); var az = new CubeAxis(g.EdgesZ);
            double x0 = ax.ToPhysical(b.X0), x1 = ax.ToPhysical(b.X1), y0 = ay.ToPhysical(b.Y0), y1 = ay.ToPhysical(b.Y1), z0 = az.ToPhysical(b.Z0), z1 = az.ToPhysical(b.Z1);
            double s = x1 - x0;
            // a physical cube: equal sides
            Assert.Equal(s, y1 - y0, 1e-9 * s);
            Assert.Equal(s, z1 - z0, 1e-9 * s);
            Assert.Equal(s, cubes.CubeSideM(c), 1e-12);
            var (i, j, k) = g.Unravel(cubes.CubeVoxel(c));
            var o = cubes.CubeOrientation(c);
            double ccx = g.CentreX(i), ccy = g.CentreY(j), ccz = g.CentreZ(k);
            // centred on the voxel centre, or with one face on the voxel's face and laterally centred
            if (o != CubeOrientation.FaceMinusX && o != CubeOrientation.FacePlusX) Assert.Equal(ccx, 0.5 * (x0 + x1), 1e-9 * s);
            if (o != CubeOrientation.FaceMinusY && o != CubeOrientation.FacePlusY) Assert.Equal(ccy, 0.5 * (y0 + y1), 1e-9 * s);
            if (o != CubeOrientation.FaceMinusZ && o != CubeOrientation.FacePlusZ) Assert.Equal(ccz, 0.5 * (z0 + z1), 1e-9 * s);
            switch (o)
            {
                case CubeOrientation.FaceMinusX: Assert.Equal(g.EdgesX[i], x0, 1e-9 * s); break;
                case CubeOrientation.FacePlusX: Assert.Equal(g.EdgesX[i + 1], x1, 1e-9 * s); break;
                case CubeOrientation.FaceMinusY: Assert.Equal(g.EdgesY[j], y0, 1e-9 * s); break;
                case CubeOrientation.FacePlusY: Assert.Equal(g.EdgesY[j + 1], y1, 1e-9 * s); break;
                case CubeOrientation.FaceMinusZ: Assert.Equal(g.EdgesZ[k], z0, 1e-9 * s); break;
                case CubeOrientation.FacePlusZ: Assert.Equal(g.EdgesZ[k + 1], z1, 1e-9 * s); break;
            }
            if (c % 23 == 0 || c == cubes.ValidCubeCount - 1)
            {
                // independent: mass and tissue volume by overlap in metres
                var (m, tv) = PhysicalBoxSums(t, x0, x1, y0, y1, z0, z1);
                Assert.Equal(cubes.CubeMassKg(c), m, 1e-10 * mass);
                if (c < cubes.ValidCubeCount)
                {
                    Assert.True(tv >= (1 - opt.MaxBackgroundFraction) * s * s * s * (1 - 1e-12), $"cube {c}: tissue {tv / (s * s * s):P3} of its volume");
                    Assert.True(x0 >= g.EdgesX[0] - 1e-12 && x1 <= g.EdgesX[^1] + 1e-12, "valid cube inside the grid");
                }
            }
        }
        // step 2 keeps cubes within 1.05 × the smallest physical volume of the voxel's candidates
        for (int v = 0; v < g.VoxelCount; v++)
        {
            if (cubes.Status[v] != VoxelStatus.Unused || cubes.VoxelFirstCube[v] < 0) continue;
            int f = cubes.VoxelFirstCube[v], n = cubes.VoxelCubeCount[v];
            double vmin = Enumerable.Range(f, n).Min(cubes.CubeVolumeM3);
            for (int c = f; c < f + n; c++) Assert.True(cubes.CubeVolumeM3(c) <= opt.Step2VolumeRatio * vmin * (1 + 1e-12));
        }
    }

    [Fact]
    public void Used_voxels_on_a_graded_grid_take_the_maximum_of_the_valid_cubes_that_contain_them()
    {
        var t = GradedEllipsoid(22, 20, 24, seed: 31);
        var g = t.Grid;
        var sar = RandomSar(t, 4);
        var res = SpatialAverage.Compute(t, sar, AveragingOptions.TenGram);
        var cubes = res.Cubes;
        var ax = new CubeAxis(g.EdgesX); var ay = new CubeAxis(g.EdgesY); var az = new CubeAxis(g.EdgesZ);
        int checkedUsed = 0;
        for (int v = 0; v < g.VoxelCount; v++)
        {
            if (res.Status[v] != VoxelStatus.Used) continue;
            var (i, j, k) = g.Unravel(v);
            double best = double.NegativeInfinity;
            for (int c = 0; c < cubes.ValidCubeCount; c++)
            {
                var b = cubes.CubeBox(c);
                // fraction of the voxel's physical volume inside the cube, in metres
                double f = Ov(g.EdgesX[i], g.EdgesX[i + 1], ax.ToPhysical(b.X0), ax.ToPhysical(b.X1)) / g.WidthX(i)
                         * Ov(g.EdgesY[j], g.EdgesY[j + 1], ay.ToPhysical(b.Y0), ay.ToPhysical(b.Y1)) / g.WidthY(j)
                         * Ov(g.EdgesZ[k], g.EdgesZ[k + 1], az.ToPhysical(b.Z0), az.ToPhysical(b.Z1)) / g.WidthZ(k);
                if (f > cubes.Options.InsideWeight) best = Math.Max(best, res.CubeValues[c]);
            }
            Assert.Equal(best, res.Map[v], 1e-12 * best);
            checkedUsed++;
        }
        Assert.True(checkedUsed > 20, $"{checkedUsed} USED voxels");
    }

    [Fact]
    public void Uniform_sar_stays_uniform_on_a_graded_grid_in_steps_1_and_2()
    {
        var t = GradedEllipsoid(24, 22, 26, seed: 41);
        var sar = t.Rho.Select(r => r > 0 ? 3.25 : 0).ToArray();
        var padded = new AirPadding(t.Grid, AirPadding.Needed(t, 0.010));
        var tp = padded.Pad(t);
        Assert.False(tp.Grid.IsUniform());
        var res = SpatialAverage.Compute(tp, padded.Pad(sar), AveragingOptions.TenGram);
        var counts = res.Cubes.StatusCounts();
        Assert.True(counts.Unused > 0 && counts.Used > 0, $"{counts}");
        Assert.Equal(0, res.Cubes.VoxelsWithoutCube);
        for (int v = 0; v < tp.Rho.Length; v++)
            if (tp.Rho[v] > 0) Assert.Equal(3.25, res.Map[v], 1e-10);
            else Assert.Equal(0, res.Map[v]);
    }

    [Fact]
    public void Graded_air_padding_continues_the_end_cells_and_reaches_the_wanted_margin_in_metres()
    {
        var t = GradedEllipsoid(20, 18, 22, seed: 43);
        int n = AirPadding.Needed(t, 0.010);
        Assert.True(n > 0);
        var p = new AirPadding(t.Grid, n);
        var g = t.Grid; var pg = p.Padded;
        Assert.Equal(g.WidthX(0), pg.WidthX(0), 1e-12);
        Assert.Equal(g.WidthZ(g.Nz - 1), pg.WidthZ(pg.Nz - 1), 1e-12);
        var tp = p.Pad(t);
        Assert.Equal(0, AirPadding.Needed(tp, 0.010));
    }

    [Fact]
    public void The_averaged_q_matrix_set_on_a_graded_grid_equals_the_scalar_result_for_any_drive()
    {
        var t = GradedEllipsoid(20, 18, 22, seed: 51);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 9);
        var data = new SarDataset(t, e);
        var cubes = AveragingCubeSet.Build(t);
        Assert.True(cubes.IsRectilinear);
        var q = AveragedQMatrixSet.Compute(data, cubes, maxTableBytes: 1 << 16);
        var rnd = new Random(3);
        for (int trial = 0; trial < 6; trial++)
        {
            var drive = TestPhantoms.RandomDrive(3, rnd);
            var scalar = SpatialAverage.Compute(data, drive, cubes: cubes);
            var (peak, _, _) = q.PeakSar(drive);
            Assert.Equal(scalar.Peak, peak, 1e-9 * scalar.Peak);
            var fromQ = q.Evaluate(drive, LocalSar.Compute(t, e, drive));
            for (int v = 0; v < scalar.Map.Length; v++) Assert.Equal(scalar.Map[v], fromQ.Map[v], 1e-9 * (1 + scalar.Map[v]));
        }
    }

    // ------------------------------------------------------------------ (b) convergence to the fine-uniform result

    /// <summary>
    /// Tissue block [0, 60 mm]³ (ρ = 1000 kg/m³ below z = 30 mm, 1100 above), smooth analytic SAR with a hot spot 5 mm
    /// under the x = 60 mm face, sampled at cell centres. Graded axes: cells of <paramref name="coarse"/> mm outside a 1 mm
    /// window around the hot spot (x ≥ 30 mm; 15 ≤ y, z &lt; 45 mm); <paramref name="coarse"/> = 1 is the fine uniform grid.
    /// Every interface lies on a cell edge of every grid, and with odd coarse widths every graded voxel centre is a fine voxel
    /// centre, so the grids differ only in how finely the SAR is sampled.
    /// </summary>
    internal static (TissueModel Tissue, double[] Sar) Convergence(int coarse)
    {
        const double mm = 1e-3;
        IEnumerable<double> Run(int lengthMm, int w) => Enumerable.Repeat(w * mm, lengthMm / w);
        var ex = EdgesFromWidths(Run(30, coarse).Concat(Run(30, 1)));
        var ey = EdgesFromWidths(Run(15, coarse).Concat(Run(30, 1)).Concat(Run(15, coarse)));
        var g = new VoxelGrid(ex, ey, (double[])ey.Clone());
        var rho = new double[g.VoxelCount]; var sigma = new double[g.VoxelCount]; var sar = new double[g.VoxelCount];
        for (int v = 0; v < g.VoxelCount; v++)
        {
            var (x, y, z) = g.Centre(v);
            rho[v] = z < 30 * mm ? 1000 : 1100; sigma[v] = 0.5;
            double r2 = (Math.Pow(x - 55 * mm, 2) + Math.Pow(y - 30 * mm, 2) + Math.Pow(z - 30 * mm, 2)) / (mm * mm);
            sar[v] = 1 + 0.5 * x / (60 * mm) + 4 * Math.Exp(-r2 / (2 * 36.0));
        }
        var t = new TissueModel(g, sigma, rho) { Source = $"convergence block, coarse {coarse} mm" };
        var pad = new AirPadding(g, AirPadding.Needed(t, 0.010));
        return (pad.Pad(t), pad.Pad(sar));
    }

    [Fact]
    public void An_analytic_field_on_graded_grids_converges_to_the_fine_uniform_result()
    {
        var (tf, sf) = Convergence(1);
        Assert.True(tf.Grid.IsUniform());
        var fine = SpatialAverage.Compute(tf, sf, AveragingOptions.TenGram);
        var fg = tf.Grid;
        int fineTissue = tf.Rho.Count(r => r > 0);
        var errors = new List<(int Coarse, double Ratio, double Peak, double MaxValid)>();
        foreach (int c in new[] { 15, 5, 3 })
        {
            var (tg, sg) = Convergence(c);
            var gg = tg.Grid;
            var res = SpatialAverage.Compute(tg, sg, AveragingOptions.TenGram);
            Assert.True(res.Cubes.IsRectilinear);
            int tissue = tg.Rho.Count(r => r > 0);
            double maxValid = 0;
            for (int v = 0; v < gg.VoxelCount; v++)
            {
                if (res.Status[v] != VoxelStatus.Valid) continue;
                var (x, y, z) = gg.Centre(v);
                // the fine voxel with the same centre
                int i = (int)Math.Floor((x - fg.EdgesX[0]) / fg.WidthX(0)), j = (int)Math.Floor((y - fg.EdgesY[0]) / fg.WidthY(0)), k = (int)Math.Floor((z - fg.EdgesZ[0]) / fg.WidthZ(0));
                int fv = fg.Index(i, j, k);
                Assert.Equal(x, fg.CentreX(i), 1e-9); Assert.Equal(y, fg.CentreY(j), 1e-9); Assert.Equal(z, fg.CentreZ(k), 1e-9);
                if (fine.Status[fv] != VoxelStatus.Valid) continue;
                maxValid = Math.Max(maxValid, Math.Abs(res.Map[v] - fine.Map[fv]) / fine.Map[fv]);
            }
            double peakErr = Math.Abs(res.Peak - fine.Peak) / fine.Peak;
            errors.Add((c, (double)fineTissue / tissue, peakErr, maxValid));
            output.WriteLine($"coarse {c,2} mm: {tissue} tissue voxels ({(double)fineTissue / tissue:F2}× fewer than {fineTissue}), psSAR {res.Peak:G8} vs {fine.Peak:G8} (rel {peakErr:E2}), max rel. difference over VALID voxels {maxValid:E2}");
        }
        // the errors decrease as the coarse cells shrink
        Assert.True(errors[0].MaxValid > errors[1].MaxValid && errors[1].MaxValid > errors[2].MaxValid, "no convergence");
        // stated tolerance at ≥ 3× fewer voxels (coarse 3 mm): psSAR 0.1 %, every VALID voxel 0.2 % (see docs/averaging.md)
        var (_, ratio, peak, valid) = errors[2];
        Assert.True(ratio >= 3, $"only {ratio:F2}× fewer voxels");
        Assert.True(peak <= 1e-3, $"psSAR differs by {peak:E3}");
        Assert.True(valid <= 2e-3, $"VALID voxels differ by up to {valid:E3}");
    }
}

/// <summary>The rectilinear code path on the openEMS 8-channel 7 T dataset against the SAR-Star-validated reference.</summary>
public class RectilinearReferenceTests(ITestOutputHelper output)
{
    [SharedDataFact("openems-ptx8/ref62704_cp.h5", "openems-ptx8/ref62704_cp.json", Reference.Ptx8Reference.File)]
    public void The_rectilinear_path_reproduces_the_validated_reference_on_the_openems_dataset()
    {
        const string h5 = "openems-ptx8/ref62704_cp.h5";
        var r = Reference.Ptx8Reference.Instance;
        int pad = Reference.Ptx8Reference.ReadPad(h5);
        var drive = Reference.Ptx8Reference.ReadDrive("openems-ptx8/ref62704_cp.json");
        var padded = r.Dataset.PadWithAir(pad);
        var tissue = padded.Tissue;
        var local = LocalSar.Compute(tissue, padded.E, drive);
        var refAvg = Reference.Ptx8Reference.ReadMap(h5, "/zanovello_62704");
        var refStatus = Reference.Ptx8Reference.ReadMap(h5, "/zanovello_status");
        var cubes = AveragingCubeSet.Build(tissue, AveragingOptions.TenGram, null, directSums: false, forceRectilinear: true);
        Assert.True(cubes.IsRectilinear);
        var res = SpatialAverage.Compute(tissue, local, AveragingOptions.TenGram, cubes);
        double worst = 0; int n = 0;
        for (int v = 0; v < local.Length; v++)
        {
            Assert.True((int)refStatus[v] == (int)res.Status[v], $"voxel {tissue.Grid.Unravel(v)}: status {res.Status[v]}, reference {refStatus[v]}");
            if (refStatus[v] == 0) continue;
            worst = Math.Max(worst, Math.Abs(res.Map[v] - refAvg[v]) / refAvg[v]);
            n++;
        }
        output.WriteLine($"rectilinear path: {n} tissue voxels, max relative difference {worst:E2}; psSAR {res.Peak:G8} vs {refAvg.Max():G8}");
        Assert.True(n > 90000);
        Assert.True(worst < 1e-5, $"{worst:E3}");
    }
}
