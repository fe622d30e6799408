using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SarKit.IO.Formats;

/// <summary>
/// Linux O_DIRECT for sequential bulk reads (<see cref="WaveformStreamFile"/>): reads go from the device into the caller's
/// aligned buffer without the page-cache copy, which costs more CPU than the SAR computation on a large waveform file.
/// Set on an open handle with fcntl(F_SETFL); callers fall back to buffered reads when it is refused.
/// </summary>
internal static partial class DirectIo
{
    private const int FGetFl = 3, FSetFl = 4;
    /// <summary>O_DIRECT on x86-64 and arm64 Linux.</summary>
    private static int ODirect => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;

    [LibraryImport("libc.so.6", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(nint fd, int cmd, int arg);

    /// <summary>Adds O_DIRECT to the handle's status flags; false when the system refuses (e.g. tmpfs) or is not Linux.</summary>
    public static bool Enable(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            nint fd = handle.DangerousGetHandle();
            int flags = Fcntl(fd, FGetFl, 0);
            if (flags < 0) return false;
            return Fcntl(fd, FSetFl, flags | ODirect) == 0;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
