using System.Numerics;
using SarKit.Supervision.Pulseq;

namespace SarKit.Supervision;

/// <summary>
/// Builds the RF <see cref="PulseSchedule"/> of a Pulseq sequence: one template per distinct (RF event, RF_SHIMS entry), its
/// raster samples split into segments of at most <c>resolution</c>; channel c sends x_c(t) = k_c·w_c·s(t)/γ (µT → drive
/// unit), so R = Σ|s|²Δt·(1e6/γ)²·a aᴴ with a_c = k_c·w_c — exact on the raster. Placements at block start + RF delay.
/// </summary>
public static class PulseqSchedule
{
    /// <summary>
    /// Builds the schedule. Blocks with RF and no RF_SHIMS use the calibration's default shim (required when N &gt; 1).
    /// A block whose extension chain references an RF_SHIMS id without a row is refused unless <paramref name="missingShim"/>
    /// is <see cref="MissingShimPolicy.UseDefaultShim"/>; such blocks are then listed in <paramref name="defaultedBlocks"/>.
    /// </summary>
    public static PulseSchedule Build(PulseqSequence seq, DriveCalibration cal, double resolutionSeconds = 1e-3, double? larmorHz = null,
        MissingShimPolicy missingShim = MissingShimPolicy.Refuse, ICollection<int>? defaultedBlocks = null)
    {
        if (!(resolutionSeconds > 0) || !double.IsFinite(resolutionSeconds)) throw new SarKitInputException($"resolution {resolutionSeconds} s must be a positive number.");
        int n = cal.Channels;
        var starts = seq.BlockStartTimes();
        var templates = new List<PulseTemplate>();
        var byKey = new Dictionary<(int Rf, int ShimKey), int>();
        var shimKeys = new Dictionary<Complex[], int>(ReferenceEqualityComparer.Instance);
        var placements = new List<PulsePlacement>();
        for (int b = 0; b < seq.Blocks.Count; b++)
        {
            var block = seq.Blocks[b];
            if (block.RfId == 0) continue;
            var (shim, missing) = seq.RfShimLookup(block);
            if (missing is not null)
            {
                if (missingShim != MissingShimPolicy.UseDefaultShim) seq.RfShim(block); // throws, naming the block and the shim id
                defaultedBlocks?.Add(block.Id);
            }
            if (shim is not null && shim.Length != n)
                throw new SarKitInputException($"{seq.SourceFile}: block {block.Id}: RF_SHIMS has {shim.Length} channels but the calibration ({cal.Source}) has {n}.") { SourceFile = seq.SourceFile, Dataset = "EXTENSIONS" };
            if (shim is null)
            {
                shim = cal.DefaultShim ?? (n == 1 ? [Complex.One]
                    : throw new SarKitInputException($"{seq.SourceFile}: block {block.Id} has RF without an RF_SHIMS entry, so the {n} channels need the " +
                        $"calibration's default shim (the weight each channel gives this pulse), and the calibration ({cal.Source}) has none. Give a calibration " +
                        "JSON file with \"default_shim\", e.g. {\"unit\": \"V/uT\", \"factors\": [12.5, …], \"default_shim\": [{\"magnitude\": 1, \"phase_deg\": 0}, …]} " +
                        "(docs/supervision.md, \"Inputs\"); an inline '12.5 V/uT' has no default shim.") { SourceFile = seq.SourceFile, Dataset = "BLOCKS" });
            }
            if (!shimKeys.TryGetValue(shim, out int sk)) { sk = shimKeys.Count; shimKeys[shim] = sk; }
            var key = (block.RfId, sk);
            if (!byKey.TryGetValue(key, out int ti))
            {
                var raster = PulseqRfRaster.Of(seq, seq.RfEvents[block.RfId], larmorHz, magnitudeOnly: true);
                var a = new Complex[n];
                for (int c = 0; c < n; c++) a[c] = cal.DrivePerHz(c, shim[c]);
                ti = templates.Count;
                try { templates.Add(Template($"rf{block.RfId}" + (sk > 0 || seq.RfShimLookup(block).Shim is not null ? $"/shim{sk}" : ""), raster, a, resolutionSeconds)); }
                catch (SarKitInputException e) when (e.SourceFile is null)
                {
                    throw new SarKitInputException($"{seq.SourceFile}: block {block.Id}, RF {block.RfId} with calibration {cal.Source}: {e.Message}", e) { SourceFile = seq.SourceFile, Dataset = "RF" };
                }
                byKey[key] = ti;
            }
            // the RF event must lie within its block (block durations are the file's, ≥ 1.4): otherwise it would overlap the
            // next block and the schedule's timing would be wrong
            var rfEv = seq.RfEvents[block.RfId];
            double rfEnd = rfEv.DelaySeconds + templates[ti].Duration, rdt = seq.Definitions.RadiofrequencyRasterTime;
            if (rfEnd > block.DurationSeconds + 0.5 * rdt + 1e-12)
                throw new SarKitInputException($"{seq.SourceFile}: block {block.Id}: RF event {block.RfId} ends at {rfEnd * 1e6:G9} µs, after the block duration {block.DurationSeconds * 1e6:G9} µs.") { SourceFile = seq.SourceFile, Dataset = "BLOCKS" };
            placements.Add(new PulsePlacement(starts[b] + rfEv.DelaySeconds, ti));
        }
        return new PulseSchedule(n, seq.TotalDurationSeconds, templates, placements.ToArray(), seq.SourceFile);
    }

    /// <summary>Template of a static-shim RF event: segments of ⌊resolution/Δt⌋ raster samples, R_seg = Σ_seg|s|²Δt · a aᴴ.</summary>
    public static PulseTemplate Template(string name, PulseqRfRaster raster, ReadOnlySpan<Complex> drivePerHz, double resolutionSeconds)
    {
        int n = drivePerHz.Length, len = raster.SamplesHz.Length;
        double dt = raster.RasterSeconds;
        int per = Math.Max(1, (int)Math.Floor(resolutionSeconds / dt * (1 + 1e-12)));
        int segs = (len + per - 1) / per;
        var unit = RfCorrelation.StaticShim(drivePerHz, 1.0);
        var offsets = new List<double>(); var durations = new List<double>(); var w = new List<double>();
        for (int g = 0; g < segs; g++)
        {
            int a = g * per, b = Math.Min(len, a + per);
            double e = 0;
            for (int k = a; k < b; k++) { var s = raster.SamplesHz[k]; e += s.Real * s.Real + s.Imaginary * s.Imaginary; }
            e *= dt;
            if (!double.IsFinite(e))
                throw new SarKitInputException($"'{name}': RF energy of samples {a}..{b - 1} is {e} Hz²·s (overflows double precision); refusing.");
            offsets.Add(a * dt); durations.Add((b - a) * dt);
            foreach (var u in unit) w.Add(u * e);
        }
        return new PulseTemplate(name, n, offsets.ToArray(), durations.ToArray(), w.ToArray(), dt);
    }
}

/// <summary>What <see cref="PulseqSchedule.Build"/> does with a block whose RF_SHIMS reference has no row.</summary>
public enum MissingShimPolicy
{
    /// <summary>Refuse the file (default, fail closed).</summary>
    Refuse,
    /// <summary>Use the calibration's default shim, as for a block without RF_SHIMS (explicit user choice, e.g. `--missing-shim default`).</summary>
    UseDefaultShim,
}
