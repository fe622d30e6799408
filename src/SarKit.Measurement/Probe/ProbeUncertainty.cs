using System.Text;
using System.Text.Json;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Probe;

/// <summary>One editable row of the probe SAR uncertainty template (IEEE 1528 / IEC/IEEE 62209-1528 column layout:
/// source, tolerance, distribution, divisor, c_i (1 g), c_i (10 g), u_i (1 g), u_i (10 g), ν_i).</summary>
/// <param name="Group">Table section (measurement system, test sample, phantom and set-up).</param>
/// <param name="Source">Source of uncertainty.</param>
/// <param name="TolerancePercent">Tolerance ± a (%), or the quoted expanded uncertainty for normal rows.</param>
/// <param name="Distribution">Distribution.</param>
/// <param name="Divisor">Divisor: √3, √6, √2, or the certificate's k for normal rows.</param>
/// <param name="C1g">c_i for 1 g.</param>
/// <param name="C10g">c_i for 10 g.</param>
/// <param name="DegreesOfFreedom">ν_i (∞ for Type B).</param>
/// <param name="From">When set, the tolerance is filled from this scan: "extrapolation_fit", "liquid_conductivity",
/// "liquid_permittivity", "cf_trials" (standard uncertainties, normal, divisor 1).</param>
public sealed record BudgetTemplateRow(string Group, string Source, double TolerancePercent, Distribution Distribution, double Divisor,
    double C1g, double C10g, double DegreesOfFreedom, string? From = null);

/// <summary>A filled row: the template row with u_i = tolerance/divisor·c_i for 1 g and 10 g.</summary>
public sealed record BudgetRowResult(BudgetTemplateRow Row, double TolerancePercent, double DegreesOfFreedom, double U1gPercent, double U10gPercent, string? Note);

/// <summary>The evaluated budget: combined standard uncertainty (RSS), ν_eff, coverage factor and expanded uncertainty
/// for 1 g and 10 g, in % of the peak spatial-average SAR.</summary>
public sealed record ProbeBudgetResult(IReadOnlyList<BudgetRowResult> Rows, UncertaintyResult Engine1g, UncertaintyResult Engine10g, double CoverageFactor)
{
    /// <summary>u_c (1 g), %.</summary>
    public double Combined1gPercent => Engine1g.CombinedStandardUncertainty;
    /// <summary>u_c (10 g), %.</summary>
    public double Combined10gPercent => Engine10g.CombinedStandardUncertainty;
    /// <summary>U = k u_c (1 g), %.</summary>
    public double Expanded1gPercent => CoverageFactor * Combined1gPercent;
    /// <summary>U = k u_c (10 g), %.</summary>
    public double Expanded10gPercent => CoverageFactor * Combined10gPercent;
    /// <summary>Expanded relative uncertainty (fraction) for an averaging mass (1 g → 1 g column, anything else → 10 g column).</summary>
    public double ExpandedFractionFor(double massG) => (massG <= 1.0 + 1e-9 ? Expanded1gPercent : Expanded10gPercent) / 100;
}

/// <summary>
/// The uncertainty template of the probe system: the IEEE 1528-2003 Table E.4 / IEC/IEEE 62209-1528 layout with the usual
/// rows pre-filled (docs/probe.md, "Uncertainty budget"). The pre-filled magnitudes are typical values of public test
/// reports of DASY-type systems, NOT values from the (paywalled) standard: replace them with your system's. Evaluated
/// with the one SarKit uncertainty engine (<see cref="UncertaintyBudget.FromContributions"/>, relative % scale):
/// u_c = √Σ(c_i u_i)², ν_eff by Welch–Satterthwaite, U = k u_c with k = 2 (the standard's convention; the t-based
/// k from ν_eff is reported by the engine result as well).
/// </summary>
public sealed record ProbeBudgetTemplate(string Title, double CoverageFactor, IReadOnlyList<BudgetTemplateRow> Rows)
{
    /// <summary>File kind tag.</summary>
    public const string FileKind = "sarkit-probe-uncertainty-template";

    private static BudgetTemplateRow R(string g, string s, double tol, double c1, double c10, string? from = null) =>
        new(g, s, tol, Distribution.Rectangular, Math.Sqrt(3), c1, c10, double.PositiveInfinity, from);
    private static BudgetTemplateRow N(string g, string s, double tol, double c1, double c10, double nu = double.PositiveInfinity, string? from = null) =>
        new(g, s, tol, Distribution.Normal, 1, c1, c10, nu, from);

