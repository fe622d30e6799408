using System.Globalization;
using System.Numerics;
using System.Text;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Supervision;

/// <summary>Writes small Pulseq text files for tests (self-authored from the spec, 1.4.2 or 1.5.1 RF field layout).</summary>
internal sealed class SeqTextWriter(int minor = 4)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<string> _blocks = new(), _rf = new(), _shapes = new(), _ext = new(), _shims = new();
    private int _shapeId, _rfId, _blockId, _extId;
    public double RfRaster = 1e-6, BlockRaster = 1e-5;
    /// <summary>When set, written verbatim as the body of [EXTENSIONS] (instead of the RF_SHIMS entries).</summary>
    public string? ExtensionsText = null;

    /// <summary>Adds a shape, compressed (derivative RLE) when <paramref name="compress"/> and shorter.</summary>
    public int Shape(double[] w, bool compress)
    {
        int id = ++_shapeId;
        double[] stored = w;
        if (compress)
        {
            var d = new double[w.Length];
            for (int i = 0; i < w.Length; i++) d[i] = i == 0 ? w[0] : w[i] - w[i - 1];
            var packed = new List<double>();
            for (int i = 0; i < d.Length;)
            {
                int j = i; while (j + 1 < d.Length && d[j + 1] == d[i]) j++;
                int run = j - i + 1;
                if (run >= 2) { packed.Add(d[i]); packed.Add(d[i]); packed.Add(run - 2); } else packed.Add(d[i]);
                i = j + 1;
            }
            if (packed.Count < w.Length) stored = packed.ToArray();
        }
        var sb = new StringBuilder();
        sb.Append($"shape_id {id}\nnum_samples {w.Length}\n");
        foreach (var v in stored) sb.Append(v.ToString("R", Inv)).Append('\n');
        _shapes.Add(sb.ToString());
        return id;
    }

    /// <summary>Adds an RF event from complex samples in Hz (default raster timing unless timeShape is given).</summary>
    public int Rf(Complex[] s, bool compress, double delayUs = 0, int timeShape = 0, double freqHz = 0, double phaseRad = 0)
    {
        double amp = s.Max(c => c.Magnitude);
        var mag = s.Select(c => c.Magnitude / amp).ToArray();
        var ph = s.Select(c => { double a = Math.Atan2(c.Imaginary, c.Real); if (a < 0) a += 2 * Math.PI; return c.Magnitude == 0 ? 0 : a / (2 * Math.PI); }).ToArray();
        int m = Shape(mag, compress), p = Shape(ph, compress);
        int id = ++_rfId;
        string a = amp.ToString("R", Inv);
        _rf.Add(minor >= 5
            ? $"{id} {a} {m} {p} {timeShape} 0 {delayUs.ToString(Inv)} 0 0 {freqHz.ToString("R", Inv)} {phaseRad.ToString("R", Inv)} e"
            : $"{id} {a} {m} {p} {timeShape} {delayUs.ToString(Inv)} {freqHz.ToString("R", Inv)} {phaseRad.ToString("R", Inv)}");
        return id;
    }

    /// <summary>RF_SHIMS entry (1.5.1); returns the extension table id to put in a block.</summary>
    public int Shim(Complex[] w)
    {
        int id = ++_extId;
        _shims.Add($"{id} {w.Length} " + string.Join(' ', w.Select(c => $"{c.Magnitude.ToString("R", Inv)} {c.Phase.ToString("R", Inv)}")));
        _ext.Add($"{id} 1 {id} 0");
        return id;
    }

    public void Block(double durationSeconds, int rf = 0, int ext = 0)
    {
        long d = (long)Math.Round(durationSeconds / BlockRaster);
        _blocks.Add($"{++_blockId} {d} {rf} 0 0 0 0 {ext}");
    }

    public string Text()
    {
        var sb = new StringBuilder();
        sb.Append($"# test sequence\n[VERSION]\nmajor 1\nminor {minor}\nrevision {(minor >= 5 ? 1 : 2)}\n\n");
        sb.Append($"[DEFINITIONS]\nAdcRasterTime 1e-07\nBlockDurationRaster {BlockRaster.ToString("R", Inv)}\nGradientRasterTime 1e-05\nRadiofrequencyRasterTime {RfRaster.ToString("R", Inv)}\n\n");
        sb.Append("[BLOCKS]\n"); foreach (var b in _blocks) sb.Append(b).Append('\n'); sb.Append('\n');
        if (_rf.Count > 0) { sb.Append("[RF]\n"); foreach (var r in _rf) sb.Append(r).Append('\n'); sb.Append('\n'); }
        if (ExtensionsText is not null) sb.Append("[EXTENSIONS]\n").Append(ExtensionsText).Append("\n\n");
        else if (_ext.Count > 0)
        {
            sb.Append("[EXTENSIONS]\n"); foreach (var e in _ext) sb.Append(e).Append('\n');
            sb.Append("extension RF_SHIMS 1\n"); foreach (var e in _shims) sb.Append(e).Append('\n'); sb.Append('\n');
        }
        sb.Append("[SHAPES]\n\n"); foreach (var s in _shapes) sb.Append(s).Append('\n');
        return sb.ToString();
    }

    public string[] Lines() => Text().Split('\n');
}

/// <summary>Matrix helpers for supervision tests.</summary>
internal static class SupervisionMatrices
{
    public static double[] RandomPsd(int n, int k, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var packed = new double[k * n * n];
        for (int c = 0; c < k; c++)
        {
            var a = new Complex[n, n];
            int rank = 1 + rng.Next(n);
            for (int i = 0; i < n; i++) for (int j = 0; j < rank; j++) a[i, j] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
            var q = new Complex[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { Complex s = 0; for (int l = 0; l < rank; l++) s += a[i, l] * Complex.Conjugate(a[j, l]); q[i, j] = s * scale; }
            HermitianPacking.Pack(q).CopyTo(packed.AsSpan(c * n * n));
        }
        return packed;
    }

    /// <summary>A VOP set with a hand-made passing certificate for the given VOPs and originals.</summary>
    public static VopSet Certified(int n, double[] vops, double[] originals, bool passed = true)
    {
        var set = new VopSet(n, vops, Enumerable.Range(0, vops.Length / (n * n)).ToArray(), new VopMargin(VopMarginKind.Diagonal, 0, new double[n * n]),
            DominanceCriterion.ConvexCombination, "test", originals.Length / (n * n), VopSet.HashMatrices(originals), VopSet.WorstCaseSar(originals, n), FieldNormalisation.PerVoltIncident);
        set.Certificate = VopCertificateDigest.Seal(set, new VopCertificate
        {
            Passed = passed, Criterion = DominanceCriterion.ConvexCombination, MatricesChecked = originals.Length / (n * n), MatricesFailed = passed ? 0 : 1,
            LargestViolation = 0, Tolerance = 1e-12, SourceSha256 = set.SourceSha256, VopSha256 = VopSet.HashMatrices(vops), Verifier = "hand-made test certificate",
            CreatedUtc = DateTime.UtcNow,
        });
        return set;
    }
}
