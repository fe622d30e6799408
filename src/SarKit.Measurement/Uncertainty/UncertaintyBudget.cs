using SarKit.Numerics.Statistics;

namespace SarKit.Measurement.Uncertainty;

/// <summary>How the sensitivity coefficient of a contribution was obtained.</summary>
public enum SensitivitySource
{
    /// <summary>Supplied by the caller (analytic ∂f/∂x_i, or a table value).</summary>
    Supplied,
    /// <summary>Central difference (f(x + h e_i) − f(x − h e_i)) / 2h with h = <see cref="UncertaintyBudget.NumericalStepFraction"/> · u_i.</summary>
    Numerical,
}

/// <summary>One row of the budget table (IEEE 1528 Table E.4 layout: source, u_i, c_i, c_i u_i, ν_i; plus the
/// share of the combined variance).</summary>
/// <param name="Name">Source of uncertainty.</param>
/// <param name="Estimate">Input estimate x_i (NaN for a contribution-only budget).</param>
/// <param name="StandardUncertainty">u(x_i) in the input's unit (absolute).</param>
/// <param name="Sensitivity">c_i = ∂f/∂x_i.</param>
/// <param name="SensitivitySource">Supplied or numerical.</param>
/// <param name="DegreesOfFreedom">ν_i.</param>
/// <param name="Contribution">u_i(y) = |c_i| u(x_i), in the output's unit.</param>
/// <param name="VariancePercent">100 (c_i u_i)² / u_c²; sums to 100 % only without correlations.</param>
public readonly record struct BudgetRow(string Name, double Estimate, double StandardUncertainty, double Sensitivity,
    SensitivitySource SensitivitySource, double DegreesOfFreedom, double Contribution, double VariancePercent);

/// <summary>Result of a budget (NIST TN 1297 §5–§7): y, u_c(y), ν_eff, k, U = k u_c and the table of contributions.
/// Report as y ± U with k and the components (§7).</summary>
public sealed record UncertaintyResult(
    double Value,
    double CombinedStandardUncertainty,
    double EffectiveDegreesOfFreedom,
    double CoverageProbability,
    double CoverageFactor,
    IReadOnlyList<BudgetRow> Rows)
{
    /// <summary>Expanded uncertainty U = k u_c (TN 1297 §6.1).</summary>
    public double ExpandedUncertainty => CoverageFactor * CombinedStandardUncertainty;
    /// <summary>u_c / |y| in percent (NaN when y = 0).</summary>
    public double RelativeCombinedPercent => Value == 0 ? double.NaN : 100 * CombinedStandardUncertainty / Math.Abs(Value);
    /// <summary>U / |y| in percent (NaN when y = 0); the "measurement uncertainty %" of the NEMA MS 8 report forms.</summary>
    public double RelativeExpandedPercent => Value == 0 ? double.NaN : 100 * ExpandedUncertainty / Math.Abs(Value);
}

/// <summary>
/// The law of propagation of uncertainty (NIST TN 1297 §5 and App. A, eq. A-3; GUM 5.1.2, 5.2.2) for a measurement
/// model y = f(x_1, …, x_n): u_c²(y) = Σ_i Σ_j c_i c_j u(x_i) u(x_j) r(x_i, x_j) with c_i = ∂f/∂x_i at the estimates
/// (r = identity when no correlation matrix is given); effective degrees of freedom by Welch–Satterthwaite,
/// ν_eff = u_c⁴ / Σ (c_i u_i)⁴/ν_i (TN 1297 eq. B-1); coverage factor k = t_p(ν_eff) from the Student t distribution
/// (App. B; p = 95.45 % by default, giving k = 2 at ν_eff = ∞); expanded uncertainty U = k u_c (§6).
/// First-order (linear) propagation: non-linear terms of f are neglected (GUM 5.1.2 note).
/// </summary>
public static class UncertaintyBudget
{
    /// <summary>Numerical perturbation h_i = this fraction × u(x_i) (central differences; relative error ~ (h/x)² f'''/f').</summary>
    public const double NumericalStepFraction = 1e-3;

