using System.Numerics;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.Surrogate.BodyModels;

namespace SarKit.Surrogate;

/// <summary>
/// One transverse slice of a 3D subject on a surrogate's training grid (<see cref="Surrogate3dPairs.Slices"/>):
/// per-channel B1⁺ in µT per V peak incident with channel 1's B1⁺ phase removed per cell (as the 2D datasets), tissue
/// mask (ρ &gt; 0), Dixon-like water/fat images (the generator's per-tissue fractions) and ρ, all [ny, nx] C order.
/// </summary>
/// <param name="Subject">Subject id.</param>
/// <param name="Family">Anatomy family.</param>
/// <param name="Slice">Slice index k in the subject's slab (an exact slice of the 10 g targets).</param>
/// <param name="ZM">z of the slice centre in the coil frame, m.</param>
/// <param name="Nx">Training-grid cells along x.</param>
/// <param name="Ny">Training-grid cells along y.</param>
/// <param name="OffsetX">Training-grid column of the slab's column 0.</param>
/// <param name="OffsetY">Training-grid row of the slab's row 0.</param>
/// <param name="Mask">Tissue mask, 1 = tissue.</param>
/// <param name="Water">Water fraction.</param>
/// <param name="Fat">Fat fraction.</param>
/// <param name="Rho">Density, kg/m³.</param>
/// <param name="B1">Per-channel B1⁺ e^{−j∠b₁}, µT per V peak incident, [channel][cell].</param>
public sealed record Surrogate3dSlice(string Subject, string Family, int Slice, double ZM, int Nx, int Ny, int OffsetX, int OffsetY,
    byte[] Mask, float[] Water, float[] Fat, double[] Rho, Complex[][] B1)
{
    /// <summary>[channel, 2 (re, im), ny, nx] float32, the per-channel model's input layout.</summary>
    public float[] B1ChannelsInterleaved()
    {
        int n = Nx * Ny; var a = new float[B1.Length * 2 * n];
        for (int k = 0; k < B1.Length; k++)
            for (int c = 0; c < n; c++) { a[(2 * k) * n + c] = (float)B1[k][c].Real; a[(2 * k + 1) * n + c] = (float)B1[k][c].Imaginary; }
        return a;
    }

    /// <summary>Combined B1⁺ of drive w (Σ w_n b_n, µT) split into (re, im), and its mean magnitude over the tissue.</summary>
    public (float[] Re, float[] Im, double MeanAbs) Combined(ReadOnlySpan<Complex> w)
    {
        int n = Nx * Ny; var re = new float[n]; var im = new float[n];
        double sum = 0; int cnt = 0;
        for (int c = 0; c < n; c++)
        {
            if (Mask[c] == 0) continue;
            Complex v = 0;
            for (int k = 0; k < B1.Length; k++) v += w[k] * B1[k][c];
            re[c] = (float)v.Real; im[c] = (float)v.Imaginary;
            sum += v.Magnitude; cnt++;
        }
        return (re, im, sum / cnt);
    }
}

/// <summary>One evaluation/training case: a slice and a shim, with the true 3D 10 g peak of that slice.</summary>
/// <param name="Subject">Subject id.</param>
/// <param name="Family">Anatomy family.</param>
/// <param name="Slice">Slice index in the slab.</param>
/// <param name="Shim">Shim index of the subject (the same shims serve all its slices).</param>
/// <param name="Phases">Phases φ_n (rad) of w_n = e^{jφ_n}, φ_1 = 0; amplitudes 1 V peak incident.</param>
/// <param name="B1MeanAbsUt">⟨|Σ w_n B1⁺_n|⟩ over the slice tissue, µT.</param>
/// <param name="TruePeak10g">Maximum over the slice tissue of the IEC/IEEE 62704-1 10 g SAR of the 3D model, W/kg.</param>
public sealed record Surrogate3dCase(string Subject, string Family, int Slice, int Shim, double[] Phases, double B1MeanAbsUt, double TruePeak10g)
{
    /// <summary>True peak / ⟨|B1⁺|⟩², W/kg per µT² (the normalisation of the 2D datasets).</summary>
    public double TrueNormalised => TruePeak10g / (B1MeanAbsUt * B1MeanAbsUt);
}

/// <summary>
/// Training/evaluation pairs from 3D subjects (docs/surrogate.md "3D evaluation"). FOV mapping: the slab's 5 mm
/// x-y grid is embedded, cell for cell, into the model's training grid (centres x = (i − (nx − 1)/2)·h of the 2D
/// datasets, coil axis at the origin in both); this is exact (no interpolation) and refused unless the cell sizes agree
/// within 1e-6 relative and the cell centres coincide within 1e-3 cell — another grid would need a resampling of B1⁺
/// and ρ that the models never saw. Shims: w_1 = 1, w_n = e^{jφ_n}, φ_n ~ U[0, 2π) for n ≥ 2, drawn per subject from
/// SplitMix64(seed, FNV-1a(subject id)), so a subject's shims do not depend on which other subjects are present.
/// </summary>
public static class Surrogate3dPairs
{
    /// <summary>The subject's shims (w_1 = 1, unit amplitudes): [shim][channel].</summary>
    public static double[][] ShimPhases(string subject, int count, int seed, int channels = 8)
    {
        if (count < 1) throw new SarKitInputException($"--shims {count}: expected ≥ 1.");
        ulong h = 14695981039346656037UL;
        foreach (char ch in subject) { h ^= ch; h *= 1099511628211UL; }
        var rng = new BodyModelRandom(seed, h);
        var list = new double[count][];
        for (int m = 0; m < count; m++)
        {
            list[m] = new double[channels];
            for (int k = 1; k < channels; k++) list[m][k] = 2 * Math.PI * rng.NextDouble();
        }
        return list;
    }

