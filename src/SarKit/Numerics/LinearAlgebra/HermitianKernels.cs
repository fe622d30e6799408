using System.Numerics;

namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// Dense kernels for Hermitian N×N matrices (Q-matrices, VOPs) stored in SarKit's packed layout
/// (<see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>: N real diagonal entries, then Re Q_ij, Im Q_ij for i &lt; j row-major).
/// Eigenvalues come from Householder tridiagonalisation and the implicit QL iteration (Golub &amp; Van Loan, Matrix
/// Computations, 4th ed., §8.3; Sturm bisection §8.4.1 as fallback), the top eigenvector from shifted inverse iteration
/// (ibid. §8.2.2) checked by its residual, with the cyclic complex Jacobi method (§8.5) as fallback; accuracy is a few ulps
/// of ‖Q‖ for every N used in VOP compression (2…64). Positive semidefiniteness is decided with a complex
/// Cholesky factorisation (LLᴴ) of Q + τI (Golub &amp; Van Loan §4.2). All work happens in a <see cref="HermitianWorkspace"/>;
/// overloads without one use the calling thread's workspace, so nothing is allocated per call.
/// </summary>
public static class HermitianKernels
{
    private const int MaxSweeps = 60;

    /// <summary>
    /// Largest eigenvalue λ_max of the packed Hermitian Q and a unit eigenvector x (Qx = λ_max x, ‖x‖₂ = 1), written to
    /// <paramref name="eigenvectorOut"/> (length ≥ n). λ_max = max_{‖x‖=1} xᴴQx is the worst-case SAR of Q.
    /// </summary>
    public static double LargestEigen(ReadOnlySpan<double> packed, int n, Span<Complex> eigenvectorOut)
        => LargestEigen(packed, n, eigenvectorOut, HermitianWorkspace.ForCurrentThread);

    /// <inheritdoc cref="LargestEigen(ReadOnlySpan{double}, int, Span{Complex})"/>
    public static double LargestEigen(ReadOnlySpan<double> packed, int n, Span<Complex> eigenvectorOut, HermitianWorkspace ws)
    {
        Check(packed, n, nameof(packed));
        if (eigenvectorOut.Length < n)
            throw new SarKitInputException($"HermitianKernels.LargestEigen: eigenvector buffer has length {eigenvectorOut.Length}, expected at least n = {n}.");
        ws.Ensure(n);
        double lambda = LargestEigenvalue(packed, n, ws);
        double fro = FrobeniusNorm(packed, n);
        if (fro > 0 && double.IsFinite(fro) && InverseIteration(packed, n, lambda, fro, eigenvectorOut, ws)) return lambda;
        return LargestEigenJacobi(packed, n, eigenvectorOut, ws);
    }

    /// <summary>
    /// Top eigenvector by inverse iteration with the shift σ = λ_max + δ (δ = 1e-10‖Q‖_F and larger on retry): σI − Q is
    /// positive definite, so a plain Cholesky factorisation serves. Accepted only if ‖Qx − λx‖ ≤ 1e-12‖Q‖_F; otherwise false.
    /// </summary>
    internal static bool InverseIteration(ReadOnlySpan<double> packed, int n, double lambda, double fro, Span<Complex> x, HermitianWorkspace ws)
    {
        var re = ws.Re; var im = ws.Im; var xr = ws.PRe; var xi = ws.PIm; var yr = ws.VRe; var yi = ws.VIm;
        for (double delta = 1e-10 * fro; delta <= 1e-6 * fro; delta *= 100)
        {
            Unpack(packed, n, ws, subtract: default);
            for (int i = 0; i < n * n; i++) { re[i] = -re[i]; im[i] = -im[i]; }
            if (Cholesky(n, ws, lambda + delta) >= 0) continue;
            for (int i = 0; i < n; i++) { xr[i] = 1 + 0.37 * i % 1.0; xi[i] = 0.11 * (i % 3); }
            for (int iter = 0; iter < 4; iter++)
            {
                // L y = x
                for (int i = 0; i < n; i++)
                {
                    double sr = xr[i], si = xi[i];
                    for (int k = 0; k < i; k++)
                    {
                        double lr = re[i * n + k], li = im[i * n + k];
                        sr -= lr * yr[k] - li * yi[k]; si -= lr * yi[k] + li * yr[k];
                    }
                    yr[i] = sr / re[i * n + i]; yi[i] = si / re[i * n + i];
                }
                // Lᴴ z = y (z into x)
                for (int i = n - 1; i >= 0; i--)
                {
                    double sr = yr[i], si = yi[i];
                    for (int k = i + 1; k < n; k++)
                    {
                        double lr = re[k * n + i], li = -im[k * n + i];
                        sr -= lr * xr[k] - li * xi[k]; si -= lr * xi[k] + li * xr[k];
                    }
                    xr[i] = sr / re[i * n + i]; xi[i] = si / re[i * n + i];
                }
                double norm = 0;
                for (int i = 0; i < n; i++) norm += xr[i] * xr[i] + xi[i] * xi[i];
                double inv = 1 / Math.Sqrt(norm);
                if (!double.IsFinite(inv)) return false;
                for (int i = 0; i < n; i++) { xr[i] *= inv; xi[i] *= inv; }
            }
            for (int i = 0; i < n; i++) x[i] = new Complex(xr[i], xi[i]);
            return Residual(packed, n, lambda, x) <= 1e-12 * fro;
        }
        return false;
    }

