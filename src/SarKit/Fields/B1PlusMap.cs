using System.Numerics;
using SarKit.Grid;

namespace SarKit.Fields;

/// <summary>Which circularly polarised component of the transverse magnetic field is the transmit field B1+.</summary>
public enum B1RotationSense
{
    /// <summary>
    /// B1+ = (Bx + i·By)/2 for peak phasors with time factor e^{+iωt}: the component rotating counterclockwise seen from +z
    /// (from +x towards +y). It is the component the circularly polarised drive of SarKit ("cp", phase −360°·c/N on
    /// elements placed counterclockwise) produces, and the transmit field when the static field B0 points along −z.
    /// </summary>
    CounterClockwise,
    /// <summary>B1+ = (Bx − i·By)/2 (e^{+iωt}): the clockwise component, the transmit field for B0 along +z (γ &gt; 0 precesses clockwise).</summary>
    Clockwise,
}

/// <summary>
/// Transmit (B1+) maps per channel from the fields of a <see cref="SarDataset"/>. For peak phasors with time factor
/// e^{+iωt}, B(t) = Re(B·e^{iωt}); the field B = (1, −i)·b rotates counterclockwise about +z and
/// (Bx + i·By)/2 = b, (Bx − i·By)/2 = 0, so (Bx ± i·By)/2 is the amplitude of the counter-/clockwise rotating part
/// (Hoult, Concepts Magn Reson 2000;12:173, with the sign fixed by the time convention and the B0 direction,
/// <see cref="B1RotationSense"/>). B = μ0·H (non-magnetic tissue). Without H, B follows from Faraday's law
/// ∇×E = −iωB, i.e. B = i·(∇×E)/ω, with central differences of the cell-centred E on the voxel grid (one-sided at the
/// grid border): second order in smooth regions, but the normal component of E jumps at tissue interfaces, so B there
/// carries an O(1) error over one voxel; prefer H (or a stored B1+) when the dataset has it.
/// </summary>
public static class B1PlusMap
{
    /// <summary>Vacuum permeability μ0, H/m (CODATA 2018).</summary>
    public const double Mu0 = 1.25663706212e-6;

    /// <summary>Where a B1+ map came from.</summary>
    public enum Origin
    {
        /// <summary>Read from the dataset's /fields/B1plus.</summary>
        Stored,
        /// <summary>B = μ0·H.</summary>
        FromH,
        /// <summary>B = i(∇×E)/ω (Faraday, finite differences).</summary>
        FromCurlE,
    }

    /// <summary>
    /// The dataset's B1+ per channel: stored B1+ if present, else from H, else from ∇×E (needs the frequency). Returns the
    /// map and how it was obtained.
    /// </summary>
    public static (MultiChannelField Map, Origin Origin) For(SarDataset ds, B1RotationSense sense = B1RotationSense.CounterClockwise)
    {
        ArgumentNullException.ThrowIfNull(ds);
        if (ds.B1Plus is { } b) return (b, Origin.Stored);
        if (ds.H is { } h) return (FromH(h, sense), Origin.FromH);
        if (!(ds.FrequencyHz > 0) || !double.IsFinite(ds.FrequencyHz))
            throw new SarKitInputException($"{ds.Source}: the dataset has neither B1+ nor H and no frequency (frequency_hz = {ds.FrequencyHz}); B1+ cannot be derived from E.") { SourceFile = ds.Source };
        return (FromE(ds.E, ds.FrequencyHz, sense), Origin.FromCurlE);
    }

