using SarKit.Grid;

namespace SarKit.Averaging;

/// <summary>
/// The tissue's bounding box grown by one background voxel (clamped to the grid): summed-volume tables of quantities that
/// vanish outside tissue are built over this box only, with queries shifted into it (<see cref="CroppedIntegral"/>).
/// </summary>
internal sealed class TissueRegion
{
    public int I0, J0, K0, Sx, Sy, Sz;
    public int Nx, Ny;

    public static TissueRegion Of(double[] rho, VoxelGrid g)
    {
        int i0 = g.Nx, j0 = g.Ny, k0 = g.Nz, i1 = -1, j1 = -1, k1 = -1;
        int v = 0;
        for (int k = 0; k < g.Nz; k++)
            for (int j = 0; j < g.Ny; j++)
                for (int i = 0; i < g.Nx; i++, v++)
                    if (rho[v] > 0)
                    {
                        if (i < i0) i0 = i; if (i > i1) i1 = i;
                        if (j < j0) j0 = j; if (j > j1) j1 = j;
                        if (k < k0) k0 = k; if (k > k1) k1 = k;
                    }
        if (i1 < 0) { i0 = j0 = k0 = 0; i1 = j1 = k1 = 0; }
        i0 = Math.Max(0, i0 - 1); j0 = Math.Max(0, j0 - 1); k0 = Math.Max(0, k0 - 1);
        i1 = Math.Min(g.Nx - 1, i1 + 1); j1 = Math.Min(g.Ny - 1, j1 + 1); k1 = Math.Min(g.Nz - 1, k1 + 1);
        return new TissueRegion { I0 = i0, J0 = j0, K0 = k0, Sx = i1 - i0 + 1, Sy = j1 - j0 + 1, Sz = k1 - k0 + 1, Nx = g.Nx, Ny = g.Ny };
    }

    /// <summary>Summed-volume table of value(global linear voxel index) over the region.</summary>
    public CroppedIntegral Table(Func<int, double> value)
    {
        var q = new double[(long)Sx * Sy * Sz];
        int sx = Sx, sy = Sy;
        Parallel.For(0, Sz, c =>
        {
            for (int b = 0; b < sy; b++)
            {
                int g = I0 + Nx * (J0 + b + Ny * (K0 + c));
                int o = sx * (b + sy * c);
                for (int a = 0; a < sx; a++) q[o + a] = value(g + a);
            }
        });
        return new CroppedIntegral(PrefixSum3D.Build(Sx, Sy, Sz, q), I0, J0, K0);
    }
}

/// <summary>A summed-volume table over a sub-box of the grid, queried in whole-grid voxel coordinates (zero outside).</summary>
internal sealed class CroppedIntegral(PrefixSum3D table, int i0, int j0, int k0) : IVoxelIntegral
{
    public double Box(in Box3 b) => table.Box(new Box3(b.X0 - i0, b.X1 - i0, b.Y0 - j0, b.Y1 - j0, b.Z0 - k0, b.Z1 - k0));

    public double IntegerBox(int a0, int a1, int b0, int b1, int c0, int c1)
    {
        a0 = Math.Clamp(a0 - i0, 0, table.Nx); a1 = Math.Clamp(a1 - i0, 0, table.Nx);
        b0 = Math.Clamp(b0 - j0, 0, table.Ny); b1 = Math.Clamp(b1 - j0, 0, table.Ny);
        c0 = Math.Clamp(c0 - k0, 0, table.Nz); c1 = Math.Clamp(c1 - k0, 0, table.Nz);
        if (a1 <= a0 || b1 <= b0 || c1 <= c0) return 0;
        return table.IntegerBox(a0, a1, b0, b1, c0, c1);
    }
}
