namespace SarKit.IO.Formats;

/// <summary>
/// Which optional fields a dataset read loads (<see cref="DatasetFiles.Open(string, DatasetReadOptions?)"/>). The tissue
/// model and the E-field are always read and validated; H and B1+ only when asked. <see cref="EOnly"/> halves the data
/// read and inflated for an openEMS reference file (H is as large as E), but a field that is not read is not checked
/// either: a corrupt H cannot fail such a read. The CLI and web use cases therefore read every field (a file with a
/// non-finite value anywhere is refused, exit 2); <see cref="EOnly"/> is for library callers who accept that.
/// </summary>
public sealed record DatasetReadOptions
{
    /// <summary>Read the H-field when the file has one.</summary>
    public bool H { get; init; } = true;
    /// <summary>Read the B1+ map when the file has one.</summary>
    public bool B1Plus { get; init; } = true;

    /// <summary>Every field the file holds (the default).</summary>
    public static DatasetReadOptions All { get; } = new();
    /// <summary>Tissue and E only.</summary>
    public static DatasetReadOptions EOnly { get; } = new() { H = false, B1Plus = false };
}