    /// <summary>B1+ = μ0·(Hx ± i·Hy)/2 per channel (T per drive unit).</summary>
    public static MultiChannelField FromH(MultiChannelField h, B1RotationSense sense = B1RotationSense.CounterClockwise)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Quantity != FieldQuantity.H) throw new ArgumentException("Expected an H field.", nameof(h));
        var r = new MultiChannelField(h.Grid, h.Channels, FieldQuantity.B1Plus, h.Normalisation, h.ChannelNames) { Source = h.Source + " (B1+ = μ0(Hx ± iHy)/2)" };
        double s = sense == B1RotationSense.CounterClockwise ? 1 : -1;
        int nv = h.Grid.VoxelCount;
        for (int c = 0; c < h.Channels; c++)
        {
            var hx = h.ComponentData(c, 0); var hy = h.ComponentData(c, 1); var dst = r.ComponentData(c, 0);
            for (int v = 0; v < nv; v++)
            {
                // (Hx + i s Hy)/2 with Hy = a + ib: i s (a + ib) = −s b + i s a
                double re = 0.5 * Mu0 * (hx[2 * v] - s * hy[2 * v + 1]);
                double im = 0.5 * Mu0 * (hx[2 * v + 1] + s * hy[2 * v]);
                dst[2 * v] = (float)re; dst[2 * v + 1] = (float)im;
            }
        }
        return r;
    }

    /// <summary>Combines B1+ from a B phasor pair (Bx, By) (no μ0): (Bx ± i·By)/2.</summary>
    public static Complex Combine(Complex bx, Complex by, B1RotationSense sense = B1RotationSense.CounterClockwise)
        => 0.5 * (bx + (sense == B1RotationSense.CounterClockwise ? Complex.ImaginaryOne : -Complex.ImaginaryOne) * by);

    /// <summary>
    /// B1+ from E through Faraday's law, B = i(∇×E)/ω with ω = 2πf, derivatives by central differences between voxel
    /// centres (one-sided on the grid border; non-uniform grids allowed). T per drive unit.
    /// </summary>
    public static MultiChannelField FromE(MultiChannelField e, double frequencyHz, B1RotationSense sense = B1RotationSense.CounterClockwise)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Quantity != FieldQuantity.E) throw new ArgumentException("Expected an E field.", nameof(e));
        if (!(frequencyHz > 0) || !double.IsFinite(frequencyHz)) throw new SarKitInputException($"Frequency {frequencyHz} Hz: B1+ from E needs a frequency > 0.");
        var g = e.Grid;
        if (g.Nx < 2 || g.Ny < 2) throw new SarKitInputException($"B1+ from ∇×E needs at least 2 voxels along x and y; the grid is {g}.");
        double omega = 2 * Math.PI * frequencyHz;
        var r = new MultiChannelField(g, e.Channels, FieldQuantity.B1Plus, e.Normalisation, e.ChannelNames) { Source = e.Source + " (B1+ = i(∇×E)/ω, finite differences)" };
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        for (int c = 0; c < e.Channels; c++)
        {
            var ex = e.ComponentData(c, 0); var ey = e.ComponentData(c, 1); var ez = e.ComponentData(c, 2); var dst = r.ComponentData(c, 0);
            for (int k = 0; k < nz; k++)
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++)
                    {
                        int v = g.Index(i, j, k);
                        // curl_x = ∂y Ez − ∂z Ey, curl_y = ∂z Ex − ∂x Ez
                        Complex dyEz = Deriv(ez, g, i, j, k, 1), dzEy = nz > 1 ? Deriv(ey, g, i, j, k, 2) : 0;
                        Complex dzEx = nz > 1 ? Deriv(ex, g, i, j, k, 2) : 0, dxEz = Deriv(ez, g, i, j, k, 0);
                        var bx = Complex.ImaginaryOne * (dyEz - dzEy) / omega;
                        var by = Complex.ImaginaryOne * (dzEx - dxEz) / omega;
                        var b1 = Combine(bx, by, sense);
                        dst[2 * v] = (float)b1.Real; dst[2 * v + 1] = (float)b1.Imaginary;
                    }
        }
        return r;
    }

    // ∂f/∂axis at voxel centre (i, j, k): central difference between the neighbouring centres, one-sided at the border.
    private static Complex Deriv(float[] f, VoxelGrid g, int i, int j, int k, int axis)
    {
        int n = axis switch { 0 => g.Nx, 1 => g.Ny, _ => g.Nz };
        int p = axis switch { 0 => i, 1 => j, _ => k };
        int lo = Math.Max(p - 1, 0), hi = Math.Min(p + 1, n - 1);
        double Centre(int q) => axis switch { 0 => g.CentreX(q), 1 => g.CentreY(q), _ => g.CentreZ(q) };
        int Idx(int q) => axis switch { 0 => g.Index(q, j, k), 1 => g.Index(i, q, k), _ => g.Index(i, j, q) };
        int a = Idx(lo), b = Idx(hi);
        double h = Centre(hi) - Centre(lo);
        return new Complex(f[2 * b] - f[2 * a], f[2 * b + 1] - f[2 * a + 1]) / h;
    }
}
