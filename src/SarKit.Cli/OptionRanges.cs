using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SarKit.Cli;

/// <summary>
/// Range checks of numeric command-line options, added as System.CommandLine validators: a value that is NaN, infinite
/// or outside the option's documented range is a parse error (exit 2) whose message names the option, the value as
/// typed and the accepted range, e.g. "--tolerance NaN: expected a finite number in [1e-12, 0.1]." The range is also
/// appended to the option's help text. docs/cli.md lists every range.
/// </summary>
internal static class OptionRanges
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Accepts finite values in [<paramref name="min"/>, <paramref name="max"/>] (open ends when the exclusive flags are set).</summary>
    public static Option<double> Range(this Option<double> o, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        string range = Interval(min, max, minExclusive, maxExclusive);
        Note(o, range);
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            if (!TryGet(r, out double v)) return;
            if (!InRange(v, min, max, minExclusive, maxExclusive)) r.AddError(Message(o, r, $"a finite number in {range}"));
        });
        return o;
    }

    /// <inheritdoc cref="Range(Option{double}, double, double, bool, bool)"/>
    public static Option<double?> Range(this Option<double?> o, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        string range = Interval(min, max, minExclusive, maxExclusive);
        Note(o, range);
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            if (TryGet(r, out double? nv) && nv is { } v && !InRange(v, min, max, minExclusive, maxExclusive))
                r.AddError(Message(o, r, $"a finite number in {range}"));
        });
        return o;
    }

    /// <summary>Accepts integers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Range(this Option<int> o, int min, int max)
    {
        string range = Interval(min, max, false, false);
        Note(o, range);
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            if (!TryGet(r, out int v)) return;
            if (v < min || v > max) r.AddError(Message(o, r, $"an integer in {range}"));
        });
        return o;
    }

    /// <inheritdoc cref="Range(Option{int}, int, int)"/>
    public static Option<int?> Range(this Option<int?> o, int min, int max)
    {
        string range = Interval(min, max, false, false);
        Note(o, range);
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            if (TryGet(r, out int? nv) && nv is { } v && (v < min || v > max)) r.AddError(Message(o, r, $"an integer in {range}"));
        });
        return o;
    }

    /// <summary>Accepts record ids ≥ 1.</summary>
    public static Argument<long> Positive(this Argument<long> a)
    {
        a.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            if (!TryGet(r, out long v)) return;
            if (v < 1) r.AddError($"{a.Name} {Typed(r.Tokens)}: expected an integer ≥ 1.");
        });
        return a;
    }

    /// <summary>
    /// The converted value, or false when the text could not be converted at all (System.CommandLine then reports its
    /// own "Cannot parse argument" error; reading the value here would throw).
    /// </summary>
    private static bool TryGet<T>(SymbolResult r, out T value)
    {
        try
        {
            value = r switch
            {
                OptionResult o => o.GetValueOrDefault<T>(),
                ArgumentResult a => a.GetValueOrDefault<T>(),
                _ => default!,
            };
            return true;
        }
        catch (InvalidOperationException) { value = default!; return false; }
    }

    /// <summary>True when <paramref name="v"/> is finite and inside the interval.</summary>
    public static bool InRange(double v, double min, double max, bool minExclusive = false, bool maxExclusive = false)
        => double.IsFinite(v) && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max);

    /// <summary>Interval in mathematical notation, e.g. "(0, 1e-3]".</summary>
    public static string Interval(double min, double max, bool minExclusive, bool maxExclusive)
        => $"{(minExclusive ? '(' : '[')}{G(min)}, {G(max)}{(maxExclusive ? ')' : ']')}";

    private static string G(double v) => v switch
    {
        int.MaxValue => "2147483647",
        _ => v.ToString("G6", Inv),
    };

    private static void Note(Option o, string range)
        => o.Description = string.IsNullOrEmpty(o.Description) ? $"Range {range}." : $"{o.Description} Range {range}.";

    private static string Message(Option o, OptionResult r, string expected) => $"{o.Name} {Typed(r.Tokens)}: expected {expected}.";

    private static string Typed(IReadOnlyList<Token> tokens) => string.Join(' ', tokens.Select(t => t.Value));
}