    /// <summary>The exact slices of a subject embedded into the training grid (see the type's summary for the mapping).</summary>
    public static List<Surrogate3dSlice> Slices(Surrogate3dSubject s, SurrogateTrainingGrid grid)
    {
        double h = grid.CellSizeM;
        if (!(h > 0)) throw new SarKitInputException($"The model's training grid has cell size {h}; the 3D slices need it to map the field of view.");
        int Offset(double[] e, int n2, string axis)
        {
            for (int i = 0; i + 1 < e.Length; i++)
                if (Math.Abs(e[i + 1] - e[i] - h) > 1e-6 * h)
                    throw new SarKitInputException($"'{s.FilePath}': {axis} cell {i} is {(e[i + 1] - e[i]) * 1e3:G6} mm; the model's training grid has {h * 1e3:G6} mm cells (no resampling: the models never saw resampled B1+).") { SourceFile = s.FilePath, Dataset = "/grid/edges_" + axis };
            double c0 = 0.5 * (e[0] + e[1]) / h + (n2 - 1) / 2.0;   // training-grid index of the slab's first centre
            int o = (int)Math.Round(c0);
            if (Math.Abs(c0 - o) > 1e-3) throw new SarKitInputException($"'{s.FilePath}': {axis} cell centres are offset by {(c0 - o):G3} cells from the training grid's; no exact embedding.") { SourceFile = s.FilePath, Dataset = "/grid/edges_" + axis };
            return o;
        }
        int ox = Offset(s.EdgesX, grid.Nx, "x"), oy = Offset(s.EdgesY, grid.Ny, "y");
        var water = new Dictionary<int, (float W, float F)>();
        for (int l = 0; l < s.LabelNames.Length; l++)
        {
            var t = BodyTissues.All.FirstOrDefault(x => x.Name == s.LabelNames[l]);
            water[l] = t is null ? (0f, 0f) : (t.Water, t.Fat);
        }
        var list = new List<Surrogate3dSlice>();
        int nx2 = grid.Nx, ny2 = grid.Ny, n2 = nx2 * ny2;
        foreach (var k in s.ExactSlices)
        {
            var mask = new byte[n2]; var w = new float[n2]; var f = new float[n2]; var rho = new double[n2];
            var b1 = new Complex[s.Channels][];
            for (int q = 0; q < s.Channels; q++) b1[q] = new Complex[n2];
            for (int j = 0; j < s.Ny; j++)
                for (int i = 0; i < s.Nx; i++)
                {
                    int v = i + s.Nx * (j + s.Ny * k);
                    if (!(s.Rho[v] > 0)) continue;
                    int I = i + ox, J = j + oy;
                    if (I < 0 || I >= nx2 || J < 0 || J >= ny2)
                        throw new SarKitInputException($"'{s.FilePath}': tissue voxel [{k}, {j}, {i}] lies outside the model's {ny2} × {nx2} training grid.") { SourceFile = s.FilePath };
                    int c = I + nx2 * J;
                    mask[c] = 1; rho[c] = s.Rho[v];
                    (w[c], f[c]) = water.GetValueOrDefault(s.Labels[v]);
                    var ref1 = s.B1[0][v];
                    var rot = ref1.Magnitude > 0 ? Complex.Conjugate(ref1) / ref1.Magnitude : Complex.One;   // e^{−j∠b₁}
                    for (int q = 0; q < s.Channels; q++) b1[q][c] = s.B1[q][v] * rot * 1e6;                   // T → µT
                }
            list.Add(new Surrogate3dSlice(s.Id, s.Family, k, 0.5 * (s.EdgesZ[k] + s.EdgesZ[k + 1]), nx2, ny2, ox, oy, mask, w, f, rho, b1));
        }
        return list;
    }

