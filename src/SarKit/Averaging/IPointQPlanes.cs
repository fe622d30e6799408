using SarKit.Fields;

namespace SarKit.Averaging;

/// <summary>
/// Point Q-matrices factor·E(v)ᴴE(v) of a multi-channel field that is made available one z-plane at a time (streamed),
/// addressed by voxels of the averaging cube set's grid. <see cref="AveragedQMatrixSet.Stream"/> asks for the planes
/// in increasing z order, each at most once, and only for voxels of the plane last loaded.
/// </summary>
public interface IPointQPlanes
{
    /// <summary>Number of channels N (N² packed doubles per matrix).</summary>
    int Channels { get; }
    /// <summary>What a unit drive is.</summary>
    FieldNormalisation Normalisation { get; }
    /// <summary>Makes z-plane <paramref name="k"/> of the cube set's grid available (planes without tissue may be skipped).</summary>
    void LoadPlane(int k);
    /// <summary>
    /// Writes factor·E(v)ᴴE(v) packed (<see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>) into <paramref name="dest"/>
    /// (N² doubles) for tissue voxel <paramref name="voxel"/> of the loaded plane; <paramref name="scratch"/> holds 2N doubles.
    /// Thread-safe for concurrent calls within one plane.
    /// </summary>
    void PointMatrix(int voxel, double factor, Span<double> dest, Span<double> scratch);
}

/// <summary>
/// <see cref="IPointQPlanes"/> of a field held in memory, possibly on a sub-grid of the cube set's grid (e.g. the
/// unpadded field <paramref name="e"/> of an air-padded model): <paramref name="fieldVoxel"/> maps a cube-grid voxel to its field voxel.
/// </summary>
public sealed class InMemoryQPlanes(MultiChannelField e, Func<int, int> fieldVoxel) : IPointQPlanes
{
    /// <inheritdoc/>
    public int Channels => e.Channels;
    /// <inheritdoc/>
    public FieldNormalisation Normalisation => e.Normalisation;
    /// <inheritdoc/>
    public void LoadPlane(int k) { }
    /// <inheritdoc/>
    public void PointMatrix(int voxel, double factor, Span<double> dest, Span<double> scratch)
    {
        int fv = fieldVoxel(voxel);
        if ((uint)fv >= (uint)e.Grid.VoxelCount)
            throw new ArgumentException($"tissue voxel {voxel} maps to {fv}, outside the field's grid {e.Grid}", nameof(voxel));
        Sar.QMatrixField.PointMatrix(e, fv, factor, dest, scratch);
    }
}
