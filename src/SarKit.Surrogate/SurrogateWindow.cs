using System.Text.Json;

namespace SarKit.Surrogate;

/// <summary>The training grid of a surrogate (config.json "grid": nx, ny, cell_size_m; docs/surrogate.md).</summary>
public sealed record SurrogateTrainingGrid(int Nx, int Ny, double CellSizeM);

/// <summary>
/// The window [Y0, Y1) × [X0, X1) of the training grid that surrogate/train.py trained on (config.json "crop"; every
/// training body lies inside). Inference on an input of the training grid runs the network on exactly this window,
/// zero-padded bottom/right to the model's pad multiple, as training did (data.crop, then data.pad_multiple).
/// </summary>
public sealed record SurrogateCropWindow(int Y0, int Y1, int X0, int X1)
{
    public int Height => Y1 - Y0;
    public int Width => X1 - X0;
    public override string ToString() => $"y {Y0}..{Y1}, x {X0}..{X1}";
}

/// <summary>Reads "grid" and "crop" of a surrogate config and chooses the region the network runs on.</summary>
internal static class SurrogateWindowing
{
    /// <summary>(grid, crop) from a config root; both optional (old configs have neither → whole input).</summary>
    public static (SurrogateTrainingGrid? Grid, SurrogateCropWindow? Crop) Read(JsonElement root, string cfgPath)
    {
        SurrogateTrainingGrid? grid = null; SurrogateCropWindow? crop = null;
        if (root.TryGetProperty("grid", out var g) && g.ValueKind == JsonValueKind.Object)
        {
            int nx = g.TryGetProperty("nx", out var a) ? a.GetInt32() : 0, ny = g.TryGetProperty("ny", out var b) ? b.GetInt32() : 0;
            double h = g.TryGetProperty("cell_size_m", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : double.NaN;
            if (nx < 1 || ny < 1) throw new SarKitInputException($"'{cfgPath}': grid nx {nx}, ny {ny}; expected positive cell counts.") { SourceFile = cfgPath, Dataset = "grid" };
            grid = new SurrogateTrainingGrid(nx, ny, h);
        }
        if (root.TryGetProperty("crop", out var w) && w.ValueKind == JsonValueKind.Object)
        {
            int Get(string k) => w.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
                : throw new SarKitInputException($"'{cfgPath}': crop has no integer '{k}'; expected {{y0, y1, x0, x1}}.") { SourceFile = cfgPath, Dataset = "crop" };
            crop = new SurrogateCropWindow(Get("y0"), Get("y1"), Get("x0"), Get("x1"));
            if (grid is null) throw new SarKitInputException($"'{cfgPath}': 'crop' ({crop}) without 'grid'; the window refers to the training grid.") { SourceFile = cfgPath, Dataset = "crop" };
            if (crop.Y0 < 0 || crop.Y1 > grid.Ny || crop.Y0 >= crop.Y1 || crop.X0 < 0 || crop.X1 > grid.Nx || crop.X0 >= crop.X1)
                throw new SarKitInputException($"'{cfgPath}': crop {crop} is not a non-empty window of the {grid.Ny} × {grid.Nx} training grid.") { SourceFile = cfgPath, Dataset = "crop" };
        }
        return (grid, crop);
    }

    /// <summary>
    /// Region (first row, first column, rows, columns) of an ny × nx input the network runs on: the crop window when
    /// the input has the training grid's size (every body cell must then lie inside it), else the whole input.
    /// </summary>
    public static (int Y0, int X0, int H, int W) Region(SurrogateTrainingGrid? grid, SurrogateCropWindow? crop, int nx, int ny, ReadOnlySpan<byte> mask, string source)
    {
        if (crop is null || grid is null || grid.Nx != nx || grid.Ny != ny) return (0, 0, ny, nx);
        for (int j = 0; j < ny; j++)
        {
            bool rowInside = j >= crop.Y0 && j < crop.Y1;
            for (int i = 0; i < nx; i++)
                if (mask[i + nx * j] != 0 && (!rowInside || i < crop.X0 || i >= crop.X1))
                    throw new SarKitInputException($"'{source}': body cell [{j}, {i}] (mask = 1) lies outside the model's training window {crop} of the {ny} × {nx} grid; the model never saw tissue there.")
                    { SourceFile = source, Dataset = "mask" };
        }
        return (crop.Y0, crop.X0, crop.Height, crop.Width);
    }

    /// <summary>Size padded up to a multiple of <paramref name="k"/> (zero padding bottom/right).</summary>
    public static int Padded(int n, int k) { k = Math.Max(k, 1); return n + (k - n % k) % k; }
}