    /// <summary>
    /// The cases of a subject: every exact slice × every shim, with the true slice peak of the 3D 10 g SAR (the
    /// 62704-1 map of the whole model, <see cref="Surrogate3dSubject.Sar10gMap"/>) and ⟨|B1⁺|⟩ over the slice tissue.
    /// </summary>
    public static List<Surrogate3dCase> Cases(Surrogate3dSubject s, IReadOnlyList<Surrogate3dSlice> slices, double[][] phases)
    {
        var list = new List<Surrogate3dCase>();
        for (int m = 0; m < phases.Length; m++)
        {
            var w = phases[m].Select(p => Complex.FromPolarCoordinates(1, p)).ToArray();
            var map = s.Sar10gMap(w);
            foreach (var sl in slices)
            {
                double peak = 0;
                for (int c = sl.Slice * s.SliceCells; c < (sl.Slice + 1) * s.SliceCells; c++)
                    if (s.Status[c] > 0 && map[c] > peak) peak = map[c];
                var (_, _, mean) = sl.Combined(w);
                if (!(peak > 0) || !(mean > 0) || !double.IsFinite(peak))
                    throw new SarKitInputException($"'{s.FilePath}': slice {sl.Slice}, shim {m}: true 10 g peak {peak} W/kg, ⟨|B1+|⟩ {mean} µT; expected positive finite values.") { SourceFile = s.FilePath };
                list.Add(new Surrogate3dCase(s.Id, s.Family, sl.Slice, m, phases[m], mean, peak));
            }
        }
        return list;
    }

    /// <summary>
    /// Writes one subject's training/evaluation pairs as .npz (atomically; C order, x fastest), on the training grid:
    /// <c>b1_channels</c> [S, C, 2, ny, nx] float32 µT per V (channel-1 phase removed), <c>mask</c> [S, ny, nx] uint8,
    /// <c>water</c>, <c>fat</c>, <c>rho</c> [S, ny, nx] float32, <c>slice</c> [S] int32, <c>z_m</c> [S], <c>phases</c> [M, C]
    /// float32 rad, <c>b1_mean_abs</c> [M, S] µT, <c>sar10g</c> [M, S, ny, nx] float32 W/kg per V² (the true 3D 10 g map
    /// of each shim on each slice) and the per-channel quantity <c>sar10g_channel</c> [C, S, ny, nx] (10 g map of channel
    /// n alone at 1 V, the diagonal of the cube Q-matrices mapped like the target).
    /// </summary>
    public static void WritePairs(string path, Surrogate3dSubject s, IReadOnlyList<Surrogate3dSlice> slices, double[][] phases)
    {
        int S = slices.Count, C = s.Channels, M = phases.Length, ny = slices[0].Ny, nx = slices[0].Nx, n = nx * ny;
        var b1 = new float[S * C * 2 * n]; var mask = new byte[S * n]; var wat = new float[S * n]; var fat = new float[S * n]; var rho = new float[S * n];
        for (int q = 0; q < S; q++)
        {
            Array.Copy(slices[q].B1ChannelsInterleaved(), 0, b1, q * C * 2 * n, C * 2 * n);
            Array.Copy(slices[q].Mask, 0, mask, q * n, n); Array.Copy(slices[q].Water, 0, wat, q * n, n); Array.Copy(slices[q].Fat, 0, fat, q * n, n);
            for (int c = 0; c < n; c++) rho[q * n + c] = (float)slices[q].Rho[c];
        }
        float[] OnGrid(int count) => new float[count * S * n];
        void Fill(double[] map, float[] dst, int block)
        {
            for (int q = 0; q < S; q++)
            {
                var sl = slices[q];
                for (int j = 0; j < s.Ny; j++)
                    for (int i = 0; i < s.Nx; i++)
                    {
                        int v = i + s.Nx * (j + s.Ny * sl.Slice), c = (i + sl.OffsetX) + nx * (j + sl.OffsetY);
                        if (c >= 0 && c < n && s.Status[v] > 0) dst[(block * S + q) * n + c] = (float)map[v];
                    }
            }
        }
        var sar = OnGrid(M); var mean = new float[M * S];
        for (int m = 0; m < M; m++)
        {
            var w = phases[m].Select(p => Complex.FromPolarCoordinates(1, p)).ToArray();
            Fill(s.Sar10gMap(w), sar, m);
            for (int q = 0; q < S; q++) mean[m * S + q] = (float)slices[q].Combined(w).MeanAbs;
        }
        var chan = OnGrid(C);
        for (int k = 0; k < C; k++) { var w = new Complex[C]; w[k] = 1; Fill(s.Sar10gMap(w), chan, k); }
        NpzArchive.Write(path, new Dictionary<string, NdArray>
        {
            ["b1_channels"] = new(NdType.Float32, [S, C, 2, ny, nx], b1),
            ["mask"] = new(NdType.UInt8, [S, ny, nx], mask),
            ["water"] = new(NdType.Float32, [S, ny, nx], wat),
            ["fat"] = new(NdType.Float32, [S, ny, nx], fat),
            ["rho"] = new(NdType.Float32, [S, ny, nx], rho),
            ["slice"] = new(NdType.Int32, [S], slices.Select(x => x.Slice).ToArray()),
            ["z_m"] = new(NdType.Float64, [S], slices.Select(x => x.ZM).ToArray()),
            ["phases"] = new(NdType.Float32, [M, C], phases.SelectMany(x => x.Select(v => (float)v)).ToArray()),
            ["b1_mean_abs"] = new(NdType.Float32, [M, S], mean),
            ["sar10g"] = new(NdType.Float32, [M, S, ny, nx], sar),
            ["sar10g_channel"] = new(NdType.Float32, [C, S, ny, nx], chan),
        });
    }
}
