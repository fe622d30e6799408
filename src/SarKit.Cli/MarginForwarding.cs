global using Averager = SarKit.Workflows.PreparedAveraging;
using SarKit.Workflows;

namespace SarKit.Cli;

// Forwarding members for `sarkit margin` (MarginCommand), which still uses the names of the former Cli/Averager.cs and
// Cli/DriveInput.cs; the logic lives in SarKit.Workflows (PreparedAveraging, DriveText). Remove with MarginCommand's move
// to its own use case.

/// <summary>Forwards to <see cref="DriveText.Parse"/> with the CLI's <c>--drive</c> label.</summary>
internal static class DriveInput
{
    public static SarKit.Fields.DriveVector Parse(string text, SarDataset ds) => DriveText.Parse(text, ds, "--drive");
}

/// <summary>Forwards <c>Averager.Build</c> to <see cref="PreparedAveraging.Prepare"/> with a progress bar.</summary>
internal static class AveragerForwarding
{
    extension(PreparedAveraging)
    {
        public static PreparedAveraging Build(CliIO io, bool json, SarDataset ds, double massKg, int? pad)
            => io.WithProgress(json, $"Averaging cubes ({PeakSarEvaluation.MassText(massKg)})", p => PreparedAveraging.Prepare(ds, massKg, pad, p));
    }
}
