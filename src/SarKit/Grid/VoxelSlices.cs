namespace SarKit.Grid;

/// <summary>Axis normal to a slice plane.</summary>
public enum SliceNormal { X, Y, Z }

/// <summary>
/// One axis-aligned plane of a voxel map (linear voxel order, <see cref="VoxelGrid.Index"/>): Width × Height values,
/// row-major with the first in-plane axis fastest. Normal Z: (x, y); normal Y: (x, z); normal X: (y, z).
/// </summary>
public sealed record VoxelSlice(SliceNormal Normal, int Index, int Width, int Height, float[] Values);

/// <summary>Extracts axis-aligned planes from voxel maps (single-precision copies for display).</summary>
public static class VoxelSlices
{
    /// <summary>The plane normal to <paramref name="normal"/> at voxel index <paramref name="index"/> along that axis.</summary>
    public static VoxelSlice Extract(ReadOnlySpan<double> map, VoxelGrid grid, SliceNormal normal, int index)
    {
        if (map.Length != grid.VoxelCount) throw new ArgumentException($"Map has {map.Length} values, grid {grid.VoxelCount} voxels.", nameof(map));
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        int n = normal switch { SliceNormal.X => nx, SliceNormal.Y => ny, _ => nz };
        if (index < 0 || index >= n) throw new SarKitInputException($"Slice index {index} along {normal} is outside 0…{n - 1}.");
        switch (normal)
        {
            case SliceNormal.Z:
            {
                var r = new float[nx * ny];
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++) r[j * nx + i] = (float)map[grid.Index(i, j, index)];
                return new VoxelSlice(normal, index, nx, ny, r);
            }
            case SliceNormal.Y:
            {
                var r = new float[nx * nz];
                for (int k = 0; k < nz; k++)
                    for (int i = 0; i < nx; i++) r[k * nx + i] = (float)map[grid.Index(i, index, k)];
                return new VoxelSlice(normal, index, nx, nz, r);
            }
            default:
            {
                var r = new float[ny * nz];
                for (int k = 0; k < nz; k++)
                    for (int j = 0; j < ny; j++) r[k * ny + j] = (float)map[grid.Index(index, j, k)];
                return new VoxelSlice(normal, index, ny, nz, r);
            }
        }
    }

    /// <summary>The three orthogonal planes through voxel (i, j, k): normal X at i, normal Y at j, normal Z at k.</summary>
    public static VoxelSlice[] Through(ReadOnlySpan<double> map, VoxelGrid grid, int i, int j, int k)
        => [Extract(map, grid, SliceNormal.X, i), Extract(map, grid, SliceNormal.Y, j), Extract(map, grid, SliceNormal.Z, k)];
}
