using System.Text;
using System.Text.Json;

namespace SarKit.Measurement.Probe;

/// <summary>One regulatory peak spatial-average SAR limit.</summary>
/// <param name="Id">Short id.</param>
/// <param name="Regime">Jurisdiction or guideline.</param>
/// <param name="Applies">Body region / exposure condition.</param>
/// <param name="MassG">Averaging mass (g, cube).</param>
/// <param name="LimitWPerKg">Limit (W/kg).</param>
/// <param name="Source">Citation.</param>
public sealed record SarLimit(string Id, string Regime, string Applies, double MassG, double LimitWPerKg, string Source);

/// <summary>A measured peak spatial-average SAR against one limit, with the expanded uncertainty beside the margin.</summary>
/// <param name="Limit">The limit.</param>
/// <param name="PeakSarWPerKg">Measured psSAR for the limit's mass (W/kg).</param>
/// <param name="ExpandedUncertaintyWPerKg">U = k u_c (W/kg).</param>
/// <param name="MarginWPerKg">Limit − psSAR (W/kg; negative = exceeded).</param>
public sealed record LimitComparison(SarLimit Limit, double PeakSarWPerKg, double ExpandedUncertaintyWPerKg, double MarginWPerKg)
{
    /// <summary>psSAR ≤ limit (the compliance rule of the measurement standards: the budget is reported, not added).</summary>
    public bool WithinLimit => double.IsFinite(PeakSarWPerKg) && double.IsFinite(Limit.LimitWPerKg) && PeakSarWPerKg <= Limit.LimitWPerKg;
    /// <summary>psSAR + U ≤ limit (the margin covers the expanded uncertainty).</summary>
    public bool MarginCoversUncertainty => WithinLimit && double.IsFinite(ExpandedUncertaintyWPerKg) && PeakSarWPerKg + ExpandedUncertaintyWPerKg <= Limit.LimitWPerKg;
    /// <summary>psSAR / limit.</summary>
    public double Ratio => PeakSarWPerKg / Limit.LimitWPerKg;
}

/// <summary>
/// The editable table of handset / body-worn SAR limits (general public), with sources (docs/probe.md "Limits";
/// examples/probe/limits.json). Default rows: FCC 47 CFR §1.1310(c): 1.6 W/kg over any 1 g cube (partial body),
/// 4 W/kg over any 10 g cube for extremities (hands, wrists, feet, ankles, pinnae); India DoT (notice of 2012-01-25,
/// in force 2012-09-01): 1.6 W/kg over 1 g for handsets; Council Recommendation 1999/519/EC Annex II and ICNIRP (1998,
/// 2020) basic restrictions: 2 W/kg head and trunk, 4 W/kg limbs, over 10 g.
/// </summary>
public static class SarLimits
{
    /// <summary>File kind tag.</summary>
    public const string FileKind = "sarkit-sar-limits";

    /// <summary>The default table.</summary>
    public static IReadOnlyList<SarLimit> Default { get; } =
    [
        new("fcc-1g", "US (FCC), general population", "head and body (partial-body peak spatial average)", 1, 1.6, "47 CFR §1.1310(c)"),
        new("fcc-extremity-10g", "US (FCC), general population", "extremities: hands, wrists, feet, ankles, pinnae", 10, 4.0, "47 CFR §1.1310(c)"),
        new("india-1g", "India (DoT), mobile handsets", "head and body", 1, 1.6, "DoT notice 2012-01-25, in force 2012-09-01 (PIB release 2012-09-03)"),
        new("india-extremity-10g", "India", "extremities (as for the US; verify against the current DoT/TEC rules)", 10, 4.0, "SarKit issue 7 (unverified; check TEC/DoT)"),
        new("icnirp-eu-head-trunk-10g", "EU / ICNIRP, general public", "head and trunk", 10, 2.0, "Council Recommendation 1999/519/EC Annex II; ICNIRP 1998 and 2020 basic restrictions"),
        new("icnirp-eu-limbs-10g", "EU / ICNIRP, general public", "limbs", 10, 4.0, "Council Recommendation 1999/519/EC Annex II; ICNIRP 1998 and 2020 basic restrictions"),
    ];

    /// <summary>Compares psSAR per mass (g → W/kg) with every limit whose mass is present.</summary>
    public static IReadOnlyList<LimitComparison> Compare(IReadOnlyList<SarLimit> limits, IReadOnlyDictionary<double, double> peakByMassG, Func<double, double> expandedFractionForMassG)
    {
        var r = new List<LimitComparison>();
        foreach (var l in limits)
        {
            if (!peakByMassG.TryGetValue(l.MassG, out var sar)) continue;
            r.Add(new LimitComparison(l, sar, sar * expandedFractionForMassG(l.MassG), l.LimitWPerKg - sar));
        }
        return r;
    }

    /// <summary>The table as JSON.</summary>
    public static string ToJson(IReadOnlyList<SarLimit> limits)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject(); w.WriteString("kind", FileKind); w.WriteStartArray("limits");
            foreach (var l in limits)
            {
                w.WriteStartObject();
                w.WriteString("id", l.Id); w.WriteString("regime", l.Regime); w.WriteString("applies", l.Applies);
                w.WriteNumber("mass_g", l.MassG); w.WriteNumber("limit_w_per_kg", l.LimitWPerKg); w.WriteString("source", l.Source);
                w.WriteEndObject();
            }
            w.WriteEndArray(); w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Reads a limits file.</summary>
    public static IReadOnlyList<SarLimit> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"limits file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the text of a limits file (kind <see cref="FileKind"/>); <paramref name="source"/> names it in messages.</summary>
    public static IReadOnlyList<SarLimit> Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, ["kind", "limits"]);
        if (o.String("kind") != FileKind) throw new SarKitInputException($"{source}: field 'kind' is '{o.String("kind")}'; expected \"{FileKind}\".") { SourceFile = source };
        var list = new List<SarLimit>(); int i = 0;
        foreach (var e in o.Get("limits").EnumerateArray())
        {
            var r = new ProbeJsonObject(e, $"{source}: limits[{i++}]", ["id", "regime", "applies", "mass_g", "limit_w_per_kg", "source"]);
            var l = new SarLimit(r.String("id"), r.String("regime"), r.String("applies"), r.Number("mass_g", 0, 1e6, minOpen: true), r.Number("limit_w_per_kg", 0, 1e4, minOpen: true), r.String("source"));
            if (!(l.MassG > 0) || !(l.LimitWPerKg > 0)) throw new SarKitInputException($"{source}: limits[{i - 1}]: mass_g {l.MassG}, limit {l.LimitWPerKg}; expected both > 0.") { SourceFile = source };
            list.Add(l);
        }
        return list;
    }
}
