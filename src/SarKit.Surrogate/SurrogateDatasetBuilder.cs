using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using SarKit.Surrogate.Fdfd2D;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.Reporting;

namespace SarKit.Surrogate;

/// <summary>Settings of a B1⁺ → local-SAR surrogate training dataset (docs/surrogate.md).</summary>
public sealed record SurrogateDatasetOptions
{
    /// <summary>Number of random phantoms (subjects).</summary>
    public int Subjects { get; init; } = 10;
    /// <summary>Random phase settings per subject.</summary>
    public int ShimsPerSubject { get; init; } = 50;
    /// <summary>Master seed: everything (phantoms, shims, split) follows from it.</summary>
    public int Seed { get; init; }
    /// <summary>Cells per side of the square output grid.</summary>
    public int GridCells { get; init; } = 128;
    /// <summary>Cell side h (m).</summary>
    public double CellSize { get; init; } = 0.00375;
    /// <summary>PML thickness (cells).</summary>
    public int PmlCells { get; init; } = 16;
    /// <summary>Frequency (Hz); 298 MHz = 7 T.</summary>
    public double FrequencyHz { get; init; } = 298e6;
    /// <summary>Fraction of subjects in the validation split.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Fraction of subjects in the test split.</summary>
    public double TestFraction { get; init; } = 0.1;
    /// <summary>Averaging mass of the 2D-adapted mass-averaged SAR (kg).</summary>
    public double AveragingMassKg { get; init; } = 0.010;
    /// <summary>Deflate the .npz shards.</summary>
    public bool Compress { get; init; } = true;
    /// <summary>Subjects simulated concurrently (each with its own solver and band storage); results do not depend on it.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Throws <see cref="SarKitInputException"/> for out-of-range settings.</summary>
    public void Validate()
    {
        if (Subjects < 1 || Subjects > 1_000_000) throw new SarKitInputException($"--subjects {Subjects}: expected 1 … 1000000.");
        if (ShimsPerSubject < 1 || ShimsPerSubject > 100_000) throw new SarKitInputException($"--shims {ShimsPerSubject}: expected 1 … 100000.");
        if (GridCells < 16 || GridCells > 1024) throw new SarKitInputException($"--size {GridCells}: expected 16 … 1024 cells.");
        if (!(CellSize > 0 && CellSize < 0.05)) throw new SarKitInputException($"--cell-size {CellSize} m: expected 0 < h < 0.05 m.");
        if (Threads < 1 || Threads > 64) throw new SarKitInputException($"--threads {Threads}: expected 1 … 64.");
        if (ValidationFraction < 0 || TestFraction < 0 || ValidationFraction + TestFraction >= 1)
            throw new SarKitInputException($"Validation fraction {ValidationFraction} and test fraction {TestFraction}: expected ≥ 0 with a sum < 1.");
    }
}

/// <summary>
/// Builds a surrogate dataset: N random pelvis phantoms (<see cref="PelvisPhantom2D"/>) simulated per channel with
/// <see cref="FdfdSolver2D"/>, M random phase settings each; one .npz shard per subject plus manifest.json
/// (format and array definitions: docs/surrogate.md).
/// </summary>
/// <remarks>
/// Per shim (uniform amplitudes, w_1 = 1, w_n = e^{jφ_n}, φ_n uniform in [0, 2π) for n = 2..8; the global phase is
/// physically irrelevant): B1⁺(r) = Σ w_n b_n(r) e^{−j∠b_1(r)} (channel-1 phase removed, µT for 1 A elements);
/// point SAR(r) = |Σ w_n e_n(r)|² with e_n = √(σ/2ρ)·E_n (W/kg); both SAR maps are divided by ⟨|B1⁺|⟩², the squared
/// mean of |B1⁺| over the body (W/kg per µT²), so they do not depend on the drive power.
/// </remarks>
public sealed class SurrogateDatasetBuilder(SurrogateDatasetOptions options)
{
    /// <summary>Manifest format name and version.</summary>
    public const string Format = "sarkit-surrogate-dataset", ManifestFile = "manifest.json";
    public const int FormatVersion = 1;

