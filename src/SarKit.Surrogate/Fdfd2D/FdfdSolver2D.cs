using System.Diagnostics;
using System.Numerics;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Engines;

namespace SarKit.Surrogate.Fdfd2D;

/// <summary>
/// 2D finite-difference frequency-domain (FDFD) solver for TM_z fields (E = E_z ẑ, H = H_x x̂ + H_y ŷ) of z-directed
/// line currents in an inhomogeneous lossy medium, time factor exp(+jωt).
/// </summary>
/// <remarks>
/// <para>Equations (SI): ∇×E = −jωμ0H, ∇×H = jωε_c E + J with ε_c = ε0ε_r − jσ/ω, hence
/// ∂x(∂x E_z/s_x)/s_x + ∂y(∂y E_z/s_y)/s_y + ω²μ0ε_c E_z = jωμ0 J_z, with PML stretches s_x(x), s_y(y)
/// (<see cref="PmlOptions"/>; s = 1 outside the layer).</para>
/// <para>Discretisation: Yee grid, E_z at cell centres, H_x at (i, j+½), H_y at (i+½, j); the 5-point operator with
/// s at the centres for the outer and at the half nodes for the inner derivative. Each row is multiplied by
/// s_x(i)s_y(j), which makes the matrix complex symmetric; it is factored once by
/// <see cref="BandedComplexSymmetricLdl"/> in natural ordering (half-bandwidth = total Nx) and reused for every
/// channel. Second-order accurate away from sources and material jumps.</para>
/// <para>Outputs at cell centres of the output region (<see cref="FdfdChannelField"/>): H_x = −∂y E_z/(jωμ0),
/// H_y = ∂x E_z/(jωμ0) by central differences (the mean of the two adjacent Yee samples),
/// B1⁺ = μ0(H_x + jH_y)/2 and B1⁻ = μ0(H_x − jH_y)*/2.</para>
/// </remarks>
public sealed class FdfdSolver2D
{
    private BandedComplexSymmetricLdl? _ldl;
    private Complex[] _sxC = [], _sxH = [], _syC = [], _syH = [];

    public FdfdSolver2D(FdfdGrid2D grid, double frequencyHz, PmlOptions? pml = null)
    {
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        Omega = HomogeneousMedium.AngularFrequency(frequencyHz);
        FrequencyHz = frequencyHz;
        Pml = pml ?? PmlOptions.Default;
        if (!(Pml.Reflection > 0 && Pml.Reflection < 1)) throw new SarKitInputException($"PML reflection {Pml.Reflection}; expected 0 < R < 1.");
        if (!(Pml.KappaMax >= 1)) throw new SarKitInputException($"PML κ_max {Pml.KappaMax}; expected ≥ 1.");
        (_sxC, _sxH) = Stretches(grid.Nx);
        (_syC, _syH) = Stretches(grid.Ny);
    }

    public FdfdGrid2D Grid { get; }
    public double FrequencyHz { get; }
    /// <summary>Angular frequency ω (rad/s).</summary>
    public double Omega { get; }
    public PmlOptions Pml { get; }
    /// <summary>The materials of the current factorization (null before <see cref="Factor"/>).</summary>
    public FdfdMaterials2D? Materials { get; private set; }
    /// <summary>Seconds spent in the last assembly + factorization.</summary>
    public double LastFactorSeconds { get; private set; }
    /// <summary>Bytes of the band storage.</summary>
    public long MatrixBytes => _ldl?.StorageBytes ?? 0;

    /// <summary>PML stretches at centres (index I) and half nodes (I+½) along one axis of n output cells.</summary>
    private (Complex[] Centre, Complex[] Half) Stretches(int n)
    {
        int p = Grid.PmlCells, total = n + 2 * p;
        var c = new Complex[total]; var h = new Complex[total];
        double L = Math.Max(p, 1) * Grid.CellSize;
        double eta0 = Math.Sqrt(HomogeneousMedium.Mu0 / HomogeneousMedium.Epsilon0);
        double m = Pml.Order;
        double sigmaMax = -(m + 1) * Math.Log(Pml.Reflection) / (2 * eta0 * L);
        Complex S(double pos)
        {
            double u = Math.Max(0, Math.Max(p - 0.5 - pos, pos - (p + n - 0.5))) * Grid.CellSize;
            if (u <= 0 || p == 0) return 1;
            double f = Math.Pow(Math.Min(u / L, 1), m);
            return new Complex(1 + (Pml.KappaMax - 1) * f, -sigmaMax * f / (Omega * HomogeneousMedium.Epsilon0));
        }
        for (int i = 0; i < total; i++) { c[i] = S(i); h[i] = S(i + 0.5); }
        return (c, h);
    }

