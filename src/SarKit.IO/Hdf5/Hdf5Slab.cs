namespace SarKit.IO.Hdf5;

/// <summary>
/// One hyperslab of a dataset and where its values go (<see cref="Hdf5File.ReadSlabsInto{T}"/>): <see cref="Start"/> and
/// <see cref="Count"/> per axis (both null: the whole dataset), <see cref="Destination"/> as for <see cref="Hdf5File.ReadInto{T}"/>.
/// </summary>
public readonly record struct Hdf5Slab<T>(long[]? Start, long[]? Count, Memory<T> Destination) where T : unmanaged;
