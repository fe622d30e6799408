namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// Chunk cache for one dataset (least recently used, bounded by bytes) that also proves every chunk came from the file:
/// PureHDF silently returns the fill value for a chunk that was never written (unallocated), which is missing data.
/// A chunk whose reader did not read any dataset bytes through <see cref="GuardedFileStream"/> is refused.
/// </summary>
internal sealed class CheckingChunkCache(GuardedFileStream stream, long capacityBytes, Func<ulong, Exception> unallocated) : PureHDF.VOL.Native.IReadingChunkCache
{
    private readonly Dictionary<ulong, LinkedListNode<(ulong Index, Memory<byte> Data)>> _map = new();
    private readonly LinkedList<(ulong Index, Memory<byte> Data)> _lru = new();
    private long _bytes;

    /// <summary>
    /// Drops every cached chunk (a read that will not touch them again: the next slab group or piece of a parallel read
    /// starts in other chunks). Only speed depends on the cache, never a value; dropped chunks die young in the GC's
    /// first generation instead of being kept (and promoted) up to the capacity, and their memory is reused for the
    /// next chunks instead of fresh pages (issue 18, docs/hdf5.md).
    /// </summary>
    public void Clear()
    {
        _map.Clear();
        _lru.Clear();
        _bytes = 0;
    }

    /// <summary>The chunk most recently returned (hit or miss): <see cref="ManagedHdf5Reader.ReadChunk"/> hands a whole
    /// decompressed chunk on without copying it element by element.</summary>
    public Memory<byte> Last { get; set; }

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkReader)
    {
        if (_map.TryGetValue(chunkIndex, out var node))
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
            return Last = node.Value.Data;
        }
        long before = stream.DatasetBytesRead;
        var data = chunkReader();
        if (stream.DatasetBytesRead == before) throw unallocated(chunkIndex);
        Last = data;
        if (data.Length <= capacityBytes)
        {
            while (_bytes + data.Length > capacityBytes && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _map.Remove(last.Value.Index);
                _bytes -= last.Value.Data.Length;
            }
            _map[chunkIndex] = _lru.AddFirst((chunkIndex, data));
            _bytes += data.Length;
        }
        return data;
    }
}
