using System.Text.Json;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Nema.Input;

/// <summary>A measurement device as Section 4.1 asks to state it: "the accuracy, type, and location (during the measurement)".</summary>
public sealed record MeasurementDevice(string Name, string Type, string Accuracy, string Location);

/// <summary>
/// One uncertainty component as written in a measurement file (<c>uncertainty.components[i]</c>): a source (one of the
/// standard's Section 4.1 e sources, by id or wording, or any other name), the model quantities it applies to, and either a
/// Type B bound with its distribution or Type A repeated readings.
/// </summary>
/// <param name="Field">Field path, e.g. "uncertainty.components[0]".</param>
/// <param name="Source">Source name as written.</param>
/// <param name="AppliesTo">Model quantities (empty: the standard source's default mapping).</param>
/// <param name="Distribution">Distribution of the Type B bound (Normal for Type A).</param>
/// <param name="BoundValue">Half-width a (rectangular, triangular, U-shaped) or expanded uncertainty U (normal), as written.</param>
/// <param name="BoundUnit">Unit of the bound as written: "%" (relative), "dB" (attenuations), or a unit of the quantity's kind.</param>
/// <param name="K">Coverage factor of a normal bound.</param>
/// <param name="DegreesOfFreedom">ν (∞ unless given; n − 1 for readings).</param>
/// <param name="Readings">Repeated readings for a Type A evaluation (with <see cref="BoundUnit"/> as their unit), or null.</param>
public sealed record UncertaintyInput(string Field, string Source, IReadOnlyList<string> AppliesTo, Distribution Distribution,
    double BoundValue, string BoundUnit, double K, double DegreesOfFreedom, IReadOnlyList<double>? Readings);

/// <summary>The <c>uncertainty</c> block of a measurement file.</summary>
/// <param name="Components">Components in file order.</param>
/// <param name="CoverageFactor">Fixed coverage factor k, or null for k = t_95.45(ν_eff) (NIST TN 1297 App. B).</param>
public sealed record UncertaintySpec(IReadOnlyList<UncertaintyInput> Components, double? CoverageFactor);

/// <summary>Coil characteristics of the phantom and of a representative human subject (Section 1.2.3 a–c), as written.</summary>
/// <param name="Phantom">Phantom values (SI).</param>
/// <param name="Human">Human values (SI).</param>
/// <param name="Quantities">The eight quantities as written.</param>
public sealed record CoilCharacteristicsInput(CoilCharacteristics Phantom, CoilCharacteristics Human, IReadOnlyList<Quantity> Quantities)
{
    /// <summary>The alternative equivalence check of Section 1.2.3 (a)–(c).</summary>
    public EquivalentLoadingResult Check() => EquivalentLoading.CheckCoilCharacteristics(Phantom, Human);
}

internal static class MeasurementExtras
{
    public static CoilCharacteristicsInput? Coil(FieldReader r)
    {
        if (r.Opt("coil_characteristics") is null) return null;
        var c = r.Sub("coil_characteristics");
        var qs = new List<Quantity>();
        CoilCharacteristics One(string who)
        {
            var o = c.Sub(who);
            var bw = o.Q("bandwidth", QuantityKind.Frequency);
            var z = o.Q("impedance_magnitude", QuantityKind.Impedance);
            var ph = o.Q("impedance_phase", QuantityKind.Angle);
            var f0 = o.Q("centre_frequency", QuantityKind.Frequency);
            o.NoOthers();
            qs.AddRange([bw, z, ph, f0]);
            return new CoilCharacteristics(bw.Si, z.Si, ph.Si * 180 / Math.PI, f0.Si);
        }
        var result = new CoilCharacteristicsInput(One("phantom"), One("human"), qs);
        c.NoOthers();
        result.Check(); // validates the values (positive bandwidth, |Z|, frequency)
        return result;
    }

    public static IReadOnlyList<MeasurementDevice> Devices(FieldReader r)
    {
        if (r.Opt("devices") is not { } v) return [];
        var list = new List<MeasurementDevice>();
        var items = r.AsArray(v, r.Path("devices"), nonEmpty: false);
        for (int i = 0; i < items.Length; i++)
        {
            var o = new FieldReader(items[i], r.Path($"devices[{i}]."), r.Src, r.File);
            var d = new MeasurementDevice(o.Str("name"), o.OptStr("type") ?? "", o.OptStr("accuracy") ?? "", o.OptStr("location") ?? "");
            o.NoOthers();
            list.Add(d);
        }
        return list;
    }

