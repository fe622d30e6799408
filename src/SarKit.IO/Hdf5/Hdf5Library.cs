using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SarKit.IO.Hdf5;

/// <summary>
/// Thrown when the native HDF5 C library (libhdf5, 1.10 or later), which SarKit uses to write HDF5, cannot be loaded. Install it with
/// <c>scripts/setup.sh</c> (Debian 12: <c>apt-get install libhdf5-103-1</c>).
/// </summary>
public sealed class Hdf5UnavailableException : SarKitInputException
{
    public Hdf5UnavailableException(string message, Exception? inner = null) : base(message, inner ?? new DllNotFoundException(message)) { }
}

/// <summary>
/// Loads the native HDF5 library, initialises it (H5open), reads the predefined type identifiers (which are global
/// variables such as <c>H5T_NATIVE_FLOAT_g</c> in HDF5 1.10, valid only after H5open), switches off HDF5's automatic
/// error printing per thread (H5Eset_auto2; the error stack is thread-local in thread-safe builds) and turns failed calls
/// into <see cref="SarKitInputException"/> carrying HDF5's own error description.
/// </summary>
public static unsafe class Hdf5Library
{
    /// <summary>File names tried, in order, when resolving the native library.</summary>
    public static readonly IReadOnlyList<string> CandidateNames =
    [
        "libhdf5_serial.so.103", "libhdf5.so.103", "libhdf5_serial.so", "libhdf5.so",
        "/usr/lib/x86_64-linux-gnu/hdf5/serial/libhdf5.so", "/usr/lib/aarch64-linux-gnu/hdf5/serial/libhdf5.so",
        "libhdf5.dylib", "hdf5.dll",
    ];

    private static readonly object _gate = new();
    private static volatile bool _initialised;
    private static nint _lib;
    private static Exception? _loadError;
    [ThreadStatic] private static bool _threadReady;

    internal static long T_NATIVE_INT8, T_NATIVE_UINT8, T_NATIVE_INT16, T_NATIVE_UINT16, T_NATIVE_INT32, T_NATIVE_UINT32,
        T_NATIVE_INT64, T_NATIVE_UINT64, T_NATIVE_FLOAT, T_NATIVE_DOUBLE, T_C_S1,
        T_STD_I8LE, T_STD_U8LE, T_STD_I16LE, T_STD_U16LE, T_STD_I32LE, T_STD_U32LE, T_STD_I64LE, T_STD_U64LE,
        T_IEEE_F32LE, T_IEEE_F64LE,
        P_CLS_FILE_CREATE, P_CLS_FILE_ACCESS, P_CLS_DATASET_CREATE, P_CLS_LINK_CREATE, P_CLS_DATASET_ACCESS;

    /// <summary>Version of the loaded library, e.g. "1.10.8".</summary>
    public static string Version { get; private set; } = "";

    /// <summary>Path or name of the loaded native library.</summary>
    public static string LoadedName { get; private set; } = "";