    /// <summary>Assembles the system for <paramref name="materials"/> and factors it (reusing the band storage).</summary>
    public void Factor(FdfdMaterials2D materials)
    {
        if (materials is null) throw new ArgumentNullException(nameof(materials));
        if (materials.Grid != Grid) throw new SarKitInputException($"FDFD: materials are for grid {materials.Grid.Nx} × {materials.Grid.Ny}, the solver for {Grid.Nx} × {Grid.Ny}.");
        var sw = Stopwatch.StartNew();
        int tnx = Grid.TotalNx, tny = Grid.TotalNy, n = tnx * tny;
        if (_ldl is null) _ldl = new BandedComplexSymmetricLdl(n, tnx);
        else _ldl.Clear();
        double h2 = Grid.CellSize * Grid.CellSize;
        double k0sq = Omega * Omega * HomogeneousMedium.Mu0 * HomogeneousMedium.Epsilon0;
        double invWe0 = 1 / (Omega * HomogeneousMedium.Epsilon0);
        for (int J = 0; J < tny; J++)
            for (int I = 0; I < tnx; I++)
            {
                int row = I + tnx * J;
                int cell = materials.NearestCell(I, J);
                var epsC = new Complex(materials.EpsilonR[cell], -materials.Sigma[cell] * invWe0);
                Complex sx = _sxC[I], sy = _syC[J];
                // x couplings: sy/(h² sxH(I±½)); y couplings: sx/(h² syH(J±½)).
                Complex cxp = sy / (h2 * _sxH[I]);
                Complex cxm = I > 0 ? sy / (h2 * _sxH[I - 1]) : sy / (h2 * _sxH[I] /* mirror: PEC wall half a cell out */);
                Complex cyp = sx / (h2 * _syH[J]);
                Complex cym = J > 0 ? sx / (h2 * _syH[J - 1]) : sx / (h2 * _syH[J]);
                var diag = -(cxp + cxm + cyp + cym) + sx * sy * k0sq * epsC;
                _ldl.Add(row, row, diag);
                if (I + 1 < tnx) _ldl.Add(row, row + 1, cxp);
                if (J + 1 < tny) _ldl.Add(row, row + tnx, cyp);
            }
        _ldl.Factor();
        Materials = materials;
        LastFactorSeconds = sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Fields of each channel (one line-source set per channel, solved together on the one factorization).
    /// Requires <see cref="Factor"/>.
    /// </summary>
    public FdfdChannelField[] Solve(IReadOnlyList<IReadOnlyList<LineSource2D>> channels)
    {
        var ldl = _ldl ?? throw new InvalidOperationException("FDFD: call Factor before Solve.");
        int R = channels.Count;
        if (R == 0) return [];
        int tnx = Grid.TotalNx, p = Grid.PmlCells;
        var xr = new double[(long)Grid.Unknowns * R];
        var xi = new double[xr.Length];
        double h2 = Grid.CellSize * Grid.CellSize;
        for (int r = 0; r < R; r++)
            foreach (var s in channels[r])
            {
                if (!double.IsFinite(s.CurrentA)) throw new SarKitInputException($"FDFD channel {r + 1}: line-source current {s.CurrentA} A; expected finite.");
                var (i, j) = Grid.CellOf(s.X, s.Y, $"line source of channel {r + 1}");
                int I = i + p, J = j + p;
                // RHS of the symmetrised row: s_x s_y jωμ0 I/h² (s = 1 in the output region)
                xi[(long)(I + tnx * J) * R + r] += Omega * HomogeneousMedium.Mu0 * s.CurrentA / h2;
            }
        ldl.Solve(xr, xi, R);
        var result = new FdfdChannelField[R];
        for (int r = 0; r < R; r++) result[r] = Extract(xr, xi, r, R);
        return result;
    }

    /// <summary>One channel per line source (current 1 A each): the usual per-element pTx simulation.</summary>
    public FdfdChannelField[] SolveEach(IReadOnlyList<LineSource2D> elements)
        => Solve(elements.Select(e => (IReadOnlyList<LineSource2D>)[e]).ToArray());

    private FdfdChannelField Extract(double[] xr, double[] xi, int r, int R)
    {
        int nx = Grid.Nx, ny = Grid.Ny, p = Grid.PmlCells, tnx = Grid.TotalNx;
        var ez = new Complex[nx * ny];
        var hx = new Complex[nx * ny];
        var hy = new Complex[nx * ny];
        Complex E(int I, int J) => (I < 0 || J < 0 || I >= tnx || J >= Grid.TotalNy) ? Complex.Zero : new Complex(xr[(long)(I + tnx * J) * R + r], xi[(long)(I + tnx * J) * R + r]);
        var inv = 1 / new Complex(0, Omega * HomogeneousMedium.Mu0 * 2 * Grid.CellSize); // 1/(jωμ0·2h)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                int I = i + p, J = j + p, c = i + nx * j;
                ez[c] = E(I, J);
                hx[c] = -(E(I, J + 1) - E(I, J - 1)) * inv;
                hy[c] = (E(I + 1, J) - E(I - 1, J)) * inv;
            }
        return new FdfdChannelField(Grid, ez, hx, hy);
    }
}

