using System.Text;

namespace SarKit.Reporting;

/// <summary>Writes report text files atomically (temporary file in the same folder, then rename over the target).</summary>
public static class ReportFile
{
    public static void WriteText(string path, string text) =>
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
}
