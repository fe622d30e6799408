namespace SarKit.Workflows.Measurement;

/// <summary>
/// One input file of a measurement use case (<see cref="ProbeTemCalibration"/>, <see cref="ProbeConversionFactor"/>,
/// <see cref="ProbeDcLog"/>, <see cref="LiquidHeatCapacity"/>, <see cref="LiquidCheck"/>): its text, the name that
/// identifies it in messages and, when it was read from disk, its absolute path (reported as <c>input_file</c>).
/// </summary>
/// <param name="Text">The file text (JSON, docs/probe.md).</param>
/// <param name="Source">Name of the input in error messages (the path as given for files).</param>
/// <param name="FullPath">Absolute path of the file, or null for a text that did not come from a file.</param>
public sealed record MeasurementInput(string Text, string Source, string? FullPath)
{
    /// <summary>Reads <paramref name="path"/>; a missing file is a <see cref="FileNotFoundException"/> ("input file not found: …", exit 2 in the CLI).</summary>
    public static MeasurementInput FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file not found: {path}", path);
        return new MeasurementInput(File.ReadAllText(path), path, Path.GetFullPath(path));
    }

    /// <summary>
    /// Reads a probe calibration file (written by <c>sarkit probe calibrate</c>); a missing file is a
    /// <see cref="SarKitInputException"/> naming it, as <see cref="SarKit.Measurement.Probe.ProbeCalibration.Read"/> reports it.
    /// </summary>
    public static MeasurementInput CalibrationFromFile(string path)
    {
        if (!File.Exists(path))
            throw new SarKitInputException($"calibration file not found: {path}; a scan needs a current probe calibration (sarkit probe calibrate).") { SourceFile = path };
        return new MeasurementInput(File.ReadAllText(path), path, Path.GetFullPath(path));
    }

    /// <summary>A text that did not come from a file (e.g. a web request body); <paramref name="source"/> names it in messages.</summary>
    public static MeasurementInput FromText(string text, string source) => new(text, source, null);
}

/// <summary>
/// What to evaluate in a use case of one input file (<see cref="LiquidHeatCapacity.Run"/>, <see cref="LiquidCheck.Run"/>):
/// the file, where to record the evaluation and the SarKit version.
/// </summary>
public sealed record MeasurementFileRequest
{
    /// <summary>The input file (JSON; docs/probe.md gives its fields per method).</summary>
    public required MeasurementInput Input { get; init; }
    /// <summary>Append the evaluation to this records location (<see cref="SarKit.Measurement.Records.MeasurementRecordStores.Open"/>); null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into the result and the record.</summary>
    public required string SarkitVersion { get; init; }

    /// <summary>A request reading the input file from disk (the path names it in messages; <see cref="MeasurementInput.FromFile"/>).</summary>
    public static MeasurementFileRequest FromFile(string path, string sarkitVersion) =>
        new() { Input = MeasurementInput.FromFile(path), SarkitVersion = sarkitVersion };
}
