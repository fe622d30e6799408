using System.Numerics;
using SarKit.Surrogate.Fdfd2D;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;

namespace SarKit.Tests.Reference;

/// <summary>
/// Per-channel fields of one engine on the cells of the openEMS central transverse slice (z ≈ 0, 5 mm cells,
/// index i + Nx·j). B1⁺_k = μ0(H_x + jH_y)/2 and the unconjugated counter-rotating part μ0(H_x − jH_y)/2 (so both
/// combine linearly over channels: a drive w gives Σ w_k ·); E per component for the point SAR σ|E|²/(2ρ).
/// </summary>
internal sealed class SliceFields(string name, Complex[][] b1Plus, Complex[][] b1MinusRaw, Complex[][][] e)
{
    public string Name { get; } = name;
    public Complex[][] B1Plus { get; } = b1Plus;
    public Complex[][] B1MinusRaw { get; } = b1MinusRaw;
    /// <summary>[channel][component][cell].</summary>
    public Complex[][][] E { get; } = e;
    public int Channels => B1Plus.Length;

    public Complex[] CombineB1Plus(Complex[] w) => Combine(B1Plus, w);
    public Complex[] CombineB1MinusRaw(Complex[] w) => Combine(B1MinusRaw, w);

    /// <summary>Point SAR σ|Σ_k w_k E_k|²/(2ρ) per slice cell (0 in air).</summary>
    public double[] PointSar(Complex[] w, double[] sigma, double[] rho)
    {
        var sar = new double[sigma.Length];
        int comps = E[0].Length;
        for (int a = 0; a < comps; a++)
        {
            var ea = Combine(E.Select(ch => ch[a]).ToArray(), w);
            for (int c = 0; c < sar.Length; c++) sar[c] += ea[c].Real * ea[c].Real + ea[c].Imaginary * ea[c].Imaginary;
        }
        for (int c = 0; c < sar.Length; c++) sar[c] = rho[c] > 0 ? sigma[c] * sar[c] / (2 * rho[c]) : 0;
        return sar;
    }

    private static Complex[] Combine(Complex[][] maps, Complex[] w)
    {
        var r = new Complex[maps[0].Length];
        for (int k = 0; k < maps.Length; k++)
            for (int c = 0; c < r.Length; c++) r[c] += w[k] * maps[k][c];
        return r;
    }
}

/// <summary>
/// The openEMS 3D reference (openems-ptx8/ptx8_dipoles_7T.h5, 8 × 450 mm dipoles at 298 MHz around a voxelised
/// elliptical muscle phantom with a fat column) against the 2D TM_z FDFD engine on the central transverse slice
/// z ≈ 0: the same voxelised cross-section (materials taken cell by cell from the file's σ/ρ of that slice), and one
/// z-directed line current of 1 A per channel at the dipole's (x, y). The dipoles sit on mesh nodes (cell corners of
/// the 5 mm dump grid), so each line current is split into four quarter currents at the centres of the four FDFD
/// cells around the node (exactly placed for both FDFD meshes). FDFD fields are block-averaged onto the 5 mm
/// openEMS cells (2 × 2 FDFD cells per openEMS cell at 2.5 mm, 1 × 1 at 5 mm).
/// </summary>
internal sealed class FdfdOpenEmsComparison
{
    public const string File = "openems-ptx8/ptx8_dipoles_7T.h5";
    public const double Mu0 = 1.25663706212e-6;
    /// <summary>Tissue values of the reference (shared/reference/README.md): muscle-like and fat-like.</summary>
    public const double MuscleSigma = 0.8, MuscleEpsR = 50, FatSigma = 0.04, FatEpsR = 6;
    /// <summary>FDFD region: ±170 mm in x, ±145 mm in y (≥ 47 mm of air beyond the elements), then 16 PML cells.</summary>
    public const double HalfX = 0.170, HalfY = 0.145;

    private static readonly Lazy<FdfdOpenEmsComparison> _instance = new(() => new FdfdOpenEmsComparison());
    public static FdfdOpenEmsComparison Instance => _instance.Value;

