using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Engines;

/// <summary>One transmit channel of a <see cref="DipoleArrayEngine"/>: a name and the point sources it drives.</summary>
public sealed record DipoleChannel(string Name, IReadOnlyList<PointSource> Sources);

/// <summary>Fields computed by <see cref="DipoleArrayEngine.Compute"/>: E always, H and B1+ when requested.</summary>
public sealed record EngineFields(MultiChannelField E, MultiChannelField? H, MultiChannelField? B1Plus);

/// <summary>
/// Closed-form, exact time-harmonic fields of short electric dipoles (Hertzian, moment I·l) and small loops
/// (magnetic dipoles, moment I·A) in an <b>infinite homogeneous</b> (possibly lossy) medium, evaluated at voxel
/// centres, one <see cref="MultiChannelField"/> channel per <see cref="DipoleChannel"/>, normalised
/// <see cref="FieldNormalisation.PerAmpere"/> (field for 1 A peak drive current of the channel).
/// </summary>
/// <remarks>
/// <para>This is a <b>test and benchmark engine, not a simulator</b>: it does not solve the inhomogeneous problem.
/// The fields are those of the sources in one homogeneous medium everywhere (e.g. muscle, or a user medium); a
/// phantom's σ and ρ are used only afterwards, for SAR. The fields satisfy Maxwell's equations exactly away from the
/// sources, so they are a valid and fast input for SAR, averaging and VOP code and their tests.</para>
/// <para>Conventions: time factor exp(+jωt), peak phasors, k = ω√(μ(ε − jσ/ω)) with Im k ≤ 0, free-space Green's
/// function g = e^{−jkR}/(4πR). Electric dipole p = I·l·û:
/// E = −jωμ p g [(1 + A + A²) û − (1 + 3A + 3A²)(û·r̂) r̂], H = jk p g (1 + A)(û × r̂), A = 1/(jkR);
/// magnetic dipole m = I·A·n̂ (dual): H = k² m g [(1 + A + A²) n̂ − (1 + 3A + 3A²)(n̂·r̂) r̂],
/// E = ωμ k m g (1 + A)(n̂ × r̂). These are C.A. Balanis, <i>Antenna Theory</i>, 3rd ed. (2005), eqs. 4-8a–c/4-10a–c
/// (infinitesimal dipole) and 5-18a–c/5-19 (small loop), rewritten for an arbitrary orientation and complex k.
/// B1+ = μ(Hx + jHy)/2 (μ = μ0 for tissue); with exp(+jωt) this is the amplitude of the component of H rotating
/// from +x towards +y (counter-clockwise seen from +z); see docs/field-engine.md for the relation to the proton
/// precession sense.</para>
/// <para>Singularity: the fields diverge as R⁻³ at a source. <see cref="Compute"/> throws
/// <see cref="SarKitInputException"/> when a voxel centre lies closer than half a voxel (half its smallest width) to
/// a source.</para>
/// </remarks>
public sealed class DipoleArrayEngine
{
    private readonly List<DipoleChannel> _channels = new();
    private readonly MediumConstants _m;

    /// <param name="medium">Homogeneous medium filling all space.</param>
    /// <param name="frequencyHz">Operating frequency f (Hz), ω = 2πf.</param>
    public DipoleArrayEngine(HomogeneousMedium medium, double frequencyHz)
    {
        Medium = medium ?? throw new ArgumentNullException(nameof(medium));
        _m = new MediumConstants(medium, frequencyHz);
        FrequencyHz = frequencyHz;
    }

    public HomogeneousMedium Medium { get; }
    public double FrequencyHz { get; }
    /// <summary>Complex wavenumber k of the medium (rad/m).</summary>
    public Complex Wavenumber => _m.K;
    public IReadOnlyList<DipoleChannel> Channels => _channels;

