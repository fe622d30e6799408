namespace SarKit.IO.Formats;

/// <summary>
/// Which optional fields a dataset read loads (<see cref="DatasetFiles.Open(string, DatasetReadOptions?)"/>). The tissue
/// model and the E-field are always read and validated; H and B1+ only when asked. A use case that needs neither (peak
/// SAR, <c>sarkit sar</c>) reads with <see cref="EOnly"/>: for an openEMS reference file that halves the data read and
/// inflated (H is as large as E). A field that is not read is not checked either: a corrupt H cannot fail such a run.
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