    /// <summary>The pre-filled template (edit a copy: `examples/probe/uncertainty_template.json`).</summary>
    public static ProbeBudgetTemplate Default { get; } = new("IEC/IEEE 62209-1528 style budget (typical DASY-type values; replace with your system's)", 2.0,
    [
        N("Measurement system", "Probe calibration", 6.0, 1, 1),
        N("Measurement system", "Conversion factor CF, Type A spread of the trials", 0, 1, 1, from: "cf_trials"),
        R("Measurement system", "Axial isotropy", 4.7, 0.7, 0.7),
        R("Measurement system", "Hemispherical isotropy", 9.6, 0.7, 0.7),
        R("Measurement system", "Boundary effect", 1.0, 1, 1),
        R("Measurement system", "Linearity", 4.7, 1, 1),
        R("Measurement system", "System detection limits", 1.0, 1, 1),
        N("Measurement system", "Readout electronics", 0.3, 1, 1),
        R("Measurement system", "Response time", 0.8, 1, 1),
        R("Measurement system", "Integration time", 2.6, 1, 1),
        R("Measurement system", "RF ambient conditions, noise", 3.0, 1, 1),
        R("Measurement system", "RF ambient conditions, reflections", 3.0, 1, 1),
        R("Measurement system", "Probe positioner mechanical tolerance", 0.4, 1, 1),
        R("Measurement system", "Probe positioning with respect to phantom shell", 2.9, 1, 1),
        R("Measurement system", "Extrapolation, interpolation and integration algorithms", 3.9, 1, 1),
        N("Measurement system", "Extrapolation fit of this scan, Type A (u(S0)/S0)", 0, 1, 1, from: "extrapolation_fit"),
        N("Test sample related", "Test sample positioning", 2.9, 1, 1, 145),
        N("Test sample related", "Device holder uncertainty", 3.6, 1, 1, 5),
        R("Test sample related", "Output power variation, SAR drift measurement", 5.0, 1, 1),
        R("Phantom and set-up", "Phantom uncertainty (shape and thickness tolerances)", 4.0, 1, 1),
        R("Phantom and set-up", "Liquid conductivity, deviation from target", 5.0, 0.64, 0.43),
        N("Phantom and set-up", "Liquid conductivity, measurement", 0, 0.64, 0.43, from: "liquid_conductivity"),
        R("Phantom and set-up", "Liquid permittivity, deviation from target", 5.0, 0.6, 0.49),
        N("Phantom and set-up", "Liquid permittivity, measurement", 0, 0.6, 0.49, from: "liquid_permittivity"),
    ]);

    /// <summary>Evaluates the budget; <paramref name="measured"/> supplies (standard uncertainty %, ν) for rows with <see cref="BudgetTemplateRow.From"/>.</summary>
    public ProbeBudgetResult Evaluate(IReadOnlyDictionary<string, (double Percent, double Nu)> measured)
    {
        if (Rows.Count == 0) throw new SarKitInputException("uncertainty template: no rows.");
        var rows = new List<BudgetRowResult>(); var c1 = new List<UncertaintyComponent>(); var c10 = new List<UncertaintyComponent>();
        foreach (var r in Rows)
        {
            double tol = r.TolerancePercent, nu = r.DegreesOfFreedom; string? note = null;
            if (r.From is { } f)
            {
                if (measured.TryGetValue(f, out var m) && double.IsFinite(m.Percent)) { tol = m.Percent; nu = m.Nu; note = $"from this measurement ({f})"; }
                else note = $"not available for this measurement ({f}); template value used";
            }
            if (!(tol >= 0) || !(r.Divisor > 0)) throw new SarKitInputException($"uncertainty template: row '{r.Source}': tolerance {tol} %, divisor {r.Divisor}; expected tolerance >= 0 and divisor > 0.");
            double u = tol / r.Divisor;
            rows.Add(new BudgetRowResult(r, tol, nu, u * Math.Abs(r.C1g), u * Math.Abs(r.C10g), note));
            c1.Add(new UncertaintyComponent(r.Source, u, UncertaintyScale.RelativePercent, EvaluationType.B, r.Distribution, r.Divisor, nu, r.C1g));
            c10.Add(new UncertaintyComponent(r.Source, u, UncertaintyScale.RelativePercent, EvaluationType.B, r.Distribution, r.Divisor, nu, r.C10g));
        }
        return new ProbeBudgetResult(rows, UncertaintyBudget.FromContributions(c1), UncertaintyBudget.FromContributions(c10), CoverageFactor);
    }

