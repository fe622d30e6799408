namespace SarKit.IO.Hdf5;

/// <summary>
/// Bounds the HDF5 reader applies before it allocates or follows anything a file declares (docs/hdf5.md, "Limits").
/// </summary>
public static class Hdf5Limits
{
    /// <summary>
    /// Largest plausible ratio of decompressed to stored bytes of a filtered (deflate/shuffle) dataset. DEFLATE
    /// (RFC 1951) cannot expand more than about 1032:1 (a 258-byte match costs at least 2 bits); shuffle does not
    /// change the size. A dataset declaring more than this × the file's length is refused before anything is allocated.
    /// </summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>Deepest group nesting followed when listing a file (deeper is refused).</summary>
    public const int MaxGroupDepth = 64;

    /// <summary>Most objects listed in one group, and below one group by a recursive listing (SarKit's own files hold fewer than 100).</summary>
    public const int MaxListedObjects = 100_000;

    /// <summary>Environment variable overriding <see cref="MaxArrayBytes"/> (bytes, a positive integer).</summary>
    public const string MaxArrayBytesVariable = "SARKIT_MAX_ARRAY_BYTES";

    /// <summary>
    /// Largest single array one read may allocate, in bytes: <c>SARKIT_MAX_ARRAY_BYTES</c> when set, else half of the
    /// memory available to the process (<see cref="GC.GetGCMemoryInfo()"/>, which honours container limits).
    /// </summary>
    public static long MaxArrayBytes
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(MaxArrayBytesVariable);
            if (!string.IsNullOrWhiteSpace(env))
            {
                if (long.TryParse(env, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0) return v;
                throw new SarKitInputException($"{MaxArrayBytesVariable}='{env}' is not a positive whole number of bytes.");
            }
            long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return total > 0 ? total / 2 : 4L << 30;
        }
    }

    /// <summary>Product of <paramref name="dims"/> × <paramref name="elementSize"/>, or null when it overflows a 64-bit integer.</summary>
    public static long? ByteCount(IReadOnlyList<long> dims, long elementSize)
    {
        long n = elementSize;
        foreach (var d in dims)
        {
            if (d < 0) return null;
            try { n = checked(n * d); } catch (OverflowException) { return null; }
        }
        return n;
    }
}
