using SarKit.IO.Hdf5.Managed;

namespace SarKit.Tests.IO;

/// <summary>
/// The managed reader's chunk cache (<see cref="CheckingChunkCache"/>): a cached chunk is served without reading it again,
/// <see cref="CheckingChunkCache.Clear"/> (what a parallel read's worker does after each piece and slab group) drops every
/// chunk so the next request reads from the file again, and a chunk whose reader read no dataset bytes is still refused.
/// </summary>
public sealed class Hdf5ChunkCacheTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("sarkit-h5cache-").FullName, "bytes.bin");

    public Hdf5ChunkCacheTests() => File.WriteAllBytes(_file, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());

    public void Dispose() { try { Directory.Delete(Path.GetDirectoryName(_file)!, true); } catch (IOException) { } }

    [Fact]
    public void Cached_chunks_are_served_once_read_and_read_again_after_Clear()
    {
        using var stream = new GuardedFileStream(_file);
        var cache = new CheckingChunkCache(stream, 1 << 20, i => new InvalidOperationException($"chunk {i} unallocated"));
        int reads = 0;
        Func<Memory<byte>> reader(ulong index) => () =>
        {
            reads++;
            var b = new byte[64];
            stream.Seek((long)index * 64, SeekOrigin.Begin);
            stream.ReadDataset(b);
            return b;
        };
        var a = cache.GetChunk(3, reader(3));
        var again = cache.GetChunk(3, reader(3));
        Assert.Equal(1, reads);
        Assert.True(a.Span.SequenceEqual(again.Span));
        Assert.Equal(unchecked((byte)(3 * 64 * 7)), a.Span[0]);
        cache.GetChunk(5, reader(5));
        Assert.Equal(2, reads);
        cache.Clear();
        var fresh = cache.GetChunk(3, reader(3));
        Assert.Equal(3, reads);
        Assert.True(a.Span.SequenceEqual(fresh.Span));
        // the stored-chunk proof still holds after a Clear: a reader that reads no dataset bytes is refused
        Assert.Throws<InvalidOperationException>(() => cache.GetChunk(9, () => new byte[64]));
    }
}
