using System.Runtime.InteropServices;

namespace SarKit.IO.Hdf5;

/// <summary>Kind of an HDF5 identifier, which decides the close function.</summary>
internal enum H5Kind { File, Group, Dataset, Dataspace, Datatype, Attribute, PropertyList, Object }

/// <summary>
/// Owns one HDF5 identifier (hid_t, 64-bit) and closes it with the matching H5*close function on Dispose or finalisation.
/// Predefined identifiers (H5T_NATIVE_* etc.) are wrapped with ownsHandle = false and never closed.
/// </summary>
internal sealed class H5Handle : SafeHandle
{
    public H5Kind Kind { get; }

    private H5Handle(long id, H5Kind kind, bool owns) : base(0, owns)
    {
        Kind = kind;
        SetHandle((nint)id);
    }

    /// <summary>The raw identifier; throws when the handle was disposed.</summary>
    public long Id => IsClosed ? throw new ObjectDisposedException($"HDF5 {Kind} handle") : (long)handle;

    public override bool IsInvalid => (long)handle <= 0;

    /// <summary>Wraps an owned identifier; throws <see cref="SarKitInputException"/> (with HDF5's error text) when <paramref name="id"/> &lt; 0.</summary>
    public static H5Handle Own(long id, H5Kind kind, Func<string> context, string? file = null, string? dataset = null)
    {
        if (id < 0) throw Hdf5Errors.Fail(context(), file, dataset);
        return new H5Handle(id, kind, true);
    }

    /// <summary>Wraps a predefined identifier that must not be closed.</summary>
    public static H5Handle Borrow(long id, H5Kind kind) => new(id, kind, false);

    protected override bool ReleaseHandle()
    {
        long id = (long)handle;
        Hdf5Library.Enter(); // may run on the finalizer thread: keep HDF5's error printing off there too
        int rc = Kind switch
        {
            H5Kind.File => H5Native.H5Fclose(id),
            H5Kind.Group => H5Native.H5Gclose(id),
            H5Kind.Dataset => H5Native.H5Dclose(id),
            H5Kind.Dataspace => H5Native.H5Sclose(id),
            H5Kind.Datatype => H5Native.H5Tclose(id),
            H5Kind.Attribute => H5Native.H5Aclose(id),
            H5Kind.PropertyList => H5Native.H5Pclose(id),
            _ => H5Native.H5Oclose(id),
        };
        return rc >= 0;
    }
}

/// <summary>Builds <see cref="SarKitInputException"/>s from HDF5's error stack.</summary>
internal static class Hdf5Errors
{
    public static SarKitInputException Fail(string context, string? file = null, string? dataset = null)
    {
        var detail = Hdf5Library.TakeErrorStack();
        return new SarKitInputException(string.IsNullOrEmpty(detail) ? context : $"{context} (HDF5: {detail})") { SourceFile = file, Dataset = dataset };
    }

    public static void Check(int rc, Func<string> context, string? file = null, string? dataset = null)
    {
        if (rc < 0) throw Fail(context(), file, dataset);
    }
}
