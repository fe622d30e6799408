using System.Runtime.CompilerServices;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// The read-only file stream the managed HDF5 reader (PureHDF) reads through. It turns the failure modes a managed
/// parser can still have on a hostile file into ordinary exceptions instead of a dead process:
/// <list type="bullet">
/// <item>unbounded recursion over cyclic on-disk structures (B-trees, soft links, heaps): every read checks that the
/// thread has stack left (<see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/>) and throws
/// <see cref="Hdf5StructureException"/> long before a <see cref="StackOverflowException"/>, which .NET cannot catch;</item>
/// <item>infinite loops that keep re-reading the file: each public operation may read at most
/// <see cref="OperationBudgetBytes"/> bytes (reset by <see cref="BeginOperation"/>).</item>
/// </list>
/// It also counts the bytes PureHDF reads as dataset data (<see cref="PureHDF.IDatasetStream"/>), which is how the reader
/// proves that every chunk of a dataset really came from the file and none was silently replaced by the fill value.
/// </summary>
internal sealed class GuardedFileStream : Stream, PureHDF.IDatasetStream
{
    private readonly FileStream _inner;
    private readonly bool _ownsHandle;
    private long _operationBytes;

    public GuardedFileStream(string path)
    {
        _inner = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        _ownsHandle = true;
        FileLength = _inner.Length;
        OperationBudgetBytes = checked(8 * FileLength + (16L << 20));
    }

    /// <summary>
    /// A second stream over the already open file of <paramref name="owner"/> (the same file, even if the path has been
    /// replaced since): a parallel reader's own position, buffer and read budget. .NET's FileStream reads a seekable file
    /// with positional reads (pread) at its own offset, so streams sharing one handle do not disturb each other. The
    /// handle stays owned by <paramref name="owner"/>: disposing this stream does not close it.
    /// </summary>
    public GuardedFileStream(GuardedFileStream owner)
    {
        _inner = new FileStream(owner._inner.SafeFileHandle, FileAccess.Read, 1 << 16);
        _ownsHandle = false;
        FileLength = owner.FileLength;
        OperationBudgetBytes = owner.OperationBudgetBytes;
    }

    private SafeHandleReader? _positional;

    /// <summary>Positional (pread) access to the same open file for <see cref="DirectChunkReader"/> (thread-safe; bounded by <see cref="FileLength"/>).</summary>
    public SafeHandleReader Positional => _positional ??= new SafeHandleReader(_inner.SafeFileHandle, FileLength);

    /// <summary>Length of the file when it was opened (bytes).</summary>
    public long FileLength { get; }

    /// <summary>
    /// Most bytes one public operation may read: 8 × the file length + 16 MiB. Measured on the demo and reference data, a
    /// complete read of the largest dataset reads at most 0.77 × the file length + 1 MiB (bench: SarKit.Bench hdf5).
    /// </summary>
    public long OperationBudgetBytes { get; }

    /// <summary>Bytes read as dataset data (raw chunks or contiguous data) since the file was opened.</summary>
    public long DatasetBytesRead { get; private set; }

    /// <summary>Starts a new public operation: resets the per-operation read budget.</summary>
    public void BeginOperation() => _operationBytes = 0;

    /// <summary>Largest ratio (bytes read by one operation − 1 MiB) / file length seen in this process (for the benchmark that sizes the budget).</summary>
    internal static double LargestOperationRatio;
    private static readonly Lock RatioLock = new();

    private void Guard(int count)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new Hdf5StructureException("the file's structure nests too deeply (cyclic B-tree, heap or link?)");
        _operationBytes += count;
        double ratio = (_operationBytes - (1 << 20)) / (double)Math.Max(1, FileLength);
        if (ratio > LargestOperationRatio) lock (RatioLock) LargestOperationRatio = Math.Max(LargestOperationRatio, ratio);
        if (_operationBytes > OperationBudgetBytes)
            throw new Hdf5StructureException($"reading it needed more than {OperationBudgetBytes} bytes for one operation on a {FileLength}-byte file (looping structure?)");
    }

    public void ReadDataset(Span<byte> buffer)
    {
        Guard(buffer.Length);
        _inner.ReadExactly(buffer);
        DatasetBytesRead += buffer.Length;
    }

    public override int Read(Span<byte> buffer)
    {
        Guard(buffer.Length);
        return _inner.Read(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> b = stackalloc byte[1];
        return Read(b) == 1 ? b[0] : -1;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _inner.Position + offset,
            _ => FileLength + offset,
        };
        if (target < 0 || target > FileLength)
            throw new Hdf5StructureException($"an address points outside the file (offset {target}, file length {FileLength})");
        return _inner.Seek(target, SeekOrigin.Begin);
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => FileLength;
    public override long Position { get => _inner.Position; set => Seek(value, SeekOrigin.Begin); }
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // A shared-handle stream is not disposed: FileStream.Dispose would close the owner's handle. It holds no
        // unmanaged resource of its own (its buffer is managed; its finaliser does not close the handle).
        if (disposing && _ownsHandle) _inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Raised inside the managed reader when the file's structure is unusable; the reader turns it into a <see cref="SarKitInputException"/> naming the file and object.</summary>
internal sealed class Hdf5StructureException(string message) : Exception(message);
