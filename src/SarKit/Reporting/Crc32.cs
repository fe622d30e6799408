namespace SarKit.Reporting;

/// <summary>CRC-32 as ZIP, gzip and PNG use it (ISO 3309 / ITU-T V.42; PNG specification, Annex D): reflected polynomial 0xEDB88320, register preset to
/// all ones and complemented at the end (<see cref="Compute"/>).</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>Advances the register <paramref name="crc"/> over <paramref name="data"/> (no pre/post conditioning).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>CRC-32 of <paramref name="data"/> ("123456789" → 0xCBF43926).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;
}
