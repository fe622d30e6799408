using SarKit.Grid;
using SarKit.Workflows;

namespace SarKit.Web;

/// <summary>
/// The fields the RF shim and spokes forms share (<see cref="PulseDesignRequest"/>), checked by
/// <see cref="Api.DesignFormChecks.Check"/>: dataset, region layer, SAR and channel power limits, constraint set, starts.
/// </summary>
/// <param name="FullPath">Dataset file (resolved in the data folder).</param>
/// <param name="RelativePath">Dataset path as the form named it.</param>
/// <param name="ZIndex">Region of interest: the tissue voxels of this z layer.</param>
/// <param name="LocalLimitWPerKg">Local 10 g SAR limit, time-averaged, W/kg.</param>
/// <param name="GlobalLimitWPerKg">Global SAR limit, time-averaged, W/kg (0: none).</param>
/// <param name="Constraints">"all", "vop", "vop-seeded" (the VOP design polished against every original) or "mvie".</param>
/// <param name="MarginFraction">VOP margin of the dataset's own VOP set, fraction of SAR_wc.</param>
/// <param name="VopFullPath">A VOP file of the data folder instead of the dataset's own set; null: the dataset's.</param>
/// <param name="MvieFullPath">An MVIE file of the data folder; null: the dataset's.</param>
/// <param name="Starts">Initial phase patterns.</param>
/// <param name="ChannelPeakPowerW">Peak incident power limit of every channel, W (0: none).</param>
/// <param name="ChannelAveragePowerW">Time-averaged incident power limit of every channel, W (0: none).</param>
/// <param name="ChannelPeakPowersW">Peak limit per channel, W (0: none for that channel); null: <paramref name="ChannelPeakPowerW"/> for all.</param>
/// <param name="ChannelAveragePowersW">Average limit per channel, W; null: <paramref name="ChannelAveragePowerW"/> for all.</param>
public sealed record DesignFormInput(string FullPath, string RelativePath, int ZIndex, double LocalLimitWPerKg, double GlobalLimitWPerKg,
    string Constraints, double MarginFraction, string? VopFullPath, string? MvieFullPath, int Starts,
    double ChannelPeakPowerW, double ChannelAveragePowerW, double[]? ChannelPeakPowersW, double[]? ChannelAveragePowersW)
{
    /// <summary><paramref name="request"/> with the shared fields set: constraint spec <paramref name="spec"/>, the layer as the slice of the CLI.</summary>
    public T Apply<T>(T request, string spec, VoxelGrid grid) where T : PulseDesignRequest
    {
        ArgumentNullException.ThrowIfNull(request);
        return (T)(request with
        {
            FieldsPath = FullPath, Constraints = [spec], LocalLimitWPerKg = LocalLimitWPerKg, GlobalLimitWPerKg = GlobalLimitWPerKg,
            ChannelPeakPowerW = ChannelPeakPowerW, ChannelAveragePowerW = ChannelAveragePowerW,
            ChannelPeakPowersW = ChannelPeakPowersW, ChannelAveragePowersW = ChannelAveragePowersW,
            Slice = RfShimMaps.SliceText(grid, ZIndex), Starts = Starts,
        });
    }
}
