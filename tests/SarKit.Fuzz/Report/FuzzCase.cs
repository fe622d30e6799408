namespace SarKit.Fuzz.Report;

/// <summary>One executed case and the invariants it broke (empty when it behaved).</summary>
public sealed record FuzzCase(string Layer, string Target, string Format, int Index, string Mutation, string Command, string Outcome, int ExitCode,
    double Seconds, long PeakRssBytes, IReadOnlyList<string> Violations, string Reproducer)
{
    public bool Failed => Violations.Count > 0;
    /// <summary>First line of the refusal or error message.</summary>
    public string? Detail { get; init; }
}
