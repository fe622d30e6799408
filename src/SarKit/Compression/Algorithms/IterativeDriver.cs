using System.Diagnostics;
using System.Globalization;

namespace SarKit.Compression.Algorithms;

/// <summary>Result of one margin level (iteration) of a Lee-type compression.</summary>
internal sealed record LevelResult(int Iteration, double Epsilon, int[] Sources, double[] Vops, bool UsedCo, double Seconds, LeePassStats Stats);

/// <summary>
/// Lee-type drivers. <see cref="Single"/>: one pass at the final margin (Lee et al. 2012, with or without Kuehne).
/// <see cref="Iterative"/>: Orzada et al. (MRM 2021) — start at a large margin ε₀, compress, then shrink ε ← ε·R and
/// recompress ALL matrices with the previous VOPs as seeds (their margin swapped: V ← V − Z_old + Z_new, i.e. rebuilt as
/// Q_src + Z_new), until ε reaches the final margin or the VOP count reaches the target; from the second iteration on, R
/// is lowered when the straight line through the last two (log ε, log #VOPs) points predicts more VOPs than the target.
/// Hybrid (Orzada et al. 2024): above the switch count candidates are tested with CO; every matrix dropped by CO is
/// re-tested with CC at the end of the level and added as a VOP if CC cannot prove it (repair), so every level's set is
/// CC-dominating.
/// </summary>
internal sealed class IterativeDriver
{
    private readonly CompressionContext _ctx;
    private readonly VopCompressionOptions _o;
    private readonly double[] _zUnit;
    private readonly LeePass _pass;

    public List<LevelResult> Levels { get; } = [];

    public IterativeDriver(CompressionContext ctx, VopCompressionOptions o, double[] zUnit)
    {
        _ctx = ctx; _o = o; _zUnit = zUnit;
        int slots = Math.Max(1, 2 * ctx.Threads);
        var cc = new CcDominanceSolver[slots]; var co = new CoDominanceSolver[slots];
        for (int i = 0; i < slots; i++) { cc[i] = new CcDominanceSolver(ctx.N); co[i] = new CoDominanceSolver(ctx.N); }
        _pass = new LeePass(ctx, cc, co);
    }

    /// <summary>One level at margin ε with the given seed VOP sources.</summary>
    public LevelResult Level(int iteration, double eps, IReadOnlyList<int> seeds, bool kuehne, bool hybrid)
    {
        var sw = Stopwatch.StartNew();
        var z = MarginMatrix.Scaled(_zUnit, eps);
        var vops = new VopList(_ctx.NN, Math.Max(64, seeds.Count * 2));
        var done = new bool[_ctx.Count];
        foreach (var s in seeds) { vops.Add(s, _ctx.Matrix(s), z); done[s] = true; }
        var settings = new LeePassSettings
        {
            Kuehne = kuehne, HybridSwitchVops = hybrid ? _o.HybridSwitchVops : int.MaxValue,
            Stage = hybrid ? "hybrid" : kuehne ? "lee-kuehne" : "lee", Iteration = iteration, Epsilon = eps,
        };
        var coDropped = _pass.Run(vops, z, _ctx.Order, done, settings);
        var stats = _pass.Stats!;
        bool usedCo = coDropped.Count > 0 || stats.CoTests > 0;
        if (coDropped.Count > 0 && _o.HybridCcRepair)
        {
            // repair: CC re-check of every CO-dropped matrix (in λ_max order) against the final list; not proven ⇒ VOP
            var again = new bool[_ctx.Count];
            Array.Fill(again, true);
            foreach (var i in coDropped) again[i] = false;
            _pass.Run(vops, z, _ctx.Order, again, settings with { Kuehne = kuehne, HybridSwitchVops = int.MaxValue, Stage = "hybrid-cc-repair" });
            var rs = _pass.Stats!;
            stats = stats with { CcTests = stats.CcTests + rs.CcTests, Evaluations = stats.Evaluations + rs.Evaluations, Undecided = stats.Undecided + rs.Undecided };
        }
        var level = new LevelResult(iteration, eps, vops.Sources.ToArray(), vops.ToArray(), usedCo, sw.Elapsed.TotalSeconds, stats);
        Levels.Add(level);
        return level;
    }

    /// <summary>Orzada's iterative driver; returns the chosen level.</summary>
    public LevelResult Iterative(bool hybrid, string fingerprint, string sourceHash)
    {
        double final = _o.Epsilon, r = _o.ShrinkFactor;
        int iteration = 0;
        double eps = Math.Max(_o.InitialEpsilon, final);
        IReadOnlyList<int> seeds = [];
        if (_o.ResumeFrom is { } cp)
        {
            iteration = cp.Iteration + 1;
            seeds = cp.VopSourceIndices;
            eps = Math.Max(cp.Epsilon * r, final);
            if (cp.Epsilon <= final) eps = final;
        }
        LevelResult? previous = null;
        while (true)
        {
            _ctx.Cancellation.ThrowIfCancellationRequested();
            var level = Level(iteration, eps, seeds, kuehne: true, hybrid);
            _o.OnCheckpoint?.Invoke(new VopCompressionCheckpoint
            {
                Iteration = iteration, Epsilon = eps, VopSourceIndices = level.Sources, SourceSha256 = sourceHash, OptionsFingerprint = fingerprint,
            });
            int k = level.Sources.Length;
            if (_o.TargetVops is { } target && k >= target)
                return k > target && previous is not null && previous.Sources.Length <= target ? previous : level;
            if (eps <= final * (1 + 1e-9)) return level;
            double next = eps * r;
            if (_o.TargetVops is { } t2 && previous is not null && k > previous.Sources.Length && previous.Epsilon > eps)
            {
                // log-log line through the last two levels: log K = log K_t + s (log ε − log ε_t)
                double slope = Math.Log((double)k / previous.Sources.Length) / Math.Log(eps / previous.Epsilon);
                if (slope < 0 && k * Math.Pow(next / eps, slope) > t2) next = eps * Math.Pow((double)t2 / k, 1 / slope);
            }
            if (next < final * (1 + 1e-9)) next = final;
            if (!(next < eps)) return level;
            previous = level; seeds = level.Sources; eps = next; iteration++;
        }
    }

    public static string Fingerprint(VopCompressionOptions o, int n, double sarWc)
    {
        var ci = CultureInfo.InvariantCulture;
        string user = o.UserMarginPacked is null ? "-" : VopSet.HashMatrices(o.UserMarginPacked)[..16];
        return string.Create(ci, $"{o.Algorithm};{o.MarginKind};user={user};eps={o.Epsilon:R};eps0={o.InitialEpsilon:R};R={o.ShrinkFactor:R};target={o.TargetVops};switch={o.HybridSwitchVops};repair={o.HybridCcRepair};n={n};wc={sarWc:R}");
    }
}