    /// <summary>
    /// Evaluates the budget of y = model(x). <paramref name="components"/>[i] gives u(x_i) (absolute or relative to
    /// estimates[i]); c_i is taken from <paramref name="analyticSensitivities"/>[i] when given (NaN entries fall back),
    /// else from the component's <see cref="UncertaintyComponent.Sensitivity"/>, else by central differences.
    /// </summary>
    /// <param name="model">y = f(x); must not keep or modify the array it receives.</param>
    /// <param name="estimates">Input estimates x_i.</param>
    /// <param name="components">One component per input, same order.</param>
    /// <param name="analyticSensitivities">Optional ∂f/∂x_i.</param>
    /// <param name="correlation">Optional n×n correlation coefficients r(x_i, x_j): symmetric, unit diagonal, |r| ≤ 1.</param>
    /// <param name="coverageProbability">p for k = t_p(ν_eff), default 95.45 %.</param>
    /// <param name="truncateDegreesOfFreedom">TN 1297 B.3: use the next lower integer of ν_eff for k (default true).</param>
    public static UncertaintyResult Evaluate(Func<double[], double> model, IReadOnlyList<double> estimates,
        IReadOnlyList<UncertaintyComponent> components, IReadOnlyList<double>? analyticSensitivities = null,
        double[,]? correlation = null, double coverageProbability = StudentT.TwoSigmaCoverage,
        bool truncateDegreesOfFreedom = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = estimates.Count;
        if (components.Count != n)
            throw new SarKitInputException($"Uncertainty budget: {components.Count} components for {n} input estimates; expected one component per input.");
        if (analyticSensitivities is not null && analyticSensitivities.Count != n)
            throw new SarKitInputException($"Uncertainty budget: {analyticSensitivities.Count} sensitivities for {n} inputs; expected {n}.");
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(estimates[i]))
                throw new SarKitInputException($"Uncertainty budget: estimate of '{components[i].Name}' (input {i}) = {estimates[i]} is not finite.");
            x[i] = estimates[i];
        }
        double y = model((double[])x.Clone());
        if (!double.IsFinite(y)) throw new SarKitInputException($"Uncertainty budget: the model gives y = {y} at the input estimates.");

        var u = new double[n];
        var c = new double[n];
        var src = new SensitivitySource[n];
        var work = new double[n];
        for (int i = 0; i < n; i++)
        {
            var comp = components[i];
            u[i] = comp.AbsoluteAt(x[i]);
            CheckU(comp, u[i], i);
            double? supplied = analyticSensitivities is not null && !double.IsNaN(analyticSensitivities[i])
                ? analyticSensitivities[i] : comp.Sensitivity;
            if (supplied is double s)
            {
                if (!double.IsFinite(s)) throw new SarKitInputException($"Uncertainty budget: sensitivity of '{comp.Name}' (input {i}) = {s} is not finite.");
                c[i] = s; src[i] = SensitivitySource.Supplied;
            }
            else
            {
                double h = u[i] > 0 ? NumericalStepFraction * u[i] : 1e-6 * Math.Max(Math.Abs(x[i]), 1.0);
                Array.Copy(x, work, n); work[i] = x[i] + h;
                double fp = model(work);
                Array.Copy(x, work, n); work[i] = x[i] - h;
                double fm = model(work);
                c[i] = (fp - fm) / (2 * h);
                if (!double.IsFinite(c[i]))
                    throw new SarKitInputException($"Uncertainty budget: the model is not finite within ±{h} of '{comp.Name}' = {x[i]} (input {i}); supply the sensitivity analytically.");
                src[i] = SensitivitySource.Numerical;
            }
        }
        return Combine(components, x, u, c, src, correlation, coverageProbability, truncateDegreesOfFreedom, value: y);
    }

    /// <summary>
    /// A budget of contributions already expressed in the output (IEEE 1528 / IEC 62209 table style): each
    /// component's u_i times its sensitivity (default 1) is its contribution to u_c. All components must share
    /// one scale (all absolute in the output unit, or all relative in % of the output); the result is in that scale
    /// with Value = 0 for relative budgets (read <see cref="UncertaintyResult.CombinedStandardUncertainty"/> as %).
    /// </summary>
    public static UncertaintyResult FromContributions(IReadOnlyList<UncertaintyComponent> components,
        double coverageProbability = StudentT.TwoSigmaCoverage, bool truncateDegreesOfFreedom = true)
    {
        int n = components.Count;
        if (n == 0) throw new SarKitInputException("Uncertainty budget: no components given.");
        var scale = components[0].Scale;
        var u = new double[n]; var c = new double[n]; var x = new double[n]; var src = new SensitivitySource[n];
        for (int i = 0; i < n; i++)
        {
            var comp = components[i];
            if (comp.Scale != scale)
                throw new SarKitInputException($"Uncertainty budget: component '{comp.Name}' is {comp.Scale} but '{components[0].Name}' is {scale}; a contribution table needs one scale.");
            u[i] = comp.StandardUncertainty; CheckU(comp, u[i], i);
            c[i] = comp.Sensitivity ?? 1.0; x[i] = double.NaN; src[i] = SensitivitySource.Supplied;
        }
        return Combine(components, x, u, c, src, null, coverageProbability, truncateDegreesOfFreedom, value: 0);
    }

    /// <summary>Welch–Satterthwaite ν_eff = u_c⁴ / Σ (u_i(y))⁴ / ν_i (TN 1297 eq. B-1); ∞ when every ν_i is ∞.</summary>
    public static double WelchSatterthwaite(double combinedU, IReadOnlyList<double> contributions, IReadOnlyList<double> degreesOfFreedom)
    {
        double denom = 0;
        for (int i = 0; i < contributions.Count; i++)
        {
            if (double.IsPositiveInfinity(degreesOfFreedom[i])) continue;
            double ci = contributions[i];
            denom += ci * ci * ci * ci / degreesOfFreedom[i];
        }
        if (denom == 0) return double.PositiveInfinity;
        double u2 = combinedU * combinedU;
        return u2 * u2 / denom;
    }

    private static void CheckU(UncertaintyComponent comp, double u, int i)
    {
        if (!double.IsFinite(u) || u < 0)
            throw new SarKitInputException($"Uncertainty budget: standard uncertainty of '{comp.Name}' (input {i}) = {u}; expected a finite value >= 0.");
        if (!(comp.DegreesOfFreedom > 0))
            throw new SarKitInputException($"Uncertainty budget: degrees of freedom of '{comp.Name}' (input {i}) = {comp.DegreesOfFreedom}; expected > 0.");
    }

    private static UncertaintyResult Combine(IReadOnlyList<UncertaintyComponent> comps, double[] x, double[] u, double[] c,
        SensitivitySource[] src, double[,]? r, double p, bool truncate, double? value = null)
    {
        int n = u.Length;
        var ci = new double[n];
        for (int i = 0; i < n; i++) ci[i] = c[i] * u[i];
        double var = 0;
        if (r is null)
        {
            for (int i = 0; i < n; i++) var += ci[i] * ci[i];
        }
        else
        {
            if (r.GetLength(0) != n || r.GetLength(1) != n)
                throw new SarKitInputException($"Uncertainty budget: correlation matrix is {r.GetLength(0)}×{r.GetLength(1)}; expected {n}×{n}.");
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double rij = r[i, j];
                    if (!double.IsFinite(rij) || Math.Abs(rij) > 1 || (i == j && rij != 1) || rij != r[j, i])
                        throw new SarKitInputException($"Uncertainty budget: correlation r[{i},{j}] = {rij}; expected a symmetric matrix with unit diagonal and |r| <= 1.");
                    var += ci[i] * ci[j] * rij;
                }
            if (var < 0) throw new SarKitInputException($"Uncertainty budget: the correlation matrix gives a negative combined variance {var}; it is not positive semi-definite.");
        }
        double uc = Math.Sqrt(var);
        var absCi = new double[n]; var nus = new double[n];
        for (int i = 0; i < n; i++) { absCi[i] = Math.Abs(ci[i]); nus[i] = comps[i].DegreesOfFreedom; }
        double nuEff = WelchSatterthwaite(uc, absCi, nus);
        double nuForK = truncate && double.IsFinite(nuEff) ? Math.Max(1, Math.Floor(nuEff)) : nuEff;
        double k = double.IsNaN(nuForK) ? double.NaN : StudentT.TwoSidedQuantile(nuForK, p);
        var rows = new BudgetRow[n];
        for (int i = 0; i < n; i++)
            rows[i] = new BudgetRow(comps[i].Name, x[i], u[i], c[i], src[i], nus[i], absCi[i],
                var > 0 ? 100 * ci[i] * ci[i] / var : 0);
        return new UncertaintyResult(value ?? double.NaN, uc, nuEff, p, k, rows);
    }
}
