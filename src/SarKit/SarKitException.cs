namespace SarKit;

/// <summary>
/// Raised for bad user input (a file, dataset, field or value that cannot be used).
/// The message names the source (file and dataset), the offending index or value, and what was expected.
/// The CLI maps this exception to exit code 2; any other exception is an internal failure (exit code 1).
/// </summary>
public class SarKitInputException : Exception
{
    public SarKitInputException(string message) : base(message) { }
    public SarKitInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>File the bad input came from, when known.</summary>
    public string? SourceFile { get; init; }

    /// <summary>Dataset or variable inside the file, when known.</summary>
    public string? Dataset { get; init; }
}