/// <summary>
/// The TM_z field of one channel on the output cells of an <see cref="FdfdGrid2D"/> (index i + Nx·j), phasors under
/// exp(+jωt), peak amplitudes: E_z (V/m), H_x, H_y (A/m); derived B1⁺ and B1⁻ (T).
/// </summary>
/// <remarks>
/// Sign convention (Hoult, Concepts Magn. Reson. 12 (2000) 173, for exp(+jωt) and B0 along +z):
/// B1⁺ = μ0(H_x + jH_y)/2 is the component rotating counter-clockwise seen from +z (x → y); B1⁻ = μ0(H_x − jH_y)*/2
/// the clockwise one, conjugated as a receive sensitivity. A field B(t) = B(cos ωt, sin ωt) has B1⁺ = B, B1⁻ = 0.
/// For B0 along −z, or exp(−jωt) data, swap the roles (tested with a birdcage-like 8-element drive, FdfdSolver2DTests).
/// </remarks>
public sealed class FdfdChannelField
{
    internal FdfdChannelField(FdfdGrid2D grid, Complex[] ez, Complex[] hx, Complex[] hy)
    {
        Grid = grid; Ez = ez; Hx = hx; Hy = hy;
    }

    public FdfdGrid2D Grid { get; }
    public Complex[] Ez { get; }
    public Complex[] Hx { get; }
    public Complex[] Hy { get; }

    /// <summary>B1⁺ = μ0(H_x + jH_y)/2 at cell c (T).</summary>
    public Complex B1Plus(int c) => HomogeneousMedium.Mu0 * (Hx[c] + Complex.ImaginaryOne * Hy[c]) / 2;
    /// <summary>B1⁻ = μ0(H_x − jH_y)*/2 at cell c (T).</summary>
    public Complex B1Minus(int c) => Complex.Conjugate(HomogeneousMedium.Mu0 * (Hx[c] - Complex.ImaginaryOne * Hy[c]) / 2);

    /// <summary>B1⁺ map (T), length Nx·Ny.</summary>
    public Complex[] B1PlusMap() { var b = new Complex[Ez.Length]; for (int c = 0; c < b.Length; c++) b[c] = B1Plus(c); return b; }
    /// <summary>B1⁻ map (T), length Nx·Ny.</summary>
    public Complex[] B1MinusMap() { var b = new Complex[Ez.Length]; for (int c = 0; c < b.Length; c++) b[c] = B1Minus(c); return b; }
}
