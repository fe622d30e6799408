namespace SarKit.Surrogate.Fdfd2D;

/// <summary>
/// The uniform square-cell grid of the 2D FDFD engine: <see cref="Nx"/> × <see cref="Ny"/> cells of side
/// <see cref="CellSize"/> (the region returned to the caller), centred on the origin, surrounded by
/// <see cref="PmlCells"/> cells of perfectly matched layer on every side. E_z lives at cell centres: cell (i, j) has
/// centre x_i = (i − (Nx−1)/2)·h, y_j = (j − (Ny−1)/2)·h; linear index i + Nx·j (x fastest, the C order of a
/// [Ny, Nx] array, as <see cref="Grid.VoxelGrid"/>).
/// </summary>
public sealed record FdfdGrid2D
{
    public FdfdGrid2D(int nx, int ny, double cellSize, int pmlCells = 16)
    {
        if (nx < 3 || ny < 3) throw new SarKitInputException($"FDFD grid {nx} × {ny} cells; expected at least 3 × 3.");
        if (!double.IsFinite(cellSize) || cellSize <= 0) throw new SarKitInputException($"FDFD cell size {cellSize} m; expected a finite value > 0.");
        if (pmlCells < 0) throw new SarKitInputException($"FDFD PML thickness {pmlCells} cells; expected ≥ 0.");
        Nx = nx; Ny = ny; CellSize = cellSize; PmlCells = pmlCells;
    }

    /// <summary>Cells along x in the output region (PML excluded).</summary>
    public int Nx { get; }
    /// <summary>Cells along y in the output region (PML excluded).</summary>
    public int Ny { get; }
    /// <summary>Cell side h (m).</summary>
    public double CellSize { get; }
    /// <summary>PML thickness in cells on each side.</summary>
    public int PmlCells { get; }

    /// <summary>Cells in the output region.</summary>
    public int CellCount => Nx * Ny;
    /// <summary>Cells along x including both PMLs (= the half-bandwidth of the system matrix in natural ordering).</summary>
    public int TotalNx => Nx + 2 * PmlCells;
    /// <summary>Cells along y including both PMLs.</summary>
    public int TotalNy => Ny + 2 * PmlCells;
    /// <summary>Unknowns of the linear system.</summary>
    public int Unknowns => TotalNx * TotalNy;

    /// <summary>x of the centre of column i (m); i may be negative or ≥ Nx (PML).</summary>
    public double X(int i) => (i - (Nx - 1) / 2.0) * CellSize;
    /// <summary>y of the centre of row j (m).</summary>
    public double Y(int j) => (j - (Ny - 1) / 2.0) * CellSize;

    /// <summary>Cell containing (x, y) (nearest centre); throws when outside the output region.</summary>
    public (int I, int J) CellOf(double x, double y, string what = "point")
    {
        int i = (int)Math.Round(x / CellSize + (Nx - 1) / 2.0), j = (int)Math.Round(y / CellSize + (Ny - 1) / 2.0);
        if (i < 0 || i >= Nx || j < 0 || j >= Ny)
            throw new SarKitInputException($"FDFD: {what} at ({x:G4}, {y:G4}) m is outside the {Nx} × {Ny} grid of {CellSize * 1e3:G4} mm cells (x, y within ±{Nx * CellSize / 2:G4}, ±{Ny * CellSize / 2:G4} m).");
        return (i, j);
    }
}
