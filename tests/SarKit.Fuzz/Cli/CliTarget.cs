namespace SarKit.Fuzz.Cli;

/// <summary>How a command states a favourable verdict.</summary>
public enum VerdictKind
{
    /// <summary>No verdict (info, sar, qmatrices, …): only the process invariants apply.</summary>
    None,
    /// <summary>Exit 0 is PASS (seq check, pulse check, vop verify, records verify).</summary>
    Exit0,
    /// <summary>Exit 0 with "PASS" on stdout (NEMA and probe reports).</summary>
    PassText,
}

/// <summary>One CLI command run on a mutated file: <c>{F}</c> in <see cref="Args"/> is the mutated input, <c>{OUT}</c> a fresh output folder.</summary>
public sealed record CliCommand(string Name, string[] Args, VerdictKind Verdict = VerdictKind.None)
{
    /// <summary>Exit code 1 documented for this command when it is not an internal error (e.g. `vop verify`: certificate failed).</summary>
    public bool Exit1IsVerdict { get; init; }
    /// <summary>
    /// The command re-proves its verdict from unmutated originals (e.g. `vop verify V --q Q` with the mutated VOP file
    /// as V: a PASS certifies the set as read, whatever its row count), so "rows deleted" does not forbid a PASS;
    /// non-finite, overflowing and tampered inputs still do.
    /// </summary>
    public bool ReprovesFromOriginals { get; init; }
}

/// <summary>A CLI fuzz group: seeds (by group name) and the commands run on their mutants (round robin).</summary>
public sealed record CliTarget(string Name, string[] SeedGroups, CliCommand[] Commands);
