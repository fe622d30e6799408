using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Compression.Algorithms;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Margins;

/// <summary>
/// E-field uncertainty margin matrices Q_e (Ferrand, Luong, Amadon &amp; Boulant, ISMRM: "Mathematical tools to define SAR
/// margins for phased array coil in-vivo applications given E-field uncertainties"). For the error model of
/// <see cref="FieldUncertaintyModel"/>, the SAR error of a drive s at a point has
/// mean 3·σ/(2ρ)·‖s‖²σ_e² and standard deviation ≤ (σ/ρ)·(√2/2)σ_e‖s‖‖E(r)s‖ ≤ (σ/ρ)·sᴴK(r)s.
/// The point margin is Q_e(r) = (σ/ρ)(k + C_r)·K(r) [+ 3σ/(2ρ)σ_e²·I with the expectation term], in W/kg per drive unit²;
/// it is mass-averaged over the same IEC/IEEE 62704-1 cubes as Q (the average of a fully spatially correlated error's
/// standard deviation is bounded by the average of the point standard deviations), so the protected local SAR of a cube is
/// sᴴ(Q_cube + Q_e,cube)s.
/// </summary>
public static class EFieldMargin
{
    /// <summary>Mean over tissue voxels (ρ &gt; 0) and channels of the per-channel field magnitude ‖E_i(r)‖ = (Σ_j |E_ij|²)^{1/2}
    /// (V/m per drive unit): the reference of a relative σ_e.</summary>
    public static double MeanFieldMagnitude(TissueModel tissue, MultiChannelField e)
    {
        // fixed blocks of voxels summed in parallel, each in voxel order, then the block sums added in block order: the same
        // bits on every run and thread count (before: thread-local partial sums added in the order the threads finished,
        // which moved the relative σ_e, and every margin-validation ratio, by ~3e-16 between runs)
        int n = e.Channels, voxels = tissue.Grid.VoxelCount;
        const int blockVoxels = 4096;
        int blocks = (voxels + blockVoxels - 1) / blockVoxels;
        var blockSum = new double[blocks];
        var blockCount = new long[blocks];
        Parallel.For(0, blocks, b =>
        {
            double sb = 0; long cb = 0;
            for (int v = b * blockVoxels, end = Math.Min(voxels, v + blockVoxels); v < end; v++)
            {
                if (tissue.Rho[v] <= 0) continue;
                for (int c = 0; c < n; c++)
                {
                    double m2 = 0;
                    for (int a = 0; a < 3; a++) { var d = e.ComponentData(c, a); m2 += (double)d[2 * v] * d[2 * v] + (double)d[2 * v + 1] * d[2 * v + 1]; }
                    sb += Math.Sqrt(m2);
                }
                cb += n;
            }
            blockSum[b] = sb; blockCount[b] = cb;
        });
        double sum = 0; long count = 0;
        for (int b = 0; b < blocks; b++) { sum += blockSum[b]; count += blockCount[b]; }
        if (count == 0) throw new SarKitInputException($"{e.Source}: no tissue voxels (ρ > 0); the mean field magnitude for a relative σ_e is undefined.");
        return sum / count;
    }

