using SarKit.IO;
using SarKit.IO.Arrays;

namespace SarKit.Surrogate;

/// <summary>
/// Inputs of the per-channel surrogate read from a file (<see cref="SurrogateInputFiles.ReadPerChannel"/>): all maps
/// [ny, nx] in C order.
/// </summary>
/// <param name="Nx">Cells along x.</param>
/// <param name="Ny">Cells along y.</param>
/// <param name="B1Channels">B1⁺ per channel [C, 2, ny, nx] (re, im), µT per unit drive, channel-1 phase removed.</param>
/// <param name="Mask">Body mask (1 = body).</param>
/// <param name="Water">Water image, when the file has one.</param>
/// <param name="Fat">Fat image, when the file has one.</param>
/// <param name="Rho">Density ρ (kg/m³) per cell, when the file has one (needed for the 10 g average).</param>
/// <param name="ShardPhases">A dataset shard's shim phases [M, C] (rad), when the file has them.</param>
/// <param name="ReferencePeaks">A dataset shard's reference peaks per shim ("sar", "sar10g" in W/kg), null when the file has none.</param>
public sealed record PerChannelInput(int Nx, int Ny, float[] B1Channels, byte[] Mask, float[]? Water, float[]? Fat, double[]? Rho, float[]? ShardPhases,
    Func<int, Dictionary<string, double>?> ReferencePeaks);

/// <summary>
/// Reads the surrogate inputs of one slice from a file of named arrays (.npz, HDF5 or MATLAB .mat through
/// <see cref="ArrayCollections.Open"/>): a plain input file or a dataset shard (docs/surrogate.md, docs/cli.md
/// "sarkit surrogate predict"). Every shape or value problem is a <see cref="SarKitInputException"/> naming the array.
/// </summary>
public static class SurrogateInputFiles
{
    /// <summary>
    /// Direct-model input: 'b1' (float [2, ny, nx] re/im or complex [ny, nx]), 'mask', optional 'water', 'fat'; or a
    /// dataset shard's 'b1_shim'[<paramref name="shim"/>]. For a shard with 'b1_mean_abs', also the reference peaks of
    /// that shim ("sar", "sar10g"; stored normalised maps × ⟨|B1⁺|⟩², W/kg).
    /// </summary>
    public static (SurrogateInput Input, Dictionary<string, double>? ReferencePeaks) ReadDirect(string path, int shim)
    {
        using var z = ArrayCollections.Open(path);
        float[] F(NdArray a) => a.ToDouble().Select(v => (float)v).ToArray();
        int[] Shape2(string name)
        {
            var a = z.Get(name);
            if (a.Shape.Length != 2) throw new SarKitInputException($"'{path}': array '{name}' has shape [{string.Join(", ", a.Shape)}]; expected [ny, nx].") { SourceFile = path, Dataset = name };
            return a.Shape;
        }
        var ms = Shape2("mask");
        int ny = ms[0], nx = ms[1], n = nx * ny;
        var mask = z.Read("mask").ToDouble().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        float[]? water = z.Find("water") is null ? null : F(z.Read("water"));
        float[]? fat = z.Find("fat") is null ? null : F(z.Read("fat"));
        float[] re = new float[n], im = new float[n];
        Dictionary<string, double>? reference = null;
        if (z.Find("b1_shim") is { } bs)
        {
            if (bs.Shape.Length != 4 || bs.Shape[1] != 2 || bs.Shape[2] != ny || bs.Shape[3] != nx)
                throw new SarKitInputException($"'{path}': 'b1_shim' has shape [{string.Join(", ", bs.Shape)}]; expected [M, 2, {ny}, {nx}].") { SourceFile = path, Dataset = "b1_shim" };
            if (shim < 0 || shim >= bs.Shape[0]) throw new SarKitInputException($"--shim {shim}: '{path}' has shims 0..{bs.Shape[0] - 1}.") { SourceFile = path, Dataset = "b1_shim" };
            var all = z.Read("b1_shim").ToDouble();
            for (int c = 0; c < n; c++) { re[c] = (float)all[(long)shim * 2 * n + c]; im[c] = (float)all[(long)shim * 2 * n + n + c]; }
            if (z.Find("b1_mean_abs") is not null)
            {
                var m = z.Read("b1_mean_abs").ToDouble();
                reference = new();
                foreach (var key in new[] { "sar", "sar10g" })
                {
                    if (z.Find(key) is null) continue;
                    var s = z.Read(key).ToDouble();
                    double pk = 0; for (int c = 0; c < n; c++) pk = Math.Max(pk, s[(long)shim * n + c]);
                    reference[key] = pk * m[shim] * (double)m[shim];
                }
            }
        }
        else
        {
            var b = z.Get("b1");
            var data = z.Read("b1");
            if (data.IsComplex && b.Shape.Length == 2 && b.Shape[0] == ny && b.Shape[1] == nx)
            {
                var v = data.ToComplexInterleaved();
                for (int c = 0; c < n; c++) { re[c] = (float)v[2 * c]; im[c] = (float)v[2 * c + 1]; }
            }
            else if (!data.IsComplex && b.Shape.Length == 3 && b.Shape[0] == 2 && b.Shape[1] == ny && b.Shape[2] == nx)
            {
                var v = data.ToDouble();
                for (int c = 0; c < n; c++) { re[c] = (float)v[c]; im[c] = (float)v[n + c]; }
            }
            else throw new SarKitInputException($"'{path}': array 'b1' has shape [{string.Join(", ", b.Shape)}] ({data.Type}); expected float [2, {ny}, {nx}] (re, im) or complex [{ny}, {nx}] matching 'mask'.") { SourceFile = path, Dataset = "b1" };
        }
        return (new SurrogateInput(nx, ny, re, im, mask, water, fat), reference);
    }