    public int Nx { get; }
    public int Ny { get; }
    public double[] X { get; }
    public double[] Y { get; }
    public double SliceZ { get; }
    public double[] Sigma { get; }
    public double[] Rho { get; }
    /// <summary>Tissue cells of the slice (ρ &gt; 0).</summary>
    public int[] Tissue { get; }
    public double FrequencyHz { get; }
    public Complex[] CpDrive { get; }
    public (double X, double Y)[] Elements { get; }
    public SliceFields OpenEms { get; }
    /// <summary>FDFD at 5 mm, the openEMS mesh (the asserted comparison).</summary>
    public SliceFields Fdfd5 { get; }
    /// <summary>FDFD at 2.5 mm (mesh sensitivity; computed on first use, ≈ 6× the work of 5 mm).</summary>
    public SliceFields Fdfd25 => _fdfd25.Value;
    private readonly Lazy<SliceFields> _fdfd25;
    /// <summary>Wall seconds: reading the slice from HDF5, FDFD 5 mm and 2.5 mm (assembly, factorization, 8 solves).</summary>
    public double ReadSeconds { get; }
    public double Fdfd5Seconds { get; }
    public double Fdfd25Seconds { get; private set; }
    /// <summary>Process CPU seconds of the two FDFD runs (the machine may be shared: wall ≫ CPU under load).</summary>
    public double Fdfd5CpuSeconds { get; }
    public double Fdfd25CpuSeconds { get; private set; }

    private FdfdOpenEmsComparison()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var path = SharedData.Reference(File)!;
        using var f = Hdf5File.OpenRead(path);
        double[] D(string p) => f.ReadDataset(p).ToDouble();
        X = D("/x"); Y = D("/y");
        var z = D("/z");
        Nx = X.Length; Ny = Y.Length;
        int k = Enumerable.Range(0, z.Length).MinBy(i => Math.Abs(z[i]));
        SliceZ = z[k];
        FrequencyHz = f.ReadScalarAttribute("/", "f0_Hz");
        int n = Nx * Ny;
        Sigma = f.ReadDataset("/sigma", [k, 0, 0], [1, Ny, Nx]).ToDouble();
        Rho = f.ReadDataset("/rho", [k, 0, 0], [1, Ny, Nx]).ToDouble();
        Tissue = Enumerable.Range(0, n).Where(c => Rho[c] > 0).ToArray();
        var ex = D("/element_x_mm"); var ey = D("/element_y_mm");
        Elements = ex.Select((x, i) => (x * 1e-3, ey[i] * 1e-3)).ToArray();
        var bBuf = new double[2 * (int)f.GetDatasetInfo("/cp/b").Shape[0]];
        f.ReadInto<double>("/cp/b", bBuf);
        var bRaw = Enumerable.Range(0, bBuf.Length / 2).Select(i => new Complex(bBuf[2 * i], bBuf[2 * i + 1])).ToArray();
        CpDrive = bRaw.Select(b => b / bRaw[0].Magnitude).ToArray();
        int nch = (int)f.GetDatasetInfo("/H").Shape[0];

