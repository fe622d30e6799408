using System.Globalization;
using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;

namespace SarKit.Engines;

/// <summary>
/// Parameters of a <see cref="SyntheticPopulation"/>: a seeded population of 10 g-like Q-matrices generated on the fly
/// (docs/population.md). The matrices depend only on these values and their index, so any index range can be
/// regenerated bit for bit by any process (a partition task, the merge, the verifier).
/// </summary>
public sealed record SyntheticPopulationSpec
{
    /// <summary>Number of matrices K (≥ 1).</summary>
    public long Count { get; init; }
    /// <summary>Channels N (1 … 64).</summary>
    public int Channels { get; init; } = 16;
    /// <summary>Seed of the population (body models, arrays, positions).</summary>
    public long Seed { get; init; }
    /// <summary>Matrices per subject (one body model + array position, ≥ 1); subject s holds indices [s·M, (s+1)·M).</summary>
    public int MatricesPerSubject { get; init; } = 100_000;
    /// <summary>Frequency in Hz (sets the wavenumber of the tissue and the point-source fields), 10 MHz … 1 GHz.</summary>
    public double FrequencyHz { get; init; } = 297.2e6;
    /// <summary>Relative amplitude α (0 … 1) of the smooth per-channel complex modulation that stands for the scattering
    /// of the inhomogeneous body (0: the bare homogeneous-medium source fields).</summary>
    public double Scatter { get; init; } = 0.5;

    /// <summary>Throws <see cref="SarKitInputException"/> naming the field and <paramref name="source"/> when a value is out of range.</summary>
    public void Validate(string source)
    {
        void Bad(string field, object value, string expected) =>
            throw new SarKitInputException(string.Create(CultureInfo.InvariantCulture, $"{source}: population field '{field}' = {value}; expected {expected}.")) { SourceFile = source };
        if (Count < 1) Bad("count", Count, "≥ 1");
        if (Channels < 1 || Channels > 64) Bad("channels", Channels, "1 … 64");
        if (MatricesPerSubject < 1) Bad("matrices_per_subject", MatricesPerSubject, "≥ 1");
        if (!double.IsFinite(FrequencyHz) || FrequencyHz < 10e6 || FrequencyHz > 1e9) Bad("frequency_hz", FrequencyHz, "10e6 … 1e9 Hz");
        if (!double.IsFinite(Scatter) || Scatter < 0 || Scatter > 1) Bad("scatter", Scatter, "0 … 1");
        if ((long)Channels * Channels * 8 * Math.Min(Count, 1L << 16) <= 0) Bad("count", Count, "a representable size");
    }
}

/// <summary>
/// Synthetic population of 10 g-like Q-matrices (W/kg per unit drive², fields normalised per channel, below), generated on demand from
/// (seed, index) — a 10⁷ × 16-channel set (≈ 20 GB packed) never has to exist as a file. Model (docs/population.md):
/// <list type="bullet">
/// <item>subject s = ⌊index / M⌋ is one body model with one array position: an elliptic trunk (semi-axes 0.16 × 0.10 m
/// ±8 %, half-length 0.20 m, fat 10–20 mm, lateral offset ±5 mm) inside a fixed two-ring array (ellipse 0.21 × 0.15 m,
/// rings at z = ±6 cm shifted together by ±10 cm = landmark position); channel c alternates electric dipoles and loops
/// (<see cref="DipoleArrayEngine"/> point sources, ±2 % azimuth, ±1 cm, tilt ≤ 10° per subject);</item>
/// <item>the field of channel c is the homogeneous-muscle source field times a smooth complex modulation
/// 1 + α Σ_{m=1..3} a_{c,m} exp(j k_m·r) (|k_m| = Re k of muscle, random directions, a ~ CN(0, 1/3)) — the stand-in for
/// the scattering of the inhomogeneous body, which makes the channel-to-channel field relations vary in space as in
/// simulated body models — scaled so that |E| of the bare source field is 1 V/m at 1 cm below the skin nearest the
/// source (a stand-in for power normalisation, which keeps the hot spots of different subjects comparable);</item>
/// <item>matrix j of the subject is the mass-average over a 10 g cube (side (0.01 kg/ρ)^{1/3}) centred at a seeded
/// uniform point of the trunk, by 2×2×2 Gauss–Legendre points: Q = Σ_p σ_p/2 E_p E_pᴴ / Σ_p ρ_p (points outside the body
/// carry no mass), muscle inside the fat layer, fat in it.</item>
/// </list>
/// Every value comes from a counter-based generator (SplitMix64 of seed, subject, index), so Read is deterministic
/// whatever the read order, chunking or thread count.
/// </summary>
public sealed class SyntheticPopulation : IQMatrixSource
{
    private const double CoilA = 0.22, CoilB = 0.16, HalfLength = 0.20, DipoleLength = 0.05;
    private readonly SyntheticPopulationSpec _spec;
    private readonly TissueSet _tissues;
    private readonly HomogeneousMedium _medium;
    private readonly double _kRe;
    private readonly int _threads;
    private readonly Dictionary<long, Subject> _cache = [];
    private readonly Lock _lock = new();

