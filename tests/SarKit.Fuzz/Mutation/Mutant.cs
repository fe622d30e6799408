namespace SarKit.Fuzz.Mutation;

/// <summary>
/// One mutated input. <see cref="PassForbidden"/> names why a favourable verdict (PASS) would violate the safety rule
/// ("a verdict of PASS is only possible when every input value was finite and every check ran"); null when PASS may be
/// legitimate (e.g. a changed comment or a finite, plausible value).
/// </summary>
public sealed record Mutant(string Name, byte[] Bytes, string? PassForbidden = null)
{
    /// <summary>Verdict-invariant classes used in <see cref="PassForbidden"/>.</summary>
    public const string NonFinite = "non-finite value injected", Overflow = "overflowing value injected", DeletedRows = "rows deleted from a declared-length file",
        SignedChanged = "signed content changed", Tampered = "certified set tampered", DtypeChanged = "numeric datatype changed", CrcMismatch = "stored CRC-32 does not match";
}
