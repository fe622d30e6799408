using System.Globalization;

namespace SarKit.Web;

/// <summary>The standalone app's arguments (the same flags as <c>sarkit serve</c>).</summary>
internal static class ServeArguments
{
    private static readonly string[] Flags = ["--data", "--records", "--public", "--urls", "--port", "--cache-mb"];

    /// <summary>True when the arguments use the serve flags (rather than host configuration such as --environment=…).</summary>
    public static bool IsServeCommandLine(string[] args) => args.Any(a => Flags.Contains(a));

    public static SarKitWebOptions Parse(string[] args)
    {
        var o = new SarKitWebOptions();
        int? port = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new SarKitInputException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": o.DataFolder = Value(); break;
                case "--records": o.Records = Value(); break;
                case "--public": o.Public = true; break;
                case "--urls": o.Urls.AddRange(Value().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--port":
                    var v = Value();
                    port = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535 ? p
                        : throw new SarKitInputException($"--port '{v}': expected a port number 0…65535 (0: any free port).");
                    break;
                case "--cache-mb":
                    var mb = Value();
                    o.CacheBudgetBytes = int.TryParse(mb, NumberStyles.None, CultureInfo.InvariantCulture, out int m) ? m * (1L << 20)
                        : throw new SarKitInputException($"--cache-mb '{mb}': expected a size in MiB (0: automatic).");
                    break;
                default: throw new SarKitInputException($"Unknown argument '{args[i]}'; expected --data DIR, --port P, --urls URL;…, --public, --records PATH, --cache-mb N.");
            }
        }
        if (port is { } pp) o.ListenOnPort(pp);
        return o;
    }
}