    /// <summary>Largest accepted coverage factor k (GUM: k is about 2 to 3).</summary>
    public const double MaxCoverageFactor = 10;

    public static UncertaintySpec? Uncertainty(FieldReader r)
    {
        if (r.Opt("uncertainty") is null) return null;
        var u = r.Sub("uncertainty");
        double? k = null;
        if (u.Opt("coverage_factor") is { } kv)
        {
            double kk = u.Number(kv, u.Path("coverage_factor"));
            if (!(kk > 0 && kk <= MaxCoverageFactor)) throw u.Error($"field '{u.Path("coverage_factor")}' = {kk}: expected a value in (0, {MaxCoverageFactor}].");
            k = kk;
        }
        var comps = new List<UncertaintyInput>();
        var items = u.Array("components");
        for (int i = 0; i < items.Length; i++)
        {
            string path = u.Path($"components[{i}]");
            var o = new FieldReader(items[i], path + ".", r.Src, r.File);
            string source = o.Str("source");
            var applies = new List<string>();
            if (o.Opt("applies_to") is { } at)
            {
                if (at.ValueKind == JsonValueKind.String) applies.Add(at.GetString()!);
                else foreach (var (e, j) in o.AsArray(at, o.Path("applies_to")).Select((e, j) => (e, j))) applies.Add(o.AsString(e, o.Path($"applies_to[{j}]")));
            }
            double nu = double.PositiveInfinity;
            if (o.Opt("dof") is { } dv)
            {
                nu = o.Number(dv, o.Path("dof"));
                if (!(nu > 0 && nu <= 1e9)) throw o.Error($"field '{o.Path("dof")}' = {nu}: expected degrees of freedom in (0, 1e9].");
            }
            UncertaintyInput c;
            if (o.Opt("readings") is { } rv)
            {
                var ro = new FieldReader(rv, o.Path("readings."), r.Src, r.File);
                var vals = ro.Array("values").Select((e, j) => ro.Number(e, ro.Path($"values[{j}]"))).ToArray();
                if (vals.Length < 2) throw ro.Error($"field '{ro.Path("values")}': a Type A evaluation needs at least 2 readings, found {vals.Length}.");
                string unit = ro.Str("unit");
                ro.NoOthers();
                if (o.Has("distribution") || o.Has("bound") || o.Has("k"))
                    throw o.Error($"field '{path}': give either 'readings' (Type A) or 'distribution' + 'bound' (Type B), not both.");
                c = new(path, source, applies, Distribution.Normal, double.NaN, unit, 1, Math.Min(nu, vals.Length - 1), vals);
            }
            else
            {
                string dist = o.Str("distribution");
                var d = dist switch
                {
                    "normal" => Distribution.Normal,
                    "rectangular" => Distribution.Rectangular,
                    "triangular" => Distribution.Triangular,
                    "u-shaped" => Distribution.UShaped,
                    _ => throw o.Error($"field '{o.Path("distribution")}' = \"{dist}\": expected one of normal, rectangular, triangular, u-shaped."),
                };
                var b = o.Sub("bound");
                double bv = b.Number(b.Get("value"), b.Path("value"));
                if (bv < 0) throw b.Error($"field '{b.Path("value")}' = {bv}: expected a bound >= 0.");
                string bu = b.Str("unit");
                // Relative bounds have a physical ceiling here; bounds in a unit of the quantity are range-checked with it (QuantityParser).
                double maxBound = bu switch { "%" => 1000, "dB" => 100, "fraction" => 1, _ => double.MaxValue };
                if (bv > maxBound) throw b.Error($"field '{b.Path("value")}' = {bv} {bu}: outside the physical range [0, {maxBound}] of a bound in '{bu}'.");
                b.NoOthers();
                double kk = 1;
                if (d == Distribution.Normal)
                {
                    kk = o.Number(o.Get("k"), o.Path("k"));
                    if (!(kk > 0 && kk <= MaxCoverageFactor)) throw o.Error($"field '{o.Path("k")}' = {kk}: expected a coverage factor in (0, {MaxCoverageFactor}].");
                }
                else if (o.Opt("k") is not null) throw o.Error($"field '{o.Path("k")}': a coverage factor applies to a normal bound only (distribution is {dist}).");
                c = new(path, source, applies, d, bv, bu, kk, nu, null);
            }
            o.NoOthers();
            comps.Add(c);
        }
        u.NoOthers();
        return new UncertaintySpec(comps, k);
    }
}