    public SurrogateDatasetOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The seed of subject <paramref name="index"/> (SplitMix64 of the master seed and the index, 31 bits).</summary>
    public static int SubjectSeed(int masterSeed, int index)
    {
        ulong z = unchecked((ulong)(uint)masterSeed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>Split of each subject ("train", "val", "test"): a seeded shuffle, test first, then validation; at least one training subject.</summary>
    public static string[] Splits(int subjects, int seed, double valFraction, double testFraction)
    {
        var order = Enumerable.Range(0, subjects).ToArray();
        new Random(SubjectSeed(seed, -1)).Shuffle(order);
        int nTest = (int)Math.Round(subjects * testFraction), nVal = (int)Math.Round(subjects * valFraction);
        while (nTest + nVal > subjects - 1 && nTest + nVal > 0) { if (nVal >= nTest && nVal > 0) nVal--; else nTest--; }
        var s = new string[subjects];
        for (int k = 0; k < subjects; k++) s[order[k]] = k < nTest ? "test" : k < nTest + nVal ? "val" : "train";
        return s;
    }

    /// <summary>Writes the dataset into <paramref name="directory"/> (created if missing); returns the manifest.
    /// <paramref name="progress"/> receives (subjects done, total).</summary>
    public SurrogateManifest Build(string directory, Action<int, int>? progress = null)
    {
        Options.Validate();
        var o = Options;
        var grid = new FdfdGrid2D(o.GridCells, o.GridCells, o.CellSize, o.PmlCells);
        PelvisPhantom2D.Generate(grid, SubjectSeed(o.Seed, 0)); // fails early (nothing written) when the grid is too small
        Directory.CreateDirectory(directory);
        var splits = Splits(o.Subjects, o.Seed, o.ValidationFraction, o.TestFraction);
        var entries = new SurrogateSubjectEntry[o.Subjects];
        var sw = Stopwatch.StartNew();
        int done = 0;
        var solvers = new System.Collections.Concurrent.ConcurrentBag<FdfdSolver2D>();
        Parallel.For(0, o.Subjects, new ParallelOptions { MaxDegreeOfParallelism = o.Threads }, s =>
        {
            if (!solvers.TryTake(out var solver)) solver = new FdfdSolver2D(grid, o.FrequencyHz);
            int seed = SubjectSeed(o.Seed, s);
            var phantom = PelvisPhantom2D.Generate(grid, seed);
            solver.Factor(phantom.ToMaterials());
            var fields = solver.SolveEach(phantom.Elements);
            string file = $"subject_{s:D5}.npz";
            var stats = WriteSubject(Path.Combine(directory, file), phantom, fields, seed);
            entries[s] = new SurrogateSubjectEntry
            {
                Index = s, Seed = seed, Split = splits[s], File = file, BodyCells = stats.BodyCells,
                PeakSarMedian = stats.PeakMedian, PeakSar10gMedian = stats.Peak10Median,
                Parameters = phantom.Parameters.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 6)),
            };
            solvers.Add(solver);
            progress?.Invoke(Interlocked.Increment(ref done), o.Subjects);
        });
        var subjects = entries.ToList();
        var manifest = Manifest(grid, subjects, sw.Elapsed.TotalSeconds);
        var json = JsonSerializer.Serialize(manifest, JsonOptions);
        AtomicFile.Write(Path.Combine(directory, ManifestFile), f => { using var w = new StreamWriter(f, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(json); w.Write('\n'); });
        return manifest;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly record struct SubjectStats(int BodyCells, double PeakMedian, double Peak10Median);

    private SubjectStats WriteSubject(string path, PelvisPhantom2D ph, FdfdChannelField[] fields, int seed)
    {
        var o = Options;
        int nx = ph.Grid.Nx, ny = ph.Grid.Ny, n = nx * ny, C = PelvisPhantom2D.Channels, M = o.ShimsPerSubject;
        // per-channel B1+ (µT per A) and e = √(σ/2ρ)E (√(W/kg) per A), rotated by e^{−j∠b1(r)} of channel 1
        var b = new Complex[C][]; var e = new Complex[C][];
        var rot = new Complex[n];
        var b1 = fields[0].B1PlusMap();
        for (int c = 0; c < n; c++) rot[c] = b1[c].Magnitude > 0 ? Complex.Conjugate(b1[c]) / b1[c].Magnitude : Complex.One;
        var mask = new byte[n];
        int bodyCells = 0;
        for (int c = 0; c < n; c++) if (ph.IsBody(c)) { mask[c] = 1; bodyCells++; }
        for (int k = 0; k < C; k++)
        {
            var bk = fields[k].B1PlusMap();
            b[k] = new Complex[n]; e[k] = new Complex[n];
            for (int c = 0; c < n; c++)
            {
                b[k][c] = bk[c] * 1e6 * rot[c];
                if (mask[c] == 1) e[k][c] = Math.Sqrt(ph.Sigma[c] / (2 * ph.Density[c])) * fields[k].Ez[c] * rot[c];
            }
        }
        var avg = new SquareMassAverage2D(nx, ny, ph.Grid.CellSize, ph.Density, o.AveragingMassKg);
        var rng = new Random(SubjectSeed(seed, 1_000_003));
        var phases = new float[M * C];
        var b1Shim = new float[M * 2 * n];
        var sar = new float[M * n]; var sar10 = new float[M * n];
        var norm = new float[M]; var meanAbs = new float[M];
        var point = new double[n]; var averaged = new double[n];
        var w = new Complex[C];
        var peaks = new double[M]; var peaks10 = new double[M];
        for (int m = 0; m < M; m++)
        {
            for (int k = 0; k < C; k++)
            {
                double phi = k == 0 ? 0 : 2 * Math.PI * rng.NextDouble();
                phases[m * C + k] = (float)phi;
                w[k] = Complex.FromPolarCoordinates(1, phi);
            }
            double sumAbs = 0;
            for (int c = 0; c < n; c++)
            {
                Complex bb = 0, ee = 0;
                for (int k = 0; k < C; k++) { bb += w[k] * b[k][c]; ee += w[k] * e[k][c]; }
                b1Shim[(m * 2) * n + c] = (float)bb.Real; b1Shim[(m * 2 + 1) * n + c] = (float)bb.Imaginary;
                point[c] = mask[c] == 1 ? ee.Real * ee.Real + ee.Imaginary * ee.Imaginary : 0;
                if (mask[c] == 1) sumAbs += bb.Magnitude;
            }
            double mean = sumAbs / Math.Max(bodyCells, 1), q = mean * mean;
            meanAbs[m] = (float)mean; norm[m] = (float)q;
            avg.Average(point, averaged);
            double pk = 0, pk10 = 0;
            for (int c = 0; c < n; c++)
            {
                sar[m * n + c] = (float)(point[c] / q); sar10[m * n + c] = (float)(averaged[c] / q);
                pk = Math.Max(pk, point[c] / q); pk10 = Math.Max(pk10, averaged[c] / q);
            }
            peaks[m] = pk; peaks10[m] = pk10;
        }
        float[] Pack(Complex[][] f)
        {
            var a = new float[C * 2 * n];
            for (int k = 0; k < C; k++) for (int c = 0; c < n; c++) { a[(k * 2) * n + c] = (float)f[k][c].Real; a[(k * 2 + 1) * n + c] = (float)f[k][c].Imaginary; }
            return a;
        }
        float[] F(Func<int, double> v) { var a = new float[n]; for (int c = 0; c < n; c++) a[c] = (float)v(c); return a; }
        var water = F(c => PelvisTissues.DixonLike(ph.Labels[c]).Water);
        var fat = F(c => PelvisTissues.DixonLike(ph.Labels[c]).Fat);
        var elements = new float[C * 2];
        for (int k = 0; k < C; k++) { elements[2 * k] = (float)ph.Elements[k].X; elements[2 * k + 1] = (float)ph.Elements[k].Y; }
        using (var wr = NpzWriter.Create(path, o.Compress))
        {
            wr.Add("b1_shim", new NdArray(NdType.Float32, [M, 2, ny, nx], b1Shim));
            wr.Add("sar", new NdArray(NdType.Float32, [M, ny, nx], sar));
            wr.Add("sar10g", new NdArray(NdType.Float32, [M, ny, nx], sar10));
            wr.Add("phases", new NdArray(NdType.Float32, [M, C], phases));
            wr.Add("b1_mean_abs", new NdArray(NdType.Float32, [M], meanAbs));
            wr.Add("b1_channels", new NdArray(NdType.Float32, [C, 2, ny, nx], Pack(b)));
            wr.Add("e_channels", new NdArray(NdType.Float32, [C, 2, ny, nx], Pack(e)));
            wr.Add("mask", new NdArray(NdType.UInt8, [ny, nx], mask));
            wr.Add("labels", new NdArray(NdType.UInt8, [ny, nx], ph.Labels.Select(l => (byte)l).ToArray()));
            wr.Add("water", new NdArray(NdType.Float32, [ny, nx], water));
            wr.Add("fat", new NdArray(NdType.Float32, [ny, nx], fat));
            wr.Add("sigma", new NdArray(NdType.Float32, [ny, nx], F(c => ph.Sigma[c])));
            wr.Add("eps_r", new NdArray(NdType.Float32, [ny, nx], F(c => ph.EpsilonR[c])));
            wr.Add("rho", new NdArray(NdType.Float32, [ny, nx], F(c => ph.Density[c])));
            wr.Add("elements", new NdArray(NdType.Float32, [C, 2], elements));
            wr.Commit();
        }
        Array.Sort(peaks); Array.Sort(peaks10);
        return new SubjectStats(bodyCells, peaks[M / 2], peaks10[M / 2]);
    }

    private SurrogateManifest Manifest(FdfdGrid2D grid, List<SurrogateSubjectEntry> subjects, double seconds)
    {
        var o = Options;
        int n = grid.Nx, C = PelvisPhantom2D.Channels, M = o.ShimsPerSubject;
        ArraySpec A(int[] shape, string dtype, string unit, string what) => new() { Shape = shape, Dtype = dtype, Unit = unit, Description = what };
        return new SurrogateManifest
        {
            Format = Format, Version = FormatVersion, SarkitVersion = SarKitVersion.Current,
            FrequencyHz = o.FrequencyHz, Seed = o.Seed, Channels = C, ShimsPerSubject = M,
            Grid = new GridSpec { Nx = n, Ny = n, CellSizeM = o.CellSize, PmlCells = o.PmlCells, Order = "C order [.., ny, nx], x fastest; cell (i, j) centre x = (i - (nx-1)/2)·h, y = (j - (ny-1)/2)·h" },
            Engine = "SarKit 2D TM_z FDFD (docs/fdfd.md), exp(+jωt), B1+ = μ0(Hx + jHy)/2, z-directed line sources of 1 A",
            Phantom = "PelvisPhantom2D (docs/surrogate.md)",
            ShimModel = "uniform amplitudes; w_1 = 1, w_n = exp(j·phi_n), phi_n ~ U[0, 2π) for n = 2..8",
            Normalisation = "SAR / <|B1+|>^2, <|B1+|> = mean of |B1+| over body cells (mask = 1) of the same shim; unit W/kg per µT^2",
            Averaging = $"2D-adapted {o.AveragingMassKg * 1e3:G4} g average: centred (2n+1)^2-cell square with the smallest n such that (2n+1)h·Σρh² ≥ mass, mass-weighted mean over tissue (docs/surrogate.md)",
            Tissues = PelvisTissues.All.Where(t => t != PelvisTissue.Air).ToDictionary(t => t.ToString().ToLowerInvariant(),
                t => new TissueSpec { Label = (int)t, SigmaSPerM = PelvisTissues.Nominal(t).Sigma, EpsilonR = PelvisTissues.Nominal(t).EpsilonR, DensityKgPerM3 = PelvisTissues.Nominal(t).Density }),
            Arrays = new Dictionary<string, ArraySpec>
            {
                ["b1_shim"] = A([M, 2, n, n], "float32", "µT (1 A elements)", "combined B1+ of each shim, (re, im), channel-1 B1+ phase removed per cell"),
                ["sar"] = A([M, n, n], "float32", "W/kg per µT²", "point SAR σ|E|²/(2ρ) / <|B1+|>²; 0 outside the body"),
                ["sar10g"] = A([M, n, n], "float32", "W/kg per µT²", "2D-adapted mass-averaged SAR / <|B1+|>²"),
                ["phases"] = A([M, C], "float32", "rad", "drive phases phi_n of each shim"),
                ["b1_mean_abs"] = A([M], "float32", "µT", "<|B1+|> over the body of each shim (1 A elements)"),
                ["b1_channels"] = A([C, 2, n, n], "float32", "µT per A", "per-channel B1+ (re, im) × exp(−j∠b1_ch1)"),
                ["e_channels"] = A([C, 2, n, n], "float32", "√(W/kg) per A", "per-channel e_n = √(σ/2ρ)·E_z × exp(−j∠b1_ch1); SAR(w) = |Σ w_n e_n|²; 0 outside the body"),
                ["mask"] = A([n, n], "uint8", "1", "body (tissue) cells"),
                ["labels"] = A([n, n], "uint8", "1", "0 air, 1 muscle, 2 fat, 3 bone, 4 urine, 5 prostate"),
                ["water"] = A([n, n], "float32", "1", "Dixon-like water fraction stand-in"),
                ["fat"] = A([n, n], "float32", "1", "Dixon-like fat fraction stand-in"),
                ["sigma"] = A([n, n], "float32", "S/m", "conductivity (jittered per subject)"),
                ["eps_r"] = A([n, n], "float32", "1", "relative permittivity (jittered per subject)"),
                ["rho"] = A([n, n], "float32", "kg/m³", "mass density (0 in air)"),
                ["elements"] = A([C, 2], "float32", "m", "line-source (x, y) positions, channel order"),
            },
            Splits = new Dictionary<string, int>
            {
                ["train"] = subjects.Count(s => s.Split == "train"), ["val"] = subjects.Count(s => s.Split == "val"), ["test"] = subjects.Count(s => s.Split == "test"),
            },
            Subjects = subjects, BuildSeconds = Math.Round(seconds, 3),
        };
    }
}

/// <summary>manifest.json of a surrogate dataset (docs/surrogate.md).</summary>
public sealed record SurrogateManifest
{
    public required string Format { get; init; }
    public required int Version { get; init; }
    public required string SarkitVersion { get; init; }
    public required double FrequencyHz { get; init; }
    public required int Seed { get; init; }
    public required int Channels { get; init; }
    public required int ShimsPerSubject { get; init; }
    public required GridSpec Grid { get; init; }
    public required string Engine { get; init; }
    public required string Phantom { get; init; }
    public required string ShimModel { get; init; }
    public required string Normalisation { get; init; }
    public required string Averaging { get; init; }
    public required Dictionary<string, TissueSpec> Tissues { get; init; }
    public required Dictionary<string, ArraySpec> Arrays { get; init; }
    public required Dictionary<string, int> Splits { get; init; }
    public required List<SurrogateSubjectEntry> Subjects { get; init; }
    public double BuildSeconds { get; init; }
}

public sealed record GridSpec
{
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    public required double CellSizeM { get; init; }
    public required int PmlCells { get; init; }
    public required string Order { get; init; }
}

public sealed record TissueSpec
{
    public required int Label { get; init; }
    public required double SigmaSPerM { get; init; }
    public required double EpsilonR { get; init; }
    public required double DensityKgPerM3 { get; init; }
}

public sealed record ArraySpec
{
    public required int[] Shape { get; init; }
    public required string Dtype { get; init; }
    public required string Unit { get; init; }
    public required string Description { get; init; }
}

public sealed record SurrogateSubjectEntry
{
    public required int Index { get; init; }
    public required int Seed { get; init; }
    public required string Split { get; init; }
    public required string File { get; init; }
    public required int BodyCells { get; init; }
    /// <summary>Median over shims of the peak normalised point SAR.</summary>
    public required double PeakSarMedian { get; init; }
    /// <summary>Median over shims of the peak normalised 2D 10 g SAR.</summary>
    public required double PeakSar10gMedian { get; init; }
    public required Dictionary<string, double> Parameters { get; init; }
}