    /// <summary>
    /// Per-channel-model input: 'b1_channels' [<paramref name="channels"/>, 2, ny, nx] float, 'mask', optional
    /// 'water', 'fat', 'rho' (kg/m³: &gt; 0 in the body, ≥ 0 elsewhere) and a shard's 'phases' [M, C] with its
    /// reference peaks per shim.
    /// </summary>
    public static PerChannelInput ReadPerChannel(string path, int channels)
    {
        using var z = ArrayCollections.Open(path);
        var ms = z.Get("mask").Shape;
        if (ms.Length != 2) throw new SarKitInputException($"'{path}': array 'mask' has shape [{string.Join(", ", ms)}]; expected [ny, nx].") { SourceFile = path, Dataset = "mask" };
        int ny = ms[0], nx = ms[1], n = nx * ny;
        var bc = z.Find("b1_channels") ?? throw new SarKitInputException($"'{path}' has no array 'b1_channels' (per-channel B1+ [C, 2, ny, nx], µT per unit drive); the per-channel model needs it (members: {string.Join(", ", z.Names)}).") { SourceFile = path, Dataset = "b1_channels" };
        if (bc.Shape.Length != 4 || bc.Shape[0] != channels || bc.Shape[1] != 2 || bc.Shape[2] != ny || bc.Shape[3] != nx)
            throw new SarKitInputException($"'{path}': array 'b1_channels' has shape [{string.Join(", ", bc.Shape)}]; expected [{channels}, 2, {ny}, {nx}] ({channels} channels of the model, (re, im), like 'mask').") { SourceFile = path, Dataset = "b1_channels" };
        var b1 = z.Read("b1_channels");
        if (b1.IsComplex) throw new SarKitInputException($"'{path}': array 'b1_channels' is complex; expected float [C, 2, ny, nx] (re, im).") { SourceFile = path, Dataset = "b1_channels" };
        var b = b1.ToDouble().Select(v => (float)v).ToArray();
        var mask = z.Read("mask").ToDouble().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        float[]? Img(string name)
        {
            if (z.Find(name) is not { } s) return null;
            if (s.Shape.Length != 2 || s.Shape[0] != ny || s.Shape[1] != nx)
                throw new SarKitInputException($"'{path}': array '{name}' has shape [{string.Join(", ", s.Shape)}]; expected [{ny}, {nx}] like 'mask'.") { SourceFile = path, Dataset = name };
            var v = z.Read(name).ToDouble();
            for (int c = 0; c < n; c++)
                if (!double.IsFinite(v[c])) throw new SarKitInputException($"'{path}': {name}[{c / nx}, {c % nx}] = {v[c]}; expected finite values.") { SourceFile = path, Dataset = name };
            return v.Select(d => (float)d).ToArray();
        }
        var water = Img("water"); var fat = Img("fat");
        double[]? rho = Img("rho")?.Select(v => (double)v).ToArray();
        if (rho is not null)
            for (int c = 0; c < n; c++)
                if (rho[c] < 0 || (mask[c] == 1 && !(rho[c] > 0)))
                    throw new SarKitInputException($"'{path}': rho[{c / nx}, {c % nx}] = {rho[c]} kg/m³{(mask[c] == 1 ? " inside the body" : "")}; expected > 0 in the body and ≥ 0 elsewhere.") { SourceFile = path, Dataset = "rho" };
        float[]? phases = null;
        if (z.Find("phases") is { } ps)
        {
            if (ps.Shape.Length != 2 || ps.Shape[1] != channels)
                throw new SarKitInputException($"'{path}': array 'phases' has shape [{string.Join(", ", ps.Shape)}]; expected [M, {channels}] (rad).") { SourceFile = path, Dataset = "phases" };
            phases = z.Read("phases").ToDouble().Select(v => (float)v).ToArray();
        }
        // reference peaks of a dataset shard (stored maps are normalised by <|B1+|>² of the shim)
        var perShim = new Dictionary<string, double[]>();
        if (z.Find("b1_mean_abs") is not null)
        {
            var m = z.Read("b1_mean_abs").ToDouble();
            foreach (var key in new[] { "sar", "sar10g" })
                if (z.Find(key) is { } st && st.Shape.Length == 3 && st.Shape[0] == m.Length && st.Shape[1] == ny && st.Shape[2] == nx)
                {
                    var s = z.Read(key).ToDouble();
                    var pk = new double[m.Length];
                    for (int q = 0; q < m.Length; q++)
                    {
                        double best = 0;
                        for (int c = 0; c < n; c++) best = Math.Max(best, s[(long)q * n + c]);
                        pk[q] = best * m[q] * m[q];
                    }
                    perShim[key] = pk;
                }
        }
        return new PerChannelInput(nx, ny, b, mask, water, fat, rho, phases,
            shim => perShim.Count == 0 ? null : perShim.Where(kv => shim < kv.Value.Length).ToDictionary(kv => kv.Key, kv => kv.Value[shim]));
    }
}