        // openEMS slice fields (exp(+jωt), per 1 V peak incident)
        var buf = new float[2 * n];
        Complex[] Slab(string ds, int ch, int comp)
        {
            f.ReadInto<float>(ds, buf, [ch, comp, k, 0, 0], [1, 1, 1, Ny, Nx]);
            var r = new Complex[n];
            for (int c = 0; c < n; c++) r[c] = new Complex(buf[2 * c], buf[2 * c + 1]);
            return r;
        }
        var bp = new Complex[nch][]; var bm = new Complex[nch][]; var e = new Complex[nch][][];
        for (int ch = 0; ch < nch; ch++)
        {
            var hx = Slab("/H", ch, 0); var hy = Slab("/H", ch, 1);
            (bp[ch], bm[ch]) = B1(hx, hy);
            e[ch] = [Slab("/E", ch, 0), Slab("/E", ch, 1), Slab("/E", ch, 2)];
        }
        OpenEms = new SliceFields("openEMS 3D", bp, bm, e);
        ReadSeconds = sw.Elapsed.TotalSeconds; sw.Restart();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        Fdfd5 = SolveFdfd(1);
        Fdfd5Seconds = sw.Elapsed.TotalSeconds;
        Fdfd5CpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        _fdfd25 = new(() =>
        {
            var t = System.Diagnostics.Stopwatch.StartNew();
            var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var r = SolveFdfd(2);
            Fdfd25Seconds = t.Elapsed.TotalSeconds;
            Fdfd25CpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            return r;
        });
    }

    private static (Complex[] Plus, Complex[] MinusRaw) B1(Complex[] hx, Complex[] hy)
    {
        var p = new Complex[hx.Length]; var m = new Complex[hx.Length];
        for (int c = 0; c < hx.Length; c++)
        {
            p[c] = Mu0 * (hx[c] + Complex.ImaginaryOne * hy[c]) / 2;
            m[c] = Mu0 * (hx[c] - Complex.ImaginaryOne * hy[c]) / 2;
        }
        return (p, m);
    }

    /// <summary>Dump-grid cell size (m), uniform in this file.</summary>
    public double Cell => X[1] - X[0];

    /// <summary>
    /// FDFD with <paramref name="refine"/> × <paramref name="refine"/> cells per 5 mm openEMS cell (1 or 2), cell
    /// centres aligned with the openEMS cell centres (refine 1) or at ±h/2 around them (refine 2).
    /// </summary>
    private SliceFields SolveFdfd(int refine)
    {
        double h = Cell / refine;
        int nxF = 2 * (int)Math.Round(HalfX / h), nyF = 2 * (int)Math.Round(HalfY / h);
        if (refine % 2 == 1) { nxF++; nyF++; } // odd: a centre on x = 0; even: centres at ±h/2
        var grid = new FdfdGrid2D(nxF, nyF, h, pmlCells: 16);
        double x0 = X[0], y0 = Y[0];
        var eps = new double[grid.CellCount]; var sig = new double[grid.CellCount];
        for (int j = 0; j < nyF; j++)
            for (int i = 0; i < nxF; i++)
            {
                int io = (int)Math.Round((grid.X(i) - x0) / Cell), jo = (int)Math.Round((grid.Y(j) - y0) / Cell);
                double s = 0, er = 1;
                if (io >= 0 && io < Nx && jo >= 0 && jo < Ny && Rho[io + Nx * jo] > 0)
                {
                    s = Sigma[io + Nx * jo];
                    er = Math.Abs(s - MuscleSigma) < 1e-3 ? MuscleEpsR : Math.Abs(s - FatSigma) < 1e-3 ? FatEpsR
                        : throw new InvalidOperationException($"Unexpected σ = {s} S/m in the reference slice.");
                }
                eps[i + nxF * j] = er; sig[i + nxF * j] = s;
            }
        var solver = new FdfdSolver2D(grid, FrequencyHz);
        solver.Factor(new FdfdMaterials2D(grid, eps, sig));
        // each dipole (on a mesh node) → four quarter currents at the centres of the FDFD cells around it
        var channels = Elements.Select(el => (IReadOnlyList<LineSource2D>)
            [new(el.X - h / 2, el.Y - h / 2, 0.25), new(el.X + h / 2, el.Y - h / 2, 0.25),
             new(el.X - h / 2, el.Y + h / 2, 0.25), new(el.X + h / 2, el.Y + h / 2, 0.25)]).ToArray();
        var fields = solver.Solve(channels);
        int n = Nx * Ny;
        var bp = new Complex[fields.Length][]; var bm = new Complex[fields.Length][]; var e = new Complex[fields.Length][][];
        for (int ch = 0; ch < fields.Length; ch++)
        {
            var hx = new Complex[n]; var hy = new Complex[n]; var ez = new Complex[n];
            for (int jo = 0; jo < Ny; jo++)
                for (int io = 0; io < Nx; io++)
                {
                    // FDFD cells whose centres lie inside openEMS cell (io, jo)
                    int i0 = (int)Math.Round((X[io] - (refine - 1) * h / 2) / h + (nxF - 1) / 2.0);
                    int j0 = (int)Math.Round((Y[jo] - (refine - 1) * h / 2) / h + (nyF - 1) / 2.0);
                    Complex sx = 0, sy = 0, sz = 0;
                    for (int b = 0; b < refine; b++)
                        for (int a = 0; a < refine; a++)
                        {
                            int c = (i0 + a) + nxF * (j0 + b);
                            sx += fields[ch].Hx[c]; sy += fields[ch].Hy[c]; sz += fields[ch].Ez[c];
                        }
                    int o = io + Nx * jo;
                    double inv = 1.0 / (refine * refine);
                    hx[o] = sx * inv; hy[o] = sy * inv; ez[o] = sz * inv;
                }
            (bp[ch], bm[ch]) = B1(hx, hy);
            e[ch] = [ez];
        }
        return new SliceFields($"FDFD 2D {h * 1e3:G3} mm", bp, bm, e);
    }

    // ---------------------------------------------------------------- metrics over the tissue cells of the slice

    public double[] Magnitude(Complex[] map) => map.Select(v => v.Magnitude).ToArray();

    public double MeanOverTissue(double[] v) => Tissue.Average(c => v[c]);

    /// <summary>Pearson correlation over the tissue cells.</summary>
    public double Correlation(double[] a, double[] b)
    {
        double ma = MeanOverTissue(a), mb = MeanOverTissue(b), sab = 0, saa = 0, sbb = 0;
        foreach (var c in Tissue) { double da = a[c] - ma, db = b[c] - mb; sab += da * db; saa += da * da; sbb += db * db; }
        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>RMS of (a/⟨a⟩ − b/⟨b⟩) over the tissue cells (⟨⟩ = mean over tissue): relative to the mean.</summary>
    public double NormalisedRmsDifference(double[] a, double[] b)
    {
        double ma = MeanOverTissue(a), mb = MeanOverTissue(b), s = 0;
        foreach (var c in Tissue) { double d = a[c] / ma - b[c] / mb; s += d * d; }
        return Math.Sqrt(s / Tissue.Length);
    }

    /// <summary>|⟨a, b⟩| / (‖a‖‖b‖) over tissue: 1 when the complex maps agree up to one complex factor.</summary>
    public double ComplexCorrelation(Complex[] a, Complex[] b)
    {
        Complex s = 0; double na = 0, nb = 0;
        foreach (var c in Tissue) { s += a[c] * Complex.Conjugate(b[c]); na += a[c].Magnitude * a[c].Magnitude; nb += b[c].Magnitude * b[c].Magnitude; }
        return s.Magnitude / Math.Sqrt(na * nb);
    }

    /// <summary>Least-squares factor c with a ≈ c·b over tissue.</summary>
    public Complex Calibration(Complex[] a, Complex[] b)
    {
        Complex s = 0; double nb = 0;
        foreach (var c in Tissue) { s += a[c] * Complex.Conjugate(b[c]); nb += b[c].Magnitude * b[c].Magnitude; }
        return s / nb;
    }

    /// <summary>Relative phase map arg(B_k · conj(B_ref)) over tissue cells (radians, in Tissue order).</summary>
    public double[] RelativePhase(Complex[] bk, Complex[] bref) => Tissue.Select(c => (bk[c] * Complex.Conjugate(bref[c])).Phase).ToArray();

    /// <summary>
    /// Circular correlation coefficient of Fisher &amp; Lee (Biometrika 70 (1983) 327, eq. 2.2),
    /// ρ = Σ_{i&lt;j} sin(a_i − a_j) sin(b_i − b_j) / √(Σ_{i&lt;j} sin²(a_i − a_j) · Σ_{i&lt;j} sin²(b_i − b_j)): invariant to a
    /// rotation of either sample, usable for angles spread over the whole circle; 1 when b = a + const. The pair sums
    /// are evaluated in O(n) by expanding sin(a_i − a_j) = sin a_i cos a_j − cos a_i sin a_j.
    /// </summary>
    public static double CircularCorrelation(double[] a, double[] b)
    {
        double sasb = 0, cacb = 0, sacb = 0, casb = 0, sa2 = 0, ca2 = 0, saca = 0, sb2 = 0, cb2 = 0, sbcb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double sa = Math.Sin(a[i]), ca = Math.Cos(a[i]), sb = Math.Sin(b[i]), cb = Math.Cos(b[i]);
            sasb += sa * sb; cacb += ca * cb; sacb += sa * cb; casb += ca * sb;
            sa2 += sa * sa; ca2 += ca * ca; saca += sa * ca; sb2 += sb * sb; cb2 += cb * cb; sbcb += sb * cb;
        }
        return (sasb * cacb - sacb * casb) / Math.Sqrt((sa2 * ca2 - saca * saca) * (sb2 * cb2 - sbcb * sbcb));
    }

    /// <summary>
    /// Weighted mean resultant length of a − b, |Σ w e^{j(a−b)}| / Σ w: 1 when the two angle maps differ by a constant
    /// only (w = 1: every cell counts alike).
    /// </summary>
    public static double PhaseAgreement(double[] a, double[] b, double[]? w = null)
    {
        double s = 0, c = 0, sw = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double wi = w?[i] ?? 1;
            s += wi * Math.Sin(a[i] - b[i]); c += wi * Math.Cos(a[i] - b[i]); sw += wi;
        }
        return Math.Sqrt(s * s + c * c) / sw;
    }

    /// <summary>Circular mean direction atan2(Σ sin, Σ cos).</summary>
    public static double CircularMean(double[] a) => Math.Atan2(a.Sum(Math.Sin), a.Sum(Math.Cos));

    /// <summary>|B_k|·|B_ref| (openEMS) per tissue cell: the weight of the pair's phase in an interference.</summary>
    public double[] PairWeight(Complex[] bk, Complex[] bref) => Tissue.Select(c => bk[c].Magnitude * bref[c].Magnitude).ToArray();

    /// <summary>Elliptical radius of a slice cell relative to the phantom outline (semi-axes 102.5 × 77.5 mm = the voxelised 100 × 75 mm ellipse).</summary>
    public double EllipticalRadius(int c)
    {
        double x = X[c % Nx], y = Y[c / Nx];
        return Math.Sqrt(x * x / (0.1025 * 0.1025) + y * y / (0.0775 * 0.0775));
    }

    /// <summary>Mean |B1⁺| in the centre (elliptical radius ≤ 0.3) over the mean in the periphery (≥ 0.8).</summary>
    public double CentreToPeriphery(double[] mag)
    {
        var centre = Tissue.Where(c => EllipticalRadius(c) <= 0.3).Average(c => mag[c]);
        var rim = Tissue.Where(c => EllipticalRadius(c) >= 0.8).Average(c => mag[c]);
        return centre / rim;
    }

    /// <summary>Mean of |a| / mean of |b| over the centre cells (elliptical radius ≤ 0.3).</summary>
    public double CentreRatio(double[] a, double[] b)
    {
        var centre = Tissue.Where(c => EllipticalRadius(c) <= 0.3).ToArray();
        return centre.Average(c => a[c]) / centre.Average(c => b[c]);
    }

    /// <summary>Tissue cell of the maximum.</summary>
    public int ArgMax(double[] v) => Tissue.MaxBy(c => v[c]);

    public double DistanceMm(int c1, int c2)
    {
        double dx = X[c1 % Nx] - X[c2 % Nx], dy = Y[c1 / Nx] - Y[c2 / Nx];
        return Math.Sqrt(dx * dx + dy * dy) * 1e3;
    }

    public string Where(int c) => $"({X[c % Nx] * 1e3:F0}, {Y[c / Nx] * 1e3:F0})";

    /// <summary>Peak point SAR over the slice / ⟨|B1⁺|⟩² over the slice tissue, in W/kg per µT².</summary>
    public double PeakSarPerB1Squared(SliceFields s, Complex[] w)
    {
        var sar = s.PointSar(w, Sigma, Rho);
        double b = MeanOverTissue(Magnitude(s.CombineB1Plus(w))) * 1e6;
        return Tissue.Max(c => sar[c]) / (b * b);
    }

    /// <summary>Per-channel phase-only calibration e^{j arg c_k}, c_k = LS factor openEMS ≈ c_k·FDFD (B1⁺ over tissue).</summary>
    public Complex[] PhaseCalibration(SliceFields fdfd)
        => Enumerable.Range(0, OpenEms.Channels).Select(k => Complex.FromPolarCoordinates(1, Calibration(OpenEms.B1Plus[k], fdfd.B1Plus[k]).Phase)).ToArray();

    /// <summary>Seeded random shims: amplitudes U(0.3, 1), phases U(0, 2π).</summary>
    public static Complex[][] RandomShims(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 8)
            .Select(_ => Complex.FromPolarCoordinates(0.3 + 0.7 * rng.NextDouble(), 2 * Math.PI * rng.NextDouble())).ToArray()).ToArray();
    }

    public static Complex[] Times(Complex[] w, Complex[] c) => w.Select((v, i) => v * c[i]).ToArray();
}