    /// <summary>Population of <paramref name="spec"/> (validated); <paramref name="description"/> names it in messages.</summary>
    public SyntheticPopulation(SyntheticPopulationSpec spec, string? description = null, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Description = description ?? string.Create(CultureInfo.InvariantCulture, $"synthetic population seed {spec.Seed} ({spec.Count} × {spec.Channels} ch)");
        spec.Validate(Description);
        _spec = spec;
        _tissues = TissueSet.At(spec.FrequencyHz);
        _medium = HomogeneousMedium.Of(_tissues.Muscle, "muscle");
        _kRe = new DipoleArrayEngine(_medium, spec.FrequencyHz).Wavenumber.Real;
        _threads = Math.Max(1, maxDegreeOfParallelism ?? SarKitSettings.Default.MaxDegreeOfParallelism);
    }

    /// <summary>The parameters.</summary>
    public SyntheticPopulationSpec Spec => _spec;
    /// <inheritdoc/>
    public int Channels => _spec.Channels;
    /// <inheritdoc/>
    public long Count => _spec.Count;
    /// <inheritdoc/>
    public string Description { get; }
    /// <inheritdoc/>
    public FieldNormalisation Normalisation => FieldNormalisation.Unspecified;

    /// <inheritdoc/>
    public void Read(long first, Span<double> packedOut)
    {
        int nn = Channels * Channels;
        long k = packedOut.Length / nn;
        if (packedOut.Length % nn != 0 || first < 0 || first + k > Count)
            throw new ArgumentOutOfRangeException(nameof(first), $"{Description}: read of {k} matrices at {first} outside 0..{Count}.");
        if (k == 0) return;
        // Span cannot enter a lambda: generate into a pooled array when parallel.
        if (_threads == 1 || k < 64)
        {
            var ws = new Workspace(Channels);
            for (long i = 0; i < k; i++) Generate(first + i, packedOut.Slice((int)(i * nn), nn), ws);
            return;
        }
        var buf = new double[packedOut.Length];
        int blocks = (int)Math.Min(k, _threads * 8);
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, () => new Workspace(Channels), (b, _, ws) =>
        {
            long a = b * k / blocks, e = (b + 1) * k / blocks;
            for (long i = a; i < e; i++) Generate(first + i, buf.AsSpan((int)(i * nn), nn), ws);
            return ws;
        }, _ => { });
        buf.CopyTo(packedOut);
    }

    /// <summary>Writes matrix <paramref name="index"/> (packed, <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>) into <paramref name="packed"/>.</summary>
    public void Generate(long index, Span<double> packed) => Generate(index, packed, new Workspace(Channels));

    private sealed class Workspace(int n)
    {
        public readonly Complex[] E = new Complex[3 * n];
        public readonly double[] Acc = new double[n * n];
    }

    private void Generate(long index, Span<double> packed, Workspace ws)
    {
        int n = Channels;
        var sub = GetSubject(index / _spec.MatricesPerSubject);
        var rng = new SplitMix(Mix(_spec.Seed, 0x5EED_0F_1D_E5L, index));
        // uniform point of the trunk (rejection in the ellipse)
        double x, y;
        do { x = 2 * rng.NextDouble() - 1; y = 2 * rng.NextDouble() - 1; } while (x * x + y * y > 1);
        double z = (2 * rng.NextDouble() - 1) * HalfLength;
        (double X, double Y, double Z) c = (sub.Cx + x * sub.A, sub.Cy + y * sub.B, z);
        var tc = sub.TissueAt(c, _tissues) ?? _tissues.Muscle;
        double side = Math.Cbrt(0.01 / tc.Density), g = side / (2 * Math.Sqrt(3));
        Array.Clear(ws.Acc);
        double mass = 0;
        for (int p = 0; p < 8; p++)
        {
            (double X, double Y, double Z) r = (c.X + ((p & 1) == 0 ? -g : g), c.Y + ((p & 2) == 0 ? -g : g), c.Z + ((p & 4) == 0 ? -g : g));
            if (sub.TissueAt(r, _tissues) is not { } t) continue;
            mass += t.Density;
            for (int ch = 0; ch < n; ch++)
            {
                var e = sub.Engine.Evaluate(ch, r).E;
                var f = sub.Modulation(ch, r);
                ws.E[3 * ch] = e.X * f; ws.E[3 * ch + 1] = e.Y * f; ws.E[3 * ch + 2] = e.Z * f;
            }
            AddOuter(ws.E, n, 0.5 * t.Sigma, ws.Acc);
        }
        if (mass <= 0) throw new InvalidOperationException($"{Description}: matrix {index} has no tissue in its cube (centre is inside the body by construction).");
        for (int t = 0; t < n * n; t++) packed[t] = ws.Acc[t] / mass;
    }

    /// <summary>acc += w Σ_components e eᴴ in packed layout.</summary>
    private static void AddOuter(Complex[] e, int n, double w, double[] acc)
    {
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int a = 0; a < 3; a++) { var v = e[3 * i + a]; s += v.Real * v.Real + v.Imaginary * v.Imaginary; }
            acc[i] += w * s;
        }
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double re = 0, im = 0;
                for (int a = 0; a < 3; a++)
                {
                    var u = e[3 * i + a]; var v = e[3 * j + a];   // Q_ij = Σ e_i ē_j
                    re += u.Real * v.Real + u.Imaginary * v.Imaginary;
                    im += u.Imaginary * v.Real - u.Real * v.Imaginary;
                }
                acc[o++] += w * re; acc[o++] += w * im;
            }
    }

    private Subject GetSubject(long s)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(s, out var sub)) return sub;
            if (_cache.Count > 16) _cache.Clear();
            sub = new Subject(_spec, s, _medium, _kRe);
            _cache[s] = sub;
            return sub;
        }
    }

    /// <summary>One body model with one array position (immutable after construction, shared by threads).</summary>
    private sealed class Subject
    {
        public readonly double A, B, Fat, Cx, Cy;
        public readonly DipoleArrayEngine Engine;
        private readonly double[] _k;        // [channel, m, 3]
        private readonly Complex[] _amp;     // [channel, m]
        private readonly double _alpha;
        private readonly double[] _norm;     // per channel: 1/|E| 1 cm under the skin nearest the source
        private const int Terms = 3;

        public Subject(SyntheticPopulationSpec spec, long s, HomogeneousMedium medium, double kRe)
        {
            var rng = new SplitMix(Mix(spec.Seed, 0x5AB1EC7L, s));
            A = 0.16 * (0.92 + 0.16 * rng.NextDouble());
            B = 0.10 * (0.92 + 0.16 * rng.NextDouble());
            Fat = 0.010 + 0.010 * rng.NextDouble();
            Cx = (rng.NextDouble() - 0.5) * 0.01; Cy = (rng.NextDouble() - 0.5) * 0.01;
            double zShift = (rng.NextDouble() - 0.5) * 0.20;
            int n = spec.Channels, perRing = (n + 1) / 2;
            Engine = new DipoleArrayEngine(medium, spec.FrequencyHz);
            double loopArea = DipoleLength / Engine.Wavenumber.Magnitude;
            for (int c = 0; c < n; c++)
            {
                int ring = c % 2, slot = c / 2;
                double phi = 2 * Math.PI * (slot + 0.5 * ring) / perRing + (rng.NextDouble() - 0.5) * 0.04 * 2 * Math.PI / perRing;
                double pz = zShift + (ring == 0 ? -0.06 : 0.06) + (rng.NextDouble() - 0.5) * 0.02;
                double tilt = (rng.NextDouble() - 0.5) * 2 * (10 * Math.PI / 180);
                double px = CoilA * Math.Cos(phi), py = CoilB * Math.Sin(phi);
                double inx = -Math.Cos(phi) / CoilA, iny = -Math.Sin(phi) / CoilB, inn = Math.Sqrt(inx * inx + iny * iny);
                inx /= inn; iny /= inn;
                double tx = -iny, ty = inx, ct = Math.Cos(tilt), st = Math.Sin(tilt);
                if (slot % 2 == 0)
                    Engine.AddChannel($"ch{c}_dipole", PointSource.ElectricDipole((px, py, pz), (st * tx, st * ty, ct), DipoleLength));
                else
                    Engine.AddChannel($"ch{c}_loop", PointSource.MagneticDipole((px, py, pz), (ct * inx, ct * iny, st), loopArea));
            }
            // per-channel normalisation (a stand-in for per-√W accepted-power scaling): |E| = 1 V/m at the point 1 cm below
            // the skin on the line from the trunk axis to the source, so that subjects of different size and position
            // have comparable hot spots (as power-normalised simulations do)
            _norm = new double[n];
            for (int c = 0; c < n; c++)
            {
                var pos = Engine.Channels[c].Sources[0].Position;
                double dx = pos.X - Cx, dy = pos.Y - Cy, rr = Math.Sqrt(dx * dx / (A * A) + dy * dy / (B * B));
                double f = (1 - 0.01 / Math.Min(A, B)) / rr;
                double pzc = Math.Clamp(pos.Z, -HalfLength + 0.01, HalfLength - 0.01);
                _norm[c] = 1 / Engine.Evaluate(c, (Cx + f * dx, Cy + f * dy, pzc)).E.Norm;
            }
            _alpha = spec.Scatter;
            _k = new double[n * Terms * 3];
            _amp = new Complex[n * Terms];
            for (int c = 0; c < n; c++)
                for (int m = 0; m < Terms; m++)
                {
                    // random direction (uniform on the sphere), |k| = Re k of muscle; amplitude CN(0, 1/Terms)
                    double u = 2 * rng.NextDouble() - 1, ph = 2 * Math.PI * rng.NextDouble(), sq = Math.Sqrt(1 - u * u);
                    int o = 3 * (c * Terms + m);
                    _k[o] = kRe * sq * Math.Cos(ph); _k[o + 1] = kRe * sq * Math.Sin(ph); _k[o + 2] = kRe * u;
                    double r1 = Math.Max(rng.NextDouble(), 1e-300), r2 = rng.NextDouble();
                    double rad = Math.Sqrt(-Math.Log(r1) / Terms);
                    _amp[c * Terms + m] = Complex.FromPolarCoordinates(rad, 2 * Math.PI * r2);
                }
        }

        public Complex Modulation(int c, (double X, double Y, double Z) r)
        {
            if (_alpha == 0) return _norm[c];
            double re = 1, im = 0;
            for (int m = 0; m < Terms; m++)
            {
                int o = 3 * (c * Terms + m);
                double arg = _k[o] * r.X + _k[o + 1] * r.Y + _k[o + 2] * r.Z;
                var a = _amp[c * Terms + m];
                double cs = Math.Cos(arg), sn = Math.Sin(arg);
                re += _alpha * (a.Real * cs - a.Imaginary * sn);
                im += _alpha * (a.Real * sn + a.Imaginary * cs);
            }
            return new Complex(_norm[c] * re, _norm[c] * im);
        }

        /// <summary>Tissue at <paramref name="r"/>: muscle inside the fat layer, fat in it, null outside the trunk.</summary>
        public TissueProperties? TissueAt((double X, double Y, double Z) r, TissueSet t)
        {
            if (Math.Abs(r.Z) > HalfLength) return null;
            double dx = r.X - Cx, dy = r.Y - Cy;
            double outer = dx * dx / (A * A) + dy * dy / (B * B);
            if (outer > 1) return null;
            double ia = A - Fat, ib = B - Fat;
            return dx * dx / (ia * ia) + dy * dy / (ib * ib) <= 1 && Math.Abs(r.Z) <= HalfLength - Fat ? t.Muscle : t.Fat;
        }
    }

    /// <summary>Key of a counter-based stream: (seed, domain, counter) mixed by SplitMix64 finalisers.</summary>
    private static ulong Mix(long seed, long domain, long counter)
    {
        ulong h = SplitMix.Finalise((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = SplitMix.Finalise(h ^ (ulong)domain);
        return SplitMix.Finalise(h ^ (ulong)counter);
    }

    private struct SplitMix(ulong state)
    {
        private ulong _s = state;
        public static ulong Finalise(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        public double NextDouble() { _s += 0x9E3779B97F4A7C15UL; return (Finalise(_s) >> 11) * (1.0 / (1UL << 53)); }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
