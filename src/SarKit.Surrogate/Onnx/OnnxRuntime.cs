using System.Runtime.InteropServices;
using System.Text;

namespace SarKit.Surrogate.Onnx;

/// <summary>
/// The ONNX Runtime C API (onnxruntime_c_api.h, ORT ≥ 1.14; tested with 1.30.0), loaded at run time from
/// libonnxruntime.so.1: <c>OrtGetApiBase()</c> → <c>OrtApiBase.GetApi(ApiVersion)</c> → the <c>OrtApi</c> table of
/// function pointers, of which SarKit calls the few it needs by their (append-only) index in that struct.
/// </summary>
/// <remarks>
/// Library lookup order: the SARKIT_ONNXRUNTIME environment variable (path of the .so), then
/// ${SARKIT_ONNXRUNTIME_DIR}, ${XDG_CACHE_HOME:-~/.cache}/sarkit/onnxruntime/1.30.0/ (where scripts/setup-onnxruntime.sh
/// puts it), then the system loader's search path. Indices used (OrtApi struct order): 2 GetErrorMessage, 3 CreateEnv,
/// 7 CreateSession, 9 Run, 10 CreateSessionOptions, 24 SetIntraOpNumThreads, 49 CreateTensorWithDataAsOrtValue,
/// 51 GetTensorMutableData, 61 GetDimensionsCount, 62 GetDimensions, 65 GetTensorTypeAndShape, 69 CreateCpuMemoryInfo,
/// 92 ReleaseEnv, 93 ReleaseStatus, 94 ReleaseMemoryInfo, 95 ReleaseSession, 96 ReleaseValue,
/// 99 ReleaseTensorTypeAndShapeInfo, 100 ReleaseSessionOptions.
/// </remarks>
public sealed unsafe class OnnxRuntime
{
    /// <summary>ORT_API_VERSION requested from GetApi (supported by ORT ≥ 1.17).</summary>
    public const uint ApiVersion = 17;
    /// <summary>The library version scripts/setup-onnxruntime.sh installs.</summary>
    public const string PinnedVersion = "1.30.0";
    public const string LibraryFileName = "libonnxruntime.so.1";

    private static readonly object Gate = new();
    private static OnnxRuntime? _instance;
    private readonly void** _api;

    private OnnxRuntime(string path, nint lib, void** api, string version)
    {
        LibraryPath = path; _api = api; Version = version; _ = lib;
    }

    /// <summary>Path the library was loaded from (or its bare name when the system loader found it).</summary>
    public string LibraryPath { get; }
    /// <summary>ONNX Runtime version string reported by the library.</summary>
    public string Version { get; }

    /// <summary>Candidate paths, in lookup order.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var list = new List<string>();
        var env = Environment.GetEnvironmentVariable("SARKIT_ONNXRUNTIME");
        if (!string.IsNullOrEmpty(env)) list.Add(env);
        var dir = Environment.GetEnvironmentVariable("SARKIT_ONNXRUNTIME_DIR");
        if (!string.IsNullOrEmpty(dir)) list.Add(Path.Combine(dir, LibraryFileName));
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache)) cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        list.Add(Path.Combine(cache, "sarkit", "onnxruntime", PinnedVersion, LibraryFileName));
        return list;
    }

    /// <summary>True when the library can be loaded.</summary>
    public static bool IsAvailable() { try { _ = Load(); return true; } catch (SarKitInputException) { return false; } }

    /// <summary>Loads the library once per process. Throws <see cref="SarKitInputException"/> saying how to install it when absent.</summary>
    public static OnnxRuntime Load()
    {
        lock (Gate)
        {
            if (_instance is not null) return _instance;
            nint lib = 0; string? from = null;
            foreach (var c in Candidates())
                if (File.Exists(c) && NativeLibrary.TryLoad(c, out lib)) { from = c; break; }
            if (from is null && NativeLibrary.TryLoad(LibraryFileName, out lib)) from = LibraryFileName;
            if (from is null)
                throw new SarKitInputException(
                    $"The ONNX Runtime native library ({LibraryFileName}) was not found (looked at: {string.Join(", ", Candidates())} and the system library path). " +
                    $"Install it with scripts/setup-onnxruntime.sh (ONNX Runtime {PinnedVersion} from the npm package onnxruntime-node, sha256-checked), or set SARKIT_ONNXRUNTIME to the library's path.");
            if (!NativeLibrary.TryGetExport(lib, "OrtGetApiBase", out var getBase))
                throw new SarKitInputException($"'{from}' does not export OrtGetApiBase; it is not an ONNX Runtime library.");
            var apiBase = ((delegate* unmanaged<void**>)getBase)();
            var getApi = (delegate* unmanaged<uint, void**>)apiBase[0];
            var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
            string version = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "?";
            var api = getApi(ApiVersion);
            if (api is null) throw new SarKitInputException($"ONNX Runtime {version} at '{from}' does not support C API version {ApiVersion}; use {PinnedVersion} (scripts/setup-onnxruntime.sh).");
            return _instance = new OnnxRuntime(from, lib, api, version);
        }
    }

    internal void* Fn(int index) => _api[index];

    /// <summary>Throws with the ORT message when <paramref name="status"/> is not null (and releases it).</summary>
    internal void Check(void* status, string what)
    {
        if (status is null) return;
        var msg = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<void*, byte*>)Fn(2))(status)) ?? "unknown error";
        ((delegate* unmanaged<void*, void>)Fn(93))(status);
        throw new OnnxRuntimeException($"{what}: {msg}");
    }

    internal static byte[] Utf8Z(string s) { var b = new byte[Encoding.UTF8.GetByteCount(s) + 1]; Encoding.UTF8.GetBytes(s, b); return b; }
}

/// <summary>An error reported by ONNX Runtime (bad model file, input that does not match the model's signature, …).</summary>
public sealed class OnnxRuntimeException(string message) : SarKitInputException(message);

/// <summary>An ONNX Runtime object released through an OrtApi Release* function (index given).</summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private readonly int _release;
    public OrtHandle(void* p, int releaseIndex) : base(0, true) { SetHandle((nint)p); _release = releaseIndex; }
    public override bool IsInvalid => handle == 0;
    public void* Ptr => (void*)handle;
    protected override bool ReleaseHandle()
    {
        ((delegate* unmanaged<void*, void>)OnnxRuntime.Load().Fn(_release))((void*)handle);
        return true;
    }
}