    static Hdf5Library()
    {
        try { NativeLibrary.SetDllImportResolver(typeof(Hdf5Library).Assembly, Resolve); }
        catch (InvalidOperationException) { /* a resolver is already registered for this assembly; it must handle "hdf5" */ }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != H5Native.Lib) return 0;
        return LoadLibrary();
    }

    private static nint LoadLibrary()
    {
        lock (_gate)
        {
            if (_lib != 0) return _lib;
            var env = Environment.GetEnvironmentVariable("SARKIT_HDF5_LIBRARY");
            var names = string.IsNullOrEmpty(env) ? CandidateNames : [env, .. CandidateNames];
            foreach (var n in names)
                if (NativeLibrary.TryLoad(n, out var h)) { _lib = h; LoadedName = n; return h; }
            return 0;
        }
    }

    /// <summary>True when the native HDF5 library can be loaded and initialised.</summary>
    public static bool IsAvailable
    {
        get { try { Enter(); return true; } catch (Hdf5UnavailableException) { return false; } }
    }

    /// <summary>Makes sure the library is loaded and initialised and that this thread does not print HDF5 errors.</summary>
    internal static void Enter()
    {
        if (!_initialised) Initialise();
        if (!_threadReady)
        {
            H5Native.H5Eset_auto2(H5Native.H5E_DEFAULT, 0, 0);
            _threadReady = true;
        }
    }

    private static void Initialise()
    {
        lock (_gate)
        {
            if (_initialised) return;
            if (_loadError is not null) throw new Hdf5UnavailableException(_loadError.Message, _loadError);
            if (LoadLibrary() == 0)
            {
                _loadError = new DllNotFoundException(
                    $"The HDF5 C library was not found (tried {string.Join(", ", CandidateNames)}). " +
                    "SarKit writes HDF5 (.h5, MATLAB v7.3 .mat) through the system libhdf5 (1.10+; reading needs no native library): run scripts/setup.sh, " +
                    "or install it yourself (Debian/Ubuntu: sudo apt-get install libhdf5-dev), or set SARKIT_HDF5_LIBRARY to the library's path.");
                throw new Hdf5UnavailableException(_loadError.Message, _loadError);
            }
            if (!Environment.Is64BitProcess) throw new Hdf5UnavailableException("SarKit's HDF5 binding needs a 64-bit process (hid_t is 64-bit).");
            try
            {
                if (H5Native.H5open() < 0) throw new Hdf5UnavailableException($"H5open() failed in {LoadedName}.");
                H5Native.H5get_libversion(out var ma, out var mi, out var re);
                Version = $"{ma}.{mi}.{re}";
                if (ma < 1 || (ma == 1 && mi < 10))
                    throw new Hdf5UnavailableException($"{LoadedName} is HDF5 {Version}; SarKit needs HDF5 1.10 or later (64-bit identifiers). Run scripts/setup.sh.");
                T_NATIVE_INT8 = Global("H5T_NATIVE_INT8_g"); T_NATIVE_UINT8 = Global("H5T_NATIVE_UINT8_g");
                T_NATIVE_INT16 = Global("H5T_NATIVE_INT16_g"); T_NATIVE_UINT16 = Global("H5T_NATIVE_UINT16_g");
                T_NATIVE_INT32 = Global("H5T_NATIVE_INT32_g"); T_NATIVE_UINT32 = Global("H5T_NATIVE_UINT32_g");
                T_NATIVE_INT64 = Global("H5T_NATIVE_INT64_g"); T_NATIVE_UINT64 = Global("H5T_NATIVE_UINT64_g");
                T_NATIVE_FLOAT = Global("H5T_NATIVE_FLOAT_g"); T_NATIVE_DOUBLE = Global("H5T_NATIVE_DOUBLE_g");
                T_C_S1 = Global("H5T_C_S1_g");
                T_STD_I8LE = Global("H5T_STD_I8LE_g"); T_STD_U8LE = Global("H5T_STD_U8LE_g");
                T_STD_I16LE = Global("H5T_STD_I16LE_g"); T_STD_U16LE = Global("H5T_STD_U16LE_g");
                T_STD_I32LE = Global("H5T_STD_I32LE_g"); T_STD_U32LE = Global("H5T_STD_U32LE_g");
                T_STD_I64LE = Global("H5T_STD_I64LE_g"); T_STD_U64LE = Global("H5T_STD_U64LE_g");
                T_IEEE_F32LE = Global("H5T_IEEE_F32LE_g"); T_IEEE_F64LE = Global("H5T_IEEE_F64LE_g");
                P_CLS_FILE_CREATE = Global("H5P_CLS_FILE_CREATE_ID_g");
                P_CLS_FILE_ACCESS = Global("H5P_CLS_FILE_ACCESS_ID_g");
                P_CLS_DATASET_CREATE = Global("H5P_CLS_DATASET_CREATE_ID_g");
                P_CLS_LINK_CREATE = Global("H5P_CLS_LINK_CREATE_ID_g");
                P_CLS_DATASET_ACCESS = Global("H5P_CLS_DATASET_ACCESS_ID_g");
                _literate = (delegate* unmanaged<long, int, int, ulong*, delegate* unmanaged<long, byte*, void*, nint, int>, nint, int>)
                    (NativeLibrary.TryGetExport(_lib, "H5Literate", out var p) ? p : NativeLibrary.GetExport(_lib, "H5Literate2"));
            }
            catch (DllNotFoundException e)
            {
                throw new Hdf5UnavailableException($"The HDF5 C library could not be bound ({e.Message}). Run scripts/setup.sh (Debian 12: apt-get install libhdf5-103-1) or set SARKIT_HDF5_LIBRARY.", e);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new Hdf5UnavailableException($"{LoadedName} lacks an HDF5 symbol SarKit needs ({e.Message}); install HDF5 1.10 (scripts/setup.sh).", e);
            }
            _initialised = true;
        }
    }

    private static unsafe delegate* unmanaged<long, int, int, ulong*, delegate* unmanaged<long, byte*, void*, nint, int>, nint, int> _literate;

    /// <summary>H5Literate (1.10) or H5Literate2 (1.12+); the link-info argument is not used by SarKit's callbacks.</summary>
    internal static unsafe int Literate(long group, ulong* idx, delegate* unmanaged<long, byte*, void*, nint, int> op, nint data)
        => _literate(group, H5Native.H5_INDEX_NAME, H5Native.H5_ITER_INC, idx, op, data);

    private static long Global(string symbol)
    {
        var p = NativeLibrary.GetExport(_lib, symbol);
        long id = Marshal.ReadInt64(p);
        if (id < 0) throw new Hdf5UnavailableException($"HDF5 global {symbol} is not initialised in {LoadedName}.");
        return id;
    }

    /// <summary>Collects HDF5's error stack of this thread (innermost description last) and clears it.</summary>
    internal static unsafe string TakeErrorStack()
    {
        var list = new List<string>();
        var gc = GCHandle.Alloc(list);
        try { H5Native.H5Ewalk2(H5Native.H5E_DEFAULT, H5Native.H5E_WALK_DOWNWARD, &WalkError, GCHandle.ToIntPtr(gc)); }
        finally { gc.Free(); }
        H5Native.H5Eclear2(H5Native.H5E_DEFAULT);
        if (list.Count == 0) return "";
        // The outermost (API) and innermost (cause) entries say the most; skip repeats.
        var parts = new List<string> { list[0] };
        if (list.Count > 1 && list[^1] != list[0]) parts.Add(list[^1]);
        return string.Join(" — ", parts);
    }

    [UnmanagedCallersOnly]
    private static unsafe int WalkError(uint n, H5Native.H5E_error2_t* e, nint data)
    {
        try
        {
            var list = (List<string>)GCHandle.FromIntPtr(data).Target!;
            var func = Marshal.PtrToStringUTF8(e->func_name) ?? "";
            var desc = Marshal.PtrToStringUTF8(e->desc) ?? "";
            list.Add(string.IsNullOrEmpty(func) ? desc : $"{func}(): {desc}");
        }
        catch { /* never throw across the native boundary */ }
        return 0;
    }
}
