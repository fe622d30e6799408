namespace SarKit.Supervision.Pulseq;

/// <summary>
/// Pulseq [SHAPES] run-length-encoded derivative compression (spec §"Shape compression"; C++ decompressShape).
/// </summary>
public static class PulseqShapes
{
    /// <summary>
    /// Decompresses <paramref name="packed"/> to <paramref name="numSamples"/> values. Stored count equal to
    /// num_samples means uncompressed. Otherwise derivative run-length decoding: a pair of equal values v v
    /// followed by count c means v repeated c+2 times; the result is the cumulative sum.
    /// </summary>
    /// <exception cref="FormatException">Malformed packing (non-integral count or length mismatch) or a sample that is not finite.</exception>
    public static double[] Decompress(ReadOnlySpan<double> packed, int numSamples)
    {
        if (packed.Length == numSamples) return packed.ToArray();
        var d = new double[numSamples];
        int o = 0, i = 0;
        while (i < packed.Length)
        {
            if (i + 1 < packed.Length && packed[i] == packed[i + 1])
            {
                if (i + 2 >= packed.Length)
                    throw new FormatException($"run of value {packed[i]} at packed index {i} has no repeat count");
                double c = packed[i + 2];
                if (!(c <= numSamples)) throw new FormatException($"repeat count {c} at packed index {i + 2} exceeds num_samples {numSamples}");
                long r = (long)Math.Round(c);
                if (Math.Abs(c - r) > 1e-6 || r < 0)
                    throw new FormatException($"repeat count {c} at packed index {i + 2} is not a non-negative integer");
                long n = r + 2;
                if (o + n > numSamples)
                    throw new FormatException($"decompressed shape longer than num_samples {numSamples}");
                for (long k = 0; k < n; k++) d[o++] = packed[i];
                i += 3;
            }
            else
            {
                if (o >= numSamples)
                    throw new FormatException($"decompressed shape longer than num_samples {numSamples}");
                d[o++] = packed[i++];
            }
        }
        if (o != numSamples)
            throw new FormatException($"decompressed shape has {o} samples, num_samples says {numSamples}");
        double s = 0;
        for (int k = 0; k < d.Length; k++)
        {
            s += d[k]; d[k] = s;
            if (!double.IsFinite(s)) throw new FormatException($"decompressed sample {k} is {s} (the cumulative sum overflows double precision)");
        }
        return d;
    }
}