    internal static double FrobeniusNorm(ReadOnlySpan<double> packed, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += packed[i] * packed[i];
        for (int i = n; i < n * n; i++) s += 2 * packed[i] * packed[i];
        return Math.Sqrt(s);
    }

    /// <summary>‖Qx − λx‖₂ computed from the packed Q.</summary>
    private static double Residual(ReadOnlySpan<double> p, int n, double lambda, ReadOnlySpan<Complex> x)
    {
        Span<Complex> r = n <= 128 ? stackalloc Complex[n] : new Complex[n];
        for (int i = 0; i < n; i++) r[i] = (p[i] - lambda) * x[i];
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, o += 2)
            {
                var q = new Complex(p[o], p[o + 1]);
                r[i] += q * x[j];
                r[j] += Complex.Conjugate(q) * x[i];
            }
        double s = 0;
        for (int i = 0; i < n; i++) s += r[i].Real * r[i].Real + r[i].Imaginary * r[i].Imaginary;
        return Math.Sqrt(s);
    }

    /// <summary>λ_max and eigenvector by the cyclic complex Jacobi method (the robust fallback of <see cref="LargestEigen(ReadOnlySpan{double}, int, Span{Complex}, HermitianWorkspace)"/>).</summary>
    internal static double LargestEigenJacobi(ReadOnlySpan<double> packed, int n, Span<Complex> eigenvectorOut, HermitianWorkspace ws)
    {
        ws.Ensure(n);
        Unpack(packed, n, ws, subtract: default);
        double f = ScaleToUnit(n, ws);
        Jacobi(n, ws, vectors: true);
        int best = 0;
        var a = ws.Re;
        for (int i = 1; i < n; i++) if (a[i * n + i] > a[best * n + best]) best = i;
        double norm = 0;
        for (int k = 0; k < n; k++) norm += ws.VRe[k * n + best] * ws.VRe[k * n + best] + ws.VIm[k * n + best] * ws.VIm[k * n + best];
        double inv = 1 / Math.Sqrt(norm);
        for (int k = 0; k < n; k++) eigenvectorOut[k] = new Complex(ws.VRe[k * n + best] * inv, ws.VIm[k * n + best] * inv);
        return f * a[best * n + best];
    }

    /// <summary>Largest eigenvalue λ_max of the packed Hermitian Q (no eigenvector).</summary>
    public static double LargestEigenvalue(ReadOnlySpan<double> packed, int n)
        => LargestEigenvalue(packed, n, HermitianWorkspace.ForCurrentThread);

    /// <inheritdoc cref="LargestEigenvalue(ReadOnlySpan{double}, int)"/>
    public static double LargestEigenvalue(ReadOnlySpan<double> packed, int n, HermitianWorkspace ws)
    {
        Check(packed, n, nameof(packed));
        ws.Ensure(n);
        Unpack(packed, n, ws, subtract: default);
        double f = ScaleToUnit(n, ws);
        HermitianTridiagonal.Reduce(n, ws);
        if (!HermitianTridiagonal.QlEigenvalues(n, ws))
        {
            Unpack(packed, n, ws, subtract: default);
            f = ScaleToUnit(n, ws);
            HermitianTridiagonal.Reduce(n, ws);
            return f * HermitianTridiagonal.Eigenvalue(n, ws, n - 1);
        }
        double m = double.NegativeInfinity;
        for (int i = 0; i < n; i++) m = Math.Max(m, ws.Diag[i]);
        return f * m;
    }

    /// <summary>All n eigenvalues of the packed Hermitian Q in ascending order, written to <paramref name="eigenvaluesOut"/>.</summary>
    public static void Eigenvalues(ReadOnlySpan<double> packed, int n, Span<double> eigenvaluesOut)
        => Eigenvalues(packed, n, eigenvaluesOut, HermitianWorkspace.ForCurrentThread);

    /// <inheritdoc cref="Eigenvalues(ReadOnlySpan{double}, int, Span{double})"/>
    public static void Eigenvalues(ReadOnlySpan<double> packed, int n, Span<double> eigenvaluesOut, HermitianWorkspace ws)
    {
        Check(packed, n, nameof(packed));
        if (eigenvaluesOut.Length < n)
            throw new SarKitInputException($"HermitianKernels.Eigenvalues: output has length {eigenvaluesOut.Length}, expected at least n = {n}.");
        ws.Ensure(n);
        Unpack(packed, n, ws, subtract: default);
        double f = ScaleToUnit(n, ws);
        HermitianTridiagonal.Reduce(n, ws);
        if (HermitianTridiagonal.QlEigenvalues(n, ws))
        {
            for (int i = 0; i < n; i++) eigenvaluesOut[i] = f * ws.Diag[i];
            eigenvaluesOut[..n].Sort();
            return;
        }
        Unpack(packed, n, ws, subtract: default);
        f = ScaleToUnit(n, ws);
        HermitianTridiagonal.Reduce(n, ws);
        for (int i = 0; i < n; i++) eigenvaluesOut[i] = f * HermitianTridiagonal.Eigenvalue(n, ws, i);
    }

    /// <summary>
    /// Index of the first pivot at which the Cholesky factorisation of Q + τI breaks down (pivot ≤ 0), or −1 when it
    /// succeeds. −1 means Q ⪰ −τI, i.e. λ_min(Q) ≥ −τ up to rounding (≈ n·ε·‖Q‖); a non-negative result means λ_min(Q) &lt; −τ.
    /// Choose τ (absolute, in the units of Q) above the rounding level so that rank-deficient PSD matrices pass.
    /// </summary>
    public static int FirstFailingPivot(ReadOnlySpan<double> packed, int n, double tolerance)
        => FirstFailingPivot(packed, n, tolerance, HermitianWorkspace.ForCurrentThread);

    /// <inheritdoc cref="FirstFailingPivot(ReadOnlySpan{double}, int, double)"/>
    public static int FirstFailingPivot(ReadOnlySpan<double> packed, int n, double tolerance, HermitianWorkspace ws)
    {
        Check(packed, n, nameof(packed));
        ws.Ensure(n);
        Unpack(packed, n, ws, subtract: default);
        return Cholesky(n, ws, tolerance);
    }

    /// <summary>True when Q + τI is positive definite, i.e. Q ⪰ 0 within the absolute tolerance τ (see <see cref="FirstFailingPivot(ReadOnlySpan{double}, int, double)"/>).</summary>
    public static bool IsPositiveSemidefinite(ReadOnlySpan<double> packed, int n, double tolerance)
        => FirstFailingPivot(packed, n, tolerance) < 0;

    /// <summary>
    /// Single-VOP dominance test of Eichfelder &amp; Gebhardt (MRM 2011): V dominates Q (xᴴVx ≥ xᴴQx for every drive x) iff
    /// V − Q ⪰ 0, tested here as Cholesky of V − Q + τI with the absolute tolerance τ. V − Q is formed in the workspace.
    /// </summary>
    public static bool Dominates(ReadOnlySpan<double> vPacked, ReadOnlySpan<double> qPacked, int n, double absTol)
        => Dominates(vPacked, qPacked, n, absTol, HermitianWorkspace.ForCurrentThread);

    /// <inheritdoc cref="Dominates(ReadOnlySpan{double}, ReadOnlySpan{double}, int, double)"/>
    public static bool Dominates(ReadOnlySpan<double> vPacked, ReadOnlySpan<double> qPacked, int n, double absTol, HermitianWorkspace ws)
    {
        Check(vPacked, n, nameof(vPacked));
        Check(qPacked, n, nameof(qPacked));
        ws.Ensure(n);
        Unpack(vPacked, n, ws, qPacked);
        return Cholesky(n, ws, absTol) < 0;
    }

    /// <summary>
    /// Full eigendecomposition Q = U diag(λ) Uᴴ by the cyclic complex Jacobi method (Golub &amp; Van Loan §8.5):
    /// eigenvalues (unsorted) into <paramref name="valuesOut"/>, eigenvector k as column k of the row-major n×n arrays
    /// <paramref name="vectorsRe"/>/<paramref name="vectorsIm"/>. Used for spectral parts (Eichfelder clustering, VOP post-processing).
    /// </summary>
    internal static void EigenDecomposition(ReadOnlySpan<double> packed, int n, Span<double> valuesOut, Span<double> vectorsRe, Span<double> vectorsIm, HermitianWorkspace ws)
    {
        Check(packed, n, nameof(packed));
        ws.Ensure(n);
        Unpack(packed, n, ws, subtract: default);
        double f = ScaleToUnit(n, ws);
        Jacobi(n, ws, vectors: true);
        for (int i = 0; i < n; i++) valuesOut[i] = f * ws.Re[i * n + i];
        ws.VRe.AsSpan(0, n * n).CopyTo(vectorsRe);
        ws.VIm.AsSpan(0, n * n).CopyTo(vectorsIm);
    }

    // ---- batched ----

    /// <summary>
    /// λ_max of each of the count = lambdaOut.Length packed matrices stored back to back (n² doubles each) in
    /// <paramref name="packedMatrices"/>; runs in parallel with one <see cref="HermitianWorkspace"/> per worker.
    /// </summary>
    public static unsafe void LargestEigenvalues(ReadOnlySpan<double> packedMatrices, int n, Span<double> lambdaOut)
    {
        if (n < 1) throw new SarKitInputException($"HermitianKernels.LargestEigenvalues: matrix size n = {n}, expected n ≥ 1.");
        int count = lambdaOut.Length, nn = n * n;
        if ((long)count * nn > packedMatrices.Length)
            throw new SarKitInputException($"HermitianKernels.LargestEigenvalues: {count} matrices of {n}×{n} need {(long)count * nn} packed doubles, got {packedMatrices.Length}.");
        if (count * (long)nn * n < 200_000)
        {
            var ws = HermitianWorkspace.ForCurrentThread;
            for (int k = 0; k < count; k++) lambdaOut[k] = LargestEigenvalue(packedMatrices.Slice(k * nn, nn), n, ws);
            return;
        }
        fixed (double* pin = packedMatrices)
        fixed (double* pout = lambdaOut)
        {
            nint src = (nint)pin, dst = (nint)pout;
            int chunk = Math.Max(1, 4096 / nn);
            int chunks = (count + chunk - 1) / chunk;
            Parallel.For(0, chunks, () => new HermitianWorkspace(n), (c, _, ws) =>
            {
                var input = new ReadOnlySpan<double>((double*)src, count * nn);
                var output = new Span<double>((double*)dst, count);
                int end = Math.Min(count, (c + 1) * chunk);
                for (int k = c * chunk; k < end; k++) output[k] = LargestEigenvalue(input.Slice(k * nn, nn), n, ws);
                return ws;
            }, _ => { });
        }
    }

    /// <summary>Batched <see cref="Dominates(ReadOnlySpan{double}, ReadOnlySpan{double}, int, double)"/>: dominatedOut[k] = V ⪰ Q_k within τ, for count = dominatedOut.Length matrices Q_k.</summary>
    public static unsafe void DominatesEach(ReadOnlySpan<double> vPacked, ReadOnlySpan<double> packedMatrices, int n, double absTol, Span<bool> dominatedOut)
    {
        Check(vPacked, n, nameof(vPacked));
        int count = dominatedOut.Length, nn = n * n;
        if ((long)count * nn > packedMatrices.Length)
            throw new SarKitInputException($"HermitianKernels.DominatesEach: {count} matrices of {n}×{n} need {(long)count * nn} packed doubles, got {packedMatrices.Length}.");
        fixed (double* pv = vPacked)
        fixed (double* pin = packedMatrices)
        fixed (bool* pout = dominatedOut)
        {
            nint v = (nint)pv, src = (nint)pin, dst = (nint)pout;
            int chunk = Math.Max(1, 8192 / nn);
            int chunks = (count + chunk - 1) / chunk;
            Parallel.For(0, chunks, () => new HermitianWorkspace(n), (c, _, ws) =>
            {
                var vs = new ReadOnlySpan<double>((double*)v, nn);
                var input = new ReadOnlySpan<double>((double*)src, count * nn);
                var output = new Span<bool>((bool*)dst, count);
                int end = Math.Min(count, (c + 1) * chunk);
                for (int k = c * chunk; k < end; k++) output[k] = Dominates(vs, input.Slice(k * nn, nn), n, absTol, ws);
                return ws;
            }, _ => { });
        }
    }

    // ---- internals ----

    private static void Check(ReadOnlySpan<double> packed, int n, string what)
    {
        if (n < 1) throw new SarKitInputException($"HermitianKernels: matrix size n = {n}, expected n ≥ 1.");
        if (packed.Length < n * n)
            throw new SarKitInputException($"HermitianKernels: packed matrix '{what}' has {packed.Length} doubles, expected n² = {n * n} for n = {n}.");
    }

    /// <summary>
    /// Scales the work matrix by an exact power of two so that its largest entry magnitude lies in [1, 2) and returns the
    /// factor f to multiply eigenvalues by (A = f·A_scaled; 1 for a zero or non-finite matrix, where NaN/∞ then propagate).
    /// As in LAPACK's xHEEV, this keeps squares and products inside the normal double range, so matrices whose entries are
    /// tiny (|a| ≲ 1e-150) or huge (≳ 1e150) do not underflow to a wrong result or overflow to NaN. Exact: no rounding.
    /// </summary>
    private static double ScaleToUnit(int n, HermitianWorkspace ws)
    {
        var re = ws.Re; var im = ws.Im;
        double max = 0;
        for (int i = 0; i < n * n; i++) max = Math.Max(max, Math.Max(Math.Abs(re[i]), Math.Abs(im[i])));
        if (max == 0 || !double.IsFinite(max)) return 1;
        int e = Math.ILogB(max);
        if (e == 0) return 1;
        double inv = Math.ScaleB(1.0, -e);
        if (!double.IsFinite(inv)) return 1;
        for (int i = 0; i < n * n; i++) { re[i] *= inv; im[i] *= inv; }
        return Math.ScaleB(1.0, e);
    }

    /// <summary>Full row-major A = P (or P − S when <paramref name="subtract"/> is non-empty) into ws.Re/ws.Im.</summary>
    private static void Unpack(ReadOnlySpan<double> p, int n, HermitianWorkspace ws, ReadOnlySpan<double> subtract)
    {
        var re = ws.Re; var im = ws.Im;
        bool sub = !subtract.IsEmpty;
        for (int i = 0; i < n; i++) { re[i * n + i] = sub ? p[i] - subtract[i] : p[i]; im[i * n + i] = 0; }
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, o += 2)
            {
                double r = sub ? p[o] - subtract[o] : p[o];
                double m = sub ? p[o + 1] - subtract[o + 1] : p[o + 1];
                re[i * n + j] = r; im[i * n + j] = m;
                re[j * n + i] = r; im[j * n + i] = -m;
            }
    }

    /// <summary>
    /// Cyclic complex Jacobi on the full Hermitian matrix in ws (diagonalised in place; eigenvalues end on the diagonal of
    /// ws.Re). With <paramref name="vectors"/>, ws.VRe/VIm accumulate the unitary whose columns are the eigenvectors.
    /// </summary>
    private static void Jacobi(int n, HermitianWorkspace ws, bool vectors)
    {
        var re = ws.Re; var im = ws.Im; var vr = ws.VRe; var vi = ws.VIm;
        if (vectors)
        {
            Array.Clear(vr, 0, n * n); Array.Clear(vi, 0, n * n);
            for (int i = 0; i < n; i++) vr[i * n + i] = 1;
        }
        double total = 0;
        for (int i = 0; i < n * n; i++) total += re[i] * re[i] + im[i] * im[i];
        if (total == 0 || n == 1) return;
        double stop = total * 1e-32; // off-diagonal Frobenius² below (1e-16‖A‖_F)²
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) off += re[p * n + q] * re[p * n + q] + im[p * n + q] * im[p * n + q];
            if (off <= stop) return;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double ar = re[p * n + q], ai = im[p * n + q];
                    double r = Math.Sqrt(ar * ar + ai * ai);
                    if (r * r <= stop * 1e-4) continue;
                    // phase e^{-iφ} of a_pq = r e^{iφ}
                    double er = ar / r, ei = -ai / r;
                    double app = re[p * n + p], aqq = re[q * n + q];
                    double theta = (aqq - app) / (2 * r);
                    double t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    // U = [[c, s], [−s e^{−iφ}, c e^{−iφ}]] on (p, q); A ← Uᴴ A U
                    double uqpR = -s * er, uqpI = -s * ei, uqqR = c * er, uqqI = c * ei;
                    for (int k = 0; k < n; k++)
                    {
                        if (k == p || k == q) continue;
                        double kpR = re[k * n + p], kpI = im[k * n + p], kqR = re[k * n + q], kqI = im[k * n + q];
                        double npR = kpR * c + (kqR * uqpR - kqI * uqpI);
                        double npI = kpI * c + (kqR * uqpI + kqI * uqpR);
                        double nqR = kpR * s + (kqR * uqqR - kqI * uqqI);
                        double nqI = kpI * s + (kqR * uqqI + kqI * uqqR);
                        re[k * n + p] = npR; im[k * n + p] = npI; re[p * n + k] = npR; im[p * n + k] = -npI;
                        re[k * n + q] = nqR; im[k * n + q] = nqI; re[q * n + k] = nqR; im[q * n + k] = -nqI;
                    }
                    re[p * n + p] = c * c * app - 2 * c * s * r + s * s * aqq;
                    re[q * n + q] = s * s * app + 2 * c * s * r + c * c * aqq;
                    re[p * n + q] = 0; im[p * n + q] = 0; re[q * n + p] = 0; im[q * n + p] = 0;
                    if (vectors)
                        for (int k = 0; k < n; k++)
                        {
                            double kpR = vr[k * n + p], kpI = vi[k * n + p], kqR = vr[k * n + q], kqI = vi[k * n + q];
                            vr[k * n + p] = kpR * c + (kqR * uqpR - kqI * uqpI);
                            vi[k * n + p] = kpI * c + (kqR * uqpI + kqI * uqpR);
                            vr[k * n + q] = kpR * s + (kqR * uqqR - kqI * uqqI);
                            vi[k * n + q] = kpI * s + (kqR * uqqI + kqI * uqqR);
                        }
                }
        }
    }

    /// <summary>
    /// In-place complex Cholesky LLᴴ of A + τI (lower triangle, column by column). Returns the first index whose pivot is
    /// not positive (or not finite), or −1 on success.
    /// </summary>
    private static int Cholesky(int n, HermitianWorkspace ws, double tau)
    {
        var re = ws.Re; var im = ws.Im;
        for (int j = 0; j < n; j++)
        {
            double d = re[j * n + j] + tau;
            for (int k = 0; k < j; k++) d -= re[j * n + k] * re[j * n + k] + im[j * n + k] * im[j * n + k];
            if (!(d > 0)) return j;
            double l = Math.Sqrt(d), inv = 1 / l;
            re[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                // L_ij = (A_ij − Σ_k L_ik conj(L_jk)) / L_jj
                double sr = re[i * n + j], si = im[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    double ar = re[i * n + k], ai = im[i * n + k], br = re[j * n + k], bi = -im[j * n + k];
                    sr -= ar * br - ai * bi; si -= ar * bi + ai * br;
                }
                re[i * n + j] = sr * inv; im[i * n + j] = si * inv;
            }
        }
        return -1;
    }
}
