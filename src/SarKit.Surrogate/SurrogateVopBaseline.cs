using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Compression;
using SarKit.IO;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Surrogate;

/// <summary>
/// The VOP worst-case baseline of the surrogate evaluation (docs/surrogate.md, "Evaluation in C#"): population VOPs of
/// the 2D 10 g Q-matrices (<see cref="SurrogateQMatrices.MassAveraged"/> of the stored e_n and ρ) of N training subjects,
/// all their tissue cells concatenated, compressed by <see cref="VopCompressor"/> (Orzada iterative, CC criterion,
/// diagonal margin ε·SAR_wc) and certified by <see cref="VopVerifier"/> (the one compress-and-certify step, <see cref="CertifiedVopCompression"/>). For a shim w (w_n = e^{jφ_n}, 1 A per channel)
/// the predicted peak 10 g SAR is max_j wᴴV_j w in W/kg — the same unit as the stored sar10g × b1_mean_abs² (W/kg per
/// µT² × µT²). No subject information is used: this is the conventional subject-independent worst case
/// (Eichfelder &amp; Gebhardt, MRM 2011; Meliadò et al., MRM 2020 compare against it).
/// </summary>
public sealed class SurrogateVopBaseline
{
    private SurrogateVopBaseline(VopSet set, int[] subjects, bool loaded, double seconds)
    { Set = set; Subjects = subjects; Loaded = loaded; Seconds = seconds; }

    /// <summary>The certified VOP set (W/kg per A², 2D 10 g).</summary>
    public VopSet Set { get; }
    /// <summary>Dataset indices of the subjects the VOPs were built from.</summary>
    public int[] Subjects { get; }
    /// <summary>True when read from a cache file instead of built.</summary>
    public bool Loaded { get; }
    /// <summary>Build (or read) time, s.</summary>
    public double Seconds { get; }

    /// <summary>Attribute identifying the population (dataset seed, grid, subjects, margin) in the cache file.</summary>
    public const string SourceAttribute = "surrogate_vop_population";

    /// <summary>N training subjects spread evenly over the split (positions ⌊i·T/N⌋ of the train subjects in manifest order), all when N ≥ T.</summary>
    public static List<SurrogateSubjectEntry> ChooseSubjects(IReadOnlyList<SurrogateSubjectEntry> train, int count)
    {
        if (count < 1) throw new SarKitInputException($"VOP subjects {count}; expected ≥ 1.");
        if (count >= train.Count) return train.ToList();
        return Enumerable.Range(0, count).Select(i => train[(int)((long)i * train.Count / count)]).ToList();
    }

    private static string Describe(SurrogateManifest m, IEnumerable<SurrogateSubjectEntry> subjects, double margin)
        => string.Create(CultureInfo.InvariantCulture, $"dataset seed {m.Seed}, grid {m.Grid.Nx}x{m.Grid.Ny} h={m.Grid.CellSizeM:R} m, margin {margin:R}, subjects {string.Join(",", subjects.Select(s => s.Index))}");

    /// <summary>2D 10 g Q-matrices of one subject's tissue cells (packed, <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>).</summary>
    public static double[] SubjectQMatrices(string directory, SurrogateManifest m, SurrogateSubjectEntry s)
    {
        using var z = new SurrogateShard(Path.Combine(directory, s.File), m);
        var e = z.ChannelMaps("e_channels");
        var avg = new SquareMassAverage2D(m.Grid.Nx, m.Grid.Ny, m.Grid.CellSizeM, z.Density());
        return SurrogateQMatrices.MassAveraged(avg, e).Packed;
    }

    /// <summary>
    /// Reads the VOPs from <paramref name="cacheFile"/> when it exists (it must be certified and built from the same
    /// population and margin), else builds, certifies and (when a path is given) writes them there.
    /// </summary>
    public static SurrogateVopBaseline Create(string directory, SurrogateManifest m, int subjectCount, double margin, string? cacheFile,
                                              int threads = 2, int randomDrives = 10_000, IProgress<string>? log = null)
    {
        if (!(margin > 0 && margin < 1)) throw new SarKitInputException($"--vop-margin {margin}; expected 0 < margin < 1 (fraction of SAR_wc).");
        var train = m.Subjects.Where(s => s.Split == "train").ToList();
        if (train.Count == 0) throw new SarKitInputException($"'{directory}': no training subjects to build the VOP baseline from.") { SourceFile = directory };
        var chosen = ChooseSubjects(train, subjectCount);
        string id = Describe(m, chosen, margin);
        var sw = Stopwatch.StartNew();
        if (cacheFile is not null && File.Exists(cacheFile))
        {
            var set = VopSetFiles.Read(cacheFile);
            if (!set.Attributes.TryGetValue(SourceAttribute, out var got) || got != id)
                throw new SarKitInputException($"--vops '{cacheFile}' was built from another population ({got ?? "no '" + SourceAttribute + "' attribute"}); expected {id}. Delete it or give another path.") { SourceFile = cacheFile };
            if (set.Channels != m.Channels) throw new SarKitInputException($"--vops '{cacheFile}': {set.Channels} channels; the dataset has {m.Channels}.") { SourceFile = cacheFile };
            if (!set.HasValidCertificate(out var why)) throw new SarKitInputException($"--vops '{cacheFile}': {why}.") { SourceFile = cacheFile };
            return new SurrogateVopBaseline(set, chosen.Select(s => s.Index).ToArray(), true, sw.Elapsed.TotalSeconds);
        }
        int nn = m.Channels * m.Channels;
        var parts = new List<double[]>();
        long total = 0;
        foreach (var s in chosen)
        {
            var q = SubjectQMatrices(directory, m, s);
            parts.Add(q); total += q.Length;
        }
        if (total > Array.MaxLength) throw new SarKitInputException($"VOP baseline: {total / nn} Q-matrices do not fit in memory; use fewer --vop-subjects.");
        var all = new double[total];
        long o = 0;
        foreach (var p in parts) { p.CopyTo(all, o); o += p.Length; }
        parts.Clear();
        log?.Report($"VOP baseline: {total / nn} Q-matrices (2D 10 g) of {chosen.Count} training subjects");
        var (vops, r) = CertifiedVopCompression.Run(all, m.Channels, new VopCompressionOptions { Epsilon = margin, MaxDegreeOfParallelism = Math.Max(1, threads) },
            new VopVerifierOptions { RandomDrives = randomDrives, MaxDegreeOfParallelism = Math.Max(1, threads) },
            $"2D 10 g Q-matrices of {chosen.Count} training subjects of '{directory}'");
        if (!r.Certificate.Passed) throw new InvalidOperationException($"VOP baseline: the verifier rejected the compressed set ({string.Join("; ", r.Problems)}).");
        vops.Attributes[SourceAttribute] = id;
        vops.Attributes["quantity"] = "2D-adapted 10 g SAR Q-matrices (SquareMassAverage2D) from e_channels, W/kg per A^2";
        vops.Attributes["source"] = Path.GetFullPath(directory);
        if (cacheFile is not null) VopSetFiles.Write(vops, cacheFile);
        return new SurrogateVopBaseline(vops, chosen.Select(s => s.Index).ToArray(), false, sw.Elapsed.TotalSeconds);
    }

    /// <summary>max_j wᴴV_j w (W/kg) for w_n = e^{j·phases_n}.</summary>
    public double PeakSar(ReadOnlySpan<double> phases)
    {
        Span<Complex> w = stackalloc Complex[phases.Length];
        for (int k = 0; k < w.Length; k++) w[k] = Complex.FromPolarCoordinates(1, phases[k]);
        return Set.PeakSar(w).Sar;
    }
}
