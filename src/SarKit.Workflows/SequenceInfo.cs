using System.Numerics;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// Use case <c>sarkit seq info</c>: a Pulseq sequence's version, rasters, blocks, RF events, RF_SHIMS, soft delays,
/// RF energy Σ|s|²Δt (Hz²·s), peak B1 and B1rms = √(energy/duration)/γ, RF duty cycle and the largest flip angle
/// 360°·|Σ s|·Δt (s: RF samples in Hz, γ = <see cref="DriveCalibration.Gamma1H"/>).
/// </summary>
public static class SequenceInfo
{
    /// <summary>
    /// Reads <paramref name="path"/> (signature verified: a mismatch is refused) and computes the information.
    /// <paramref name="larmorHz"/> is needed only to apply Pulseq 1.5 ppm offsets. A non-finite energy, B1 or flip angle
    /// (RF amplitudes overflowing double precision) is refused. An unsigned file is reported to <paramref name="warnings"/>
    /// (<see cref="SequenceCheck.UnsignedWarning"/>) before anything else.
    /// </summary>
    public static SequenceInfoResult Run(string path, double? larmorHz = null, IProgress<string>? warnings = null)
    {
        var s = PulseqFile.Read(path);
        if (SequenceCheck.UnsignedWarning(s) is { } w) warnings?.Report(w);
        return Of(s, path, larmorHz);
    }

    /// <summary>The information of a sequence already read; <paramref name="source"/> names it in the result and messages.</summary>
    public static SequenceInfoResult Of(PulseqSequence s, string source, double? larmorHz = null)
    {
        double energy = 0, peak = 0, rfTime = 0, maxFa = 0;
        var cache = new Dictionary<int, PulseqRfRaster>();
        int rfBlocks = 0, shimmed = 0; int? shimCh = null;
        foreach (var b in s.Blocks)
        {
            if (b.RfId == 0) continue;
            rfBlocks++;
            if (!cache.TryGetValue(b.RfId, out var r)) cache[b.RfId] = r = PulseqRfRaster.Of(s, s.RfEvents[b.RfId], larmorHz, magnitudeOnly: true);
            try { energy += r.EnergyHz2s(); }
            catch (SarKitInputException e) { throw new SarKitInputException($"{source}: block {b.Id}, RF {b.RfId}: {e.Message}", e) { SourceFile = source, Dataset = "RF" }; }
            rfTime += r.SamplesHz.Length * r.RasterSeconds;
            foreach (var x in r.SamplesHz) peak = Math.Max(peak, x.Magnitude);
            var sum = Complex.Zero; foreach (var x in r.SamplesHz) sum += x;
            maxFa = Math.Max(maxFa, 360 * sum.Magnitude * r.RasterSeconds);
            if (s.RfShim(b) is { } w) { shimmed++; shimCh = w.Length; }
        }
        double T = s.TotalDurationSeconds, g = DriveCalibration.Gamma1H;
        var info = new SequenceInfoResult(source, s.Version.ToString(), T, s.Blocks.Count, rfBlocks, s.RfEvents.Count, s.Shapes.Count, s.Definitions.RadiofrequencyRasterTime,
            s.Definitions.BlockDurationRaster, shimmed, shimCh, s.Blocks.Count(b => s.SoftDelay(b) is not null), SequenceCheck.SoftDelayHints(s),
            s.ExtensionTypes.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(), energy, peak / g * 1e6, Math.Sqrt(energy / T) / g * 1e6, rfTime / T, maxFa,
            SequenceCheck.SignatureText(s));
        foreach (var (name, v) in new[] { ("RF energy", energy), ("peak B1", info.PeakB1UT), ("B1rms", info.B1RmsUT), ("flip angle", maxFa) })
            if (!double.IsFinite(v)) throw new SarKitInputException($"{source}: {name} is {v} (RF amplitudes overflow double precision); refusing.") { SourceFile = source, Dataset = "RF" };
        return info;
    }
}