    /// <summary>Adds a channel that drives <paramref name="sources"/> (each with its own weight) from one 1 A drive.</summary>
    public DipoleArrayEngine AddChannel(string name, params PointSource[] sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Length == 0) throw new SarKitInputException($"Channel '{name}' has no sources.");
        foreach (var s in sources) ArgumentNullException.ThrowIfNull(s, nameof(sources));
        _channels.Add(new DipoleChannel(name, sources.ToArray()));
        return this;
    }

    /// <summary>Adds a single-source channel named "ch&lt;index&gt;".</summary>
    public DipoleArrayEngine AddChannel(PointSource source) => AddChannel($"ch{_channels.Count}", source);

    /// <summary>E and H (per 1 A drive) of channel <paramref name="channel"/> at one point, in double precision.</summary>
    public (ComplexVector3 E, ComplexVector3 H) Evaluate(int channel, (double X, double Y, double Z) point)
    {
        if ((uint)channel >= (uint)_channels.Count) throw new SarKitInputException($"Channel {channel} does not exist (have {_channels.Count}).");
        Span<double> acc = stackalloc double[12];
        foreach (var s in _channels[channel].Sources) DipoleKernel.Add(new SourceTerm(s, _m), _m, point.X, point.Y, point.Z, acc);
        return ToVectors(acc);
    }

    /// <summary>E and H of one source (per 1 A drive) at one point in <paramref name="medium"/>, in double precision.</summary>
    public static (ComplexVector3 E, ComplexVector3 H) Evaluate(PointSource source, HomogeneousMedium medium, double frequencyHz, (double X, double Y, double Z) point)
    {
        var m = new MediumConstants(medium, frequencyHz);
        Span<double> acc = stackalloc double[12];
        DipoleKernel.Add(new SourceTerm(source, m), m, point.X, point.Y, point.Z, acc);
        return ToVectors(acc);
    }

    private static (ComplexVector3, ComplexVector3) ToVectors(ReadOnlySpan<double> a) => (
        new ComplexVector3(new(a[0], a[1]), new(a[2], a[3]), new(a[4], a[5])),
        new ComplexVector3(new(a[6], a[7]), new(a[8], a[9]), new(a[10], a[11])));

    /// <summary>
    /// Evaluates all channels at the voxel centres of <paramref name="grid"/>: E (V/m per A) always, H (A/m per A) and
    /// B1+ = μ(Hx + jHy)/2 (T per A) on request. Parallel over z-slices; arithmetic in double, stored as complex64.
    /// Throws <see cref="SarKitInputException"/> when there are no channels or a source is closer than half a voxel to
    /// a voxel centre.
    /// </summary>
    public EngineFields Compute(VoxelGrid grid, bool includeH = false, bool includeB1Plus = false)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (_channels.Count == 0) throw new SarKitInputException("The dipole array has no channels.");
        CheckSingularities(grid);

        string[] names = _channels.Select(c => c.Name).ToArray();
        int nch = _channels.Count;
        var src = $"DipoleArrayEngine({Medium}, {FrequencyHz / 1e6:G6} MHz)";
        var e = new MultiChannelField(grid, nch, FieldQuantity.E, FieldNormalisation.PerAmpere, names) { Source = src };
        var h = includeH ? new MultiChannelField(grid, nch, FieldQuantity.H, FieldNormalisation.PerAmpere, names) { Source = src } : null;
        var b1 = includeB1Plus ? new MultiChannelField(grid, nch, FieldQuantity.B1Plus, FieldNormalisation.PerAmpere, names) { Source = src } : null;

        var terms = _channels.Select(c => c.Sources.Select(s => new SourceTerm(s, _m)).ToArray()).ToArray();
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        var cx = new double[nx];
        for (int i = 0; i < nx; i++) cx[i] = grid.CentreX(i);
        var m = _m;
        double mu = Medium.Mu;

        // Output arrays per channel, resolved once.
        var eOut = new float[nch][][]; var hOut = new float[nch][][]; var bOut = new float[nch][];
        for (int c = 0; c < nch; c++)
        {
            eOut[c] = [e.ComponentData(c, 0), e.ComponentData(c, 1), e.ComponentData(c, 2)];
            if (h is not null) hOut[c] = [h.ComponentData(c, 0), h.ComponentData(c, 1), h.ComponentData(c, 2)];
            if (b1 is not null) bOut[c] = b1.ComponentData(c, 0);
        }

        Parallel.For(0, nz, () => new double[12 * nx], (k, _, buf) =>
        {
            double z = grid.CentreZ(k);
            for (int j = 0; j < ny; j++)
            {
                double y = grid.CentreY(j);
                long rowStart = 2L * nx * (j + (long)ny * k);
                for (int c = 0; c < nch; c++)
                {
                    Array.Clear(buf);
                    foreach (ref readonly var t in terms[c].AsSpan())
                        for (int i = 0; i < nx; i++)
                            DipoleKernel.Add(t, m, cx[i], y, z, buf.AsSpan(12 * i, 12));
                    Store(buf, nx, rowStart, eOut[c], h is null ? null : hOut[c], b1 is null ? null : bOut[c], mu);
                }
            }
            return buf;
        }, _ => { });

        return new EngineFields(e, h, b1);
    }

    private static void Store(double[] buf, int nx, long rowStart, float[][] e, float[][]? h, float[]? b1, double mu)
    {
        float[] ex = e[0], ey = e[1], ez = e[2];
        for (int i = 0; i < nx; i++)
        {
            int o = 12 * i; long p = rowStart + 2 * i;
            ex[p] = (float)buf[o]; ex[p + 1] = (float)buf[o + 1];
            ey[p] = (float)buf[o + 2]; ey[p + 1] = (float)buf[o + 3];
            ez[p] = (float)buf[o + 4]; ez[p + 1] = (float)buf[o + 5];
        }
        if (h is not null)
        {
            float[] hx = h[0], hy = h[1], hz = h[2];
            for (int i = 0; i < nx; i++)
            {
                int o = 12 * i + 6; long p = rowStart + 2 * i;
                hx[p] = (float)buf[o]; hx[p + 1] = (float)buf[o + 1];
                hy[p] = (float)buf[o + 2]; hy[p + 1] = (float)buf[o + 3];
                hz[p] = (float)buf[o + 4]; hz[p + 1] = (float)buf[o + 5];
            }
        }
        if (b1 is not null)
        {
            double half = 0.5 * mu;
            for (int i = 0; i < nx; i++)
            {
                int o = 12 * i + 6; long p = rowStart + 2 * i;
                // (Hx + jHy) = (HxRe − HyIm) + j(HxIm + HyRe)
                b1[p] = (float)(half * (buf[o] - buf[o + 3]));
                b1[p + 1] = (float)(half * (buf[o + 1] + buf[o + 2]));
            }
        }
    }

    /// <summary>Throws when a voxel centre is closer than half the voxel's smallest width to a source.</summary>
    private void CheckSingularities(VoxelGrid grid)
    {
        double[] cx = Centres(grid, 0), cy = Centres(grid, 1), cz = Centres(grid, 2);
        double hx = MaxWidth(grid.EdgesX), hy = MaxWidth(grid.EdgesY), hz = MaxWidth(grid.EdgesZ);
        for (int c = 0; c < _channels.Count; c++)
            for (int si = 0; si < _channels[c].Sources.Count; si++)
            {
                var s = _channels[c].Sources[si];
                var (px, py, pz) = s.Position;
                var (i0, i1) = Range(cx, px, 0.5 * hx);
                var (j0, j1) = Range(cy, py, 0.5 * hy);
                var (k0, k1) = Range(cz, pz, 0.5 * hz);
                for (int k = k0; k < k1; k++)
                    for (int j = j0; j < j1; j++)
                        for (int i = i0; i < i1; i++)
                        {
                            double dx = cx[i] - px, dy = cy[j] - py, dz = cz[k] - pz;
                            double r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                            double half = 0.5 * Math.Min(grid.WidthX(i), Math.Min(grid.WidthY(j), grid.WidthZ(k)));
                            if (r < half)
                                throw new SarKitInputException(FormattableString.Invariant(
                                    $"Channel '{_channels[c].Name}' source {si} ({s}) is {r * 1e3:G4} mm from the centre of voxel (i={i}, j={j}, k={k}), closer than half a voxel ({half * 1e3:G4} mm): the point-source field is singular there. Move the source away from the evaluated voxel centres (e.g. onto a voxel corner) or outside the grid."));
                        }
            }
    }

    private static double[] Centres(VoxelGrid g, int axis)
    {
        var e = g.EdgesArray(axis);
        var c = new double[e.Length - 1];
        for (int i = 0; i < c.Length; i++) c[i] = 0.5 * (e[i] + e[i + 1]);
        return c;
    }

    private static double MaxWidth(ReadOnlySpan<double> e)
    {
        double w = 0;
        for (int i = 0; i + 1 < e.Length; i++) w = Math.Max(w, e[i + 1] - e[i]);
        return w;
    }

    /// <summary>Index range [lo, hi) of sorted centres within distance <paramref name="d"/> of <paramref name="p"/>.</summary>
    private static (int, int) Range(double[] c, double p, double d)
    {
        int lo = LowerBound(c, p - d), hi = LowerBound(c, p + d);
        while (hi < c.Length && c[hi] <= p + d) hi++;
        return (lo, hi);
    }

    private static int LowerBound(double[] c, double v)
    {
        int lo = 0, hi = c.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (c[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