    private static string DistId(Distribution d) => d switch
    {
        Distribution.Normal => "normal", Distribution.Rectangular => "rectangular", Distribution.Triangular => "triangular", _ => "u-shaped",
    };

    /// <summary>The template as an editable JSON file.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("kind", FileKind);
            w.WriteString("title", Title);
            w.WriteNumber("coverage_factor", CoverageFactor);
            w.WriteStartArray("rows");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteString("group", r.Group); w.WriteString("source", r.Source);
                w.WriteNumber("tolerance_percent", r.TolerancePercent); w.WriteString("distribution", DistId(r.Distribution));
                if (r.Distribution == Distribution.Normal) w.WriteNumber("divisor", r.Divisor);
                w.WriteNumber("c_1g", r.C1g); w.WriteNumber("c_10g", r.C10g);
                if (double.IsFinite(r.DegreesOfFreedom)) w.WriteNumber("nu", r.DegreesOfFreedom); else w.WriteNull("nu");
                if (r.From is not null) w.WriteString("from", r.From);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Reads a template file.</summary>
    public static ProbeBudgetTemplate Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"uncertainty template not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses template JSON (layout of <see cref="ToJson"/>); divisors of non-normal rows follow from the distribution.</summary>
    public static ProbeBudgetTemplate Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, ["kind", "title", "coverage_factor", "rows"]);
        if (o.String("kind") != FileKind) throw new SarKitInputException($"{source}: field 'kind' is '{o.String("kind")}'; expected \"{FileKind}\".") { SourceFile = source };
        double k = o.Has("coverage_factor") ? o.Number("coverage_factor", 0, 10, minOpen: true) : 2.0;
        if (!(k > 0)) throw new SarKitInputException($"{source}: coverage_factor = {k}; expected > 0.") { SourceFile = source };
        var re = o.Get("rows");
        if (re.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{source}: field 'rows': expected an array.") { SourceFile = source };
        var rows = new List<BudgetTemplateRow>(); int i = 0;
        foreach (var e in re.EnumerateArray())
        {
            string w = $"{source}: rows[{i++}]";
            var r = new ProbeJsonObject(e, w, ["group", "source", "tolerance_percent", "distribution", "divisor", "c_1g", "c_10g", "nu", "from"]);
            var dist = r.String("distribution").ToLowerInvariant() switch
            {
                "normal" => Distribution.Normal, "rectangular" => Distribution.Rectangular, "triangular" => Distribution.Triangular,
                "u-shaped" => Distribution.UShaped,
                var x => throw new SarKitInputException($"{w}: distribution '{x}'; expected normal, rectangular, triangular or u-shaped.") { SourceFile = source },
            };
            double div = dist switch
            {
                Distribution.Normal => r.Has("divisor") ? r.Number("divisor", 0, 100, minOpen: true) : 1.0,
                Distribution.Rectangular => Math.Sqrt(3), Distribution.Triangular => Math.Sqrt(6), _ => Math.Sqrt(2),
            };
            double nu = double.PositiveInfinity;
            if (r.Has("nu") && r.Get("nu").ValueKind != JsonValueKind.Null) nu = r.Number("nu", 0, 1e9, minOpen: true);
            if (!(nu > 0)) throw new SarKitInputException($"{w}: nu = {nu}; expected > 0 or null (∞).") { SourceFile = source };
            double tol = r.Number("tolerance_percent", 0, 1e4);
            if (tol < 0 || !(div > 0)) throw new SarKitInputException($"{w}: tolerance {tol} %, divisor {div}; expected >= 0 and > 0.") { SourceFile = source };
            rows.Add(new BudgetTemplateRow(r.Has("group") ? r.String("group") : "", r.String("source"), tol, dist, div, r.Number("c_1g", -100, 100), r.Number("c_10g", -100, 100), nu, r.OptString("from")));
        }
        return new ProbeBudgetTemplate(o.Has("title") ? o.String("title") : Path.GetFileName(source), k, rows);
    }
}
