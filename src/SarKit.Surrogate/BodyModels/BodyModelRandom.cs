namespace SarKit.Surrogate.BodyModels;

/// <summary>
/// Small deterministic random source for the body-model generator (SplitMix64), independent of the .NET runtime's
/// <see cref="Random"/> implementation, so a (family, seed) pair gives the same model on every platform and version.
/// </summary>
public sealed class BodyModelRandom
{
    private ulong _state;

    /// <summary>Starts a stream from <paramref name="seed"/> and a stream tag (e.g. the family).</summary>
    public BodyModelRandom(long seed, ulong stream = 0) { _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ stream * 0xD1B54A32D192ED03UL); NextUInt64(); }

    /// <summary>Next 64 random bits (SplitMix64).</summary>
    public ulong NextUInt64()
    {
        ulong z = unchecked(_state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform in [<paramref name="a"/>, <paramref name="b"/>).</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="a"/>, <paramref name="b"/>] (inclusive).</summary>
    public int Integer(int a, int b) => a + (int)Math.Min(b - a, Math.Floor(NextDouble() * (b - a + 1)));

    /// <summary>Standard normal (Box–Muller, one value per call).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Normal with mean <paramref name="mean"/> and sd <paramref name="sd"/> truncated to mean ± <paramref name="max"/> by rejection (mean when sd or max is 0).</summary>
    public double TruncatedNormal(double mean, double sd, double max)
    {
        if (sd <= 0 || max <= 0) { Normal(); return mean; }
        for (int i = 0; i < 1000; i++)
        {
            double v = Normal();
            if (Math.Abs(v * sd) <= max) return mean + v * sd;
        }
        return mean;
    }
}