    /// <summary>
    /// Writes factor·[coefficient·K(v) + expectation·I] packed into <paramref name="dest"/> (N² doubles), K from the channel
    /// fields at voxel <paramref name="v"/> (<see cref="MarginMatrixForm"/>). <paramref name="scratch"/> holds ≥ 2N doubles.
    /// </summary>
    internal static void MarginMatrix(MultiChannelField e, int v, MarginMatrixForm form, double sigmaE, double coefficient, double expectation,
                                      double factor, Span<double> dest, Span<double> scratch, double gramWeight = 0)
    {
        // with gramWeight ≠ 0, gramWeight·G (G = EᴴE) is added before the final factor: Q + Q_e in one pass (Q = (σ/2ρ)G)
        if (gramWeight != 0 && form == MarginMatrixForm.Seed)
        {
            Span<double> g = stackalloc double[e.Channels * e.Channels];
            MarginMatrix(e, v, form, sigmaE, coefficient, expectation, 1.0, dest, scratch);
            QMatrixField.PointMatrix(e, v, gramWeight, g, scratch);
            for (int k = 0; k < dest.Length; k++) dest[k] = factor * (dest[k] + g[k]);
            return;
        }
        int n = e.Channels;
        dest.Clear();
        double kScale = Math.Sqrt(0.5) * sigmaE * coefficient;
        if (form == MarginMatrixForm.Seed)
        {
            var a = scratch[..n];
            for (int c = 0; c < n; c++)
            {
                double m2 = 0;
                for (int x = 0; x < 3; x++) { var d = e.ComponentData(c, x); m2 += (double)d[2 * v] * d[2 * v] + (double)d[2 * v + 1] * d[2 * v + 1]; }
                a[c] = Math.Sqrt(m2);
            }
            for (int i = 0; i < n; i++) dest[i] = kScale * 2 * a[i];
            int o = n;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) { dest[o] = kScale * (a[i] + a[j]); o += 2; }
        }
        else
        {
            // G = EᴴE packed (factor 1), c² = λ_max(G) = λ_max(E Eᴴ) of the 3×3 component Gram matrix
            QMatrixField.PointMatrix(e, v, 1.0, dest, scratch);
            double lam = ComponentGramLargestEigenvalue(e, v);
            if (lam > 0)
            {
                double c = Math.Sqrt(lam);
                double gScale = kScale * 0.5 / c + gramWeight;
                for (int k = 0; k < dest.Length; k++) dest[k] *= gScale;
                for (int i = 0; i < n; i++) dest[i] += kScale * 0.5 * c;
            }
            else if (gramWeight != 0) for (int k = 0; k < dest.Length; k++) dest[k] *= gramWeight;
            else dest.Clear();
        }
        for (int i = 0; i < n; i++) dest[i] += expectation;
        for (int k = 0; k < dest.Length; k++) dest[k] *= factor;
    }

    /// <summary>λ_max of the 3×3 Hermitian M = E Eᴴ (M_ab = Σ_c E_ca conj(E_cb)) at voxel v, by the trigonometric closed form
    /// (O. K. Smith, Comm. ACM 4(4):168, 1961); equals λ_max(EᴴE).</summary>
    internal static double ComponentGramLargestEigenvalue(MultiChannelField e, int v)
    {
        double m00 = 0, m11 = 0, m22 = 0; Complex m01 = 0, m02 = 0, m12 = 0;
        for (int c = 0; c < e.Channels; c++)
        {
            var dx = e.ComponentData(c, 0); var dy = e.ComponentData(c, 1); var dz = e.ComponentData(c, 2);
            var x = new Complex(dx[2 * v], dx[2 * v + 1]); var y = new Complex(dy[2 * v], dy[2 * v + 1]); var z = new Complex(dz[2 * v], dz[2 * v + 1]);
            m00 += x.Real * x.Real + x.Imaginary * x.Imaginary; m11 += y.Real * y.Real + y.Imaginary * y.Imaginary; m22 += z.Real * z.Real + z.Imaginary * z.Imaginary;
            m01 += x * Complex.Conjugate(y); m02 += x * Complex.Conjugate(z); m12 += y * Complex.Conjugate(z);
        }
        return LargestEigenvalue3(m00, m11, m22, m01, m02, m12);
    }

    /// <summary>λ_max of a 3×3 Hermitian matrix [[a, p, q], [p̄, b, r], [q̄, r̄, c]] (trigonometric method, clamped).</summary>
    internal static double LargestEigenvalue3(double a, double b, double c, Complex p, Complex q, Complex r)
    {
        double off = p.Real * p.Real + p.Imaginary * p.Imaginary + q.Real * q.Real + q.Imaginary * q.Imaginary + r.Real * r.Real + r.Imaginary * r.Imaginary;
        double mean = (a + b + c) / 3;
        double a1 = a - mean, b1 = b - mean, c1 = c - mean;
        double p2 = a1 * a1 + b1 * b1 + c1 * c1 + 2 * off;
        if (p2 <= 1e-300) return mean;
        double s = Math.Sqrt(p2 / 6);
        // det(M − mean·I) for Hermitian: a1 b1 c1 + 2 Re(p r q̄) − a1|r|² − b1|q|² − c1|p|²
        double det = a1 * b1 * c1 + 2 * (p * r * Complex.Conjugate(q)).Real
                     - a1 * (r.Real * r.Real + r.Imaginary * r.Imaginary) - b1 * (q.Real * q.Real + q.Imaginary * q.Imaginary) - c1 * (p.Real * p.Real + p.Imaginary * p.Imaginary);
        double h = Math.Clamp(det / (2 * s * s * s), -1, 1);
        double phi = Math.Acos(h) / 3;
        return mean + 2 * s * Math.Cos(phi);
    }

    /// <summary>
    /// Point margins Q_e(r) of all tissue voxels (linear voxel order, N² doubles each, <see cref="HermitianPacking"/>), W/kg per
    /// drive unit²; the voxel indices are those of <see cref="QMatrixField.Compute"/> for the same tissue.
    /// </summary>
    public static (int[] Voxels, double[] Packed) PointMargins(TissueModel tissue, MultiChannelField e, FieldUncertaintyModel model)
    {
        model.Validate();
        double sigmaE = model.AbsoluteSigma(tissue, e), coef = model.Coefficient;
        double expectation = model.IncludeExpectation ? 1.5 * sigmaE * sigmaE : 0;
        var voxels = new List<int>();
        for (int v = 0; v < tissue.Rho.Length; v++) if (tissue.Rho[v] > 0) voxels.Add(v);
        var idx = voxels.ToArray();
        int n = e.Channels, n2 = n * n;
        var packed = new double[(long)idx.Length * n2];
        // Q_e = (σ/ρ)[coef·K + 1.5σ_e² I] (MarginMatrix's expectation argument is relative to σ/ρ: 3σ/(2ρ)σ_e² = (σ/ρ)·1.5σ_e²)
        Parallel.For(0, idx.Length, () => new double[2 * n], (t, _, sc) =>
        {
            int v = idx[t];
            MarginMatrix(e, v, model.Form, sigmaE, coef, expectation, tissue.Sigma[v] / tissue.Rho[v], packed.AsSpan(t * n2, n2), sc);
            return sc;
        }, _ => { });
        return (idx, packed);
    }

    /// <summary>
    /// Mass-averaged margins over every cube: with <paramref name="includeQ"/> the protected set Q_cube + Q_e,cube (the
    /// seed's "Q + Q_e then 10 g averaging", identical to averaging each separately since both are linear), otherwise
    /// Q_e,cube alone.
    /// </summary>
    public static AveragedQMatrixSet Averaged(SarDataset data, AveragingCubeSet cubes, FieldUncertaintyModel model, bool includeQ = true,
                                              IProgress<double>? progress = null)
    {
        model.Validate();
        var e = data.E; var tissue = data.Tissue;
        double sigmaE = model.AbsoluteSigma(tissue, e), coef = model.Coefficient;
        double expectation = model.IncludeExpectation ? 1.5 * sigmaE * sigmaE : 0;
        int n = e.Channels, n2 = n * n;
        var form = model.Form;
        var packed = AveragedQMatrixSet.AverageComponents(data, cubes, n2, (v, dest, scratch) =>
        {
            // mass-weighted: ρ·V·(σ/ρ)(…) = σ·V·(…)
            double f = tissue.Sigma[v] * cubes.VoxelVolume(v);
            MarginMatrix(e, v, form, sigmaE, coef, expectation, f, dest, scratch, includeQ ? 0.5 : 0);
        }, progress: progress);
        return AveragedQMatrixSet.FromPacked(cubes, n, packed, e.Normalisation);
    }

    /// <summary>
    /// Q_e as a VOP transform: V_j ↦ V_j + β·I with β = max_c λ_max(Q_e,c) over the averaged margins. Conservative:
    /// max_j xᴴ(V_j + βI)x ≥ max_c xᴴQ_c x + β‖x‖² ≥ max_c xᴴ(Q_c + Q_e,c)x for every drive x, so the transformed set
    /// over-estimates (never under-estimates) the per-cube protected SAR; the certificate of the input no longer applies to
    /// the new matrices and is dropped (the margin is recorded in the attributes).
    /// </summary>
    public static VopSet ApplyToVops(VopSet vops, ReadOnlySpan<double> marginPacked, FieldUncertaintyModel model)
    {
        int n = vops.Channels, n2 = n * n;
        if (marginPacked.Length % n2 != 0) throw new SarKitInputException($"Margin matrices ({marginPacked.Length} doubles) do not match the VOP channel count {n}.");
        double beta = VopSet.WorstCaseSar(marginPacked, n);
        var packed = (double[])vops.Packed.Clone();
        for (int j = 0; j < vops.Count; j++) for (int i = 0; i < n; i++) packed[j * n2 + i] += beta;
        var margin = (double[])vops.Margin.Packed.Clone();
        for (int i = 0; i < n; i++) margin[i] += beta;
        var r = new VopSet(n, packed, vops.SourceIndex, vops.Margin with { Packed = margin }, vops.Criterion,
            vops.Algorithm + $"; + E-field margin β·I (β = max λ_max(Q_e) = {beta:R})", vops.SourceCount, vops.SourceSha256, vops.SarWorstCase, vops.Normalisation);
        foreach (var kv in vops.Attributes) r.Attributes[kv.Key] = kv.Value;
        r.Attributes["efield_margin_beta"] = beta.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        r.Attributes["efield_margin_model"] = Describe(model);
        return r;
    }

    /// <summary>One-line description of a model for file attributes and reports.</summary>
    public static string Describe(FieldUncertaintyModel m) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Ferrand et al. Q_e = (k + C_r)·K_e{(m.IncludeExpectation ? " + 3σ/(2ρ)σ_e²·I" : "")}; σ_e = {m.SigmaE:R}{(m.Relative ? " × mean |E|" : " V/m per drive unit")}; k = {m.K:R}; r = {m.R}; C_r = {HotSpotCoefficient.Cr(m.R):F6}; form = {m.Form}");

    /// <summary>
    /// Time-averaged psSAR of a pulse with and without the margin: the pulse is sampled as drives s_t with weights w_t
    /// (Σ w_t = 1 for an average over τ; e.g. Δt/τ), psSAR = max_c Σ_t w_t s_tᴴQ_c s_t = max_c tr(Q_c W), W = Σ_t w_t s_t s_tᴴ.
    /// Valid with Q + Q_e because the mean is linear and the standard deviation of a time average is at most the time
    /// average of the standard deviations (the seed: different time shapes per channel only lower it).
    /// </summary>
    public static MarginIncrease Increase(AveragedQMatrixSet q, AveragedQMatrixSet protectedSet, IReadOnlyList<DriveVector> samples, IReadOnlyList<double>? weights = null)
    {
        if (samples.Count == 0) throw new SarKitInputException("Pulse SAR: no drive samples.");
        if (weights is not null && weights.Count != samples.Count) throw new SarKitInputException($"Pulse SAR: {weights.Count} weights for {samples.Count} samples.");
        int n = q.Channels, n2 = n * n;
        var w = new double[n2];
        for (int t = 0; t < samples.Count; t++)
        {
            if (samples[t].Channels != n) throw new SarKitInputException($"Pulse SAR: sample {t} has {samples[t].Channels} channels, the Q-matrices {n}.");
            double wt = weights?[t] ?? 1.0 / samples.Count;
            if (!(wt >= 0) || !double.IsFinite(wt)) throw new SarKitInputException($"Pulse SAR: weight {t} = {wt}; expected a finite value ≥ 0.");
            var dw = HermitianPacking.DriveWeights(samples[t].Amplitudes);
            for (int k = 0; k < n2; k++) w[k] += wt * dw[k];
        }
        (double, int) Peak(AveragedQMatrixSet set)
        {
            double best = double.NegativeInfinity; int at = 0;
            for (int c = 0; c < set.Count; c++) { double v = HermitianPacking.QuadraticForm(set.Packed(c), w); if (v > best) { best = v; at = c; } }
            return (best, set.Cubes.CubeVoxel(at));
        }
        var a = Peak(q); var b = Peak(protectedSet);
        return new MarginIncrease(a.Item1, a.Item2, b.Item1, b.Item2);
    }

    /// <summary>Peak SAR of a drive with and without the margin: the SAR increase the margin costs (the seed's head example: +22 %).</summary>
    public static MarginIncrease Increase(AveragedQMatrixSet q, AveragedQMatrixSet protectedSet, DriveVector drive)
    {
        var a = q.PeakSar(drive); var b = protectedSet.PeakSar(drive);
        return new MarginIncrease(a.Peak, a.Voxel, b.Peak, b.Voxel);
    }
}

/// <summary>psSAR of a drive from Q and from Q + Q_e (W/kg), the voxels of the peaks, and the relative increase.</summary>
public sealed record MarginIncrease(double PeakSar, int PeakVoxel, double ProtectedPeakSar, int ProtectedPeakVoxel)
{
    /// <summary>ProtectedPeakSar / PeakSar − 1.</summary>
    public double RelativeIncrease => ProtectedPeakSar / PeakSar - 1;
}
