using System.Collections;
using System.Reflection;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// Reads the few parsed header fields PureHDF 2.2.0 keeps internal and SarKit must check (the exact datatype bit
/// layout, the external file list, the filter pipeline, link types). Reflection on a pinned package version: every
/// member looked up here is covered by tests (tests/SarKit.Tests/IO/Hdf5CorruptFileTests.cs); when a PureHDF upgrade
/// renames one, <see cref="Member"/> throws and every read is refused (fail closed) until this file is adapted.
/// </summary>
internal static class PureHdfInternals
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Value of the property or field <paramref name="name"/> of <paramref name="o"/> (any visibility, base types included).</summary>
    public static object? Member(object o, string name)
    {
        for (var t = o.GetType(); t is not null; t = t.BaseType)
        {
            var p = t.GetProperty(name, All | BindingFlags.DeclaredOnly);
            if (p is not null) return p.GetValue(o);
            var f = t.GetField(name, All | BindingFlags.DeclaredOnly);
            if (f is not null) return f.GetValue(o);
        }
        throw new InvalidOperationException($"PureHDF internal member {o.GetType().Name}.{name} not found (SarKit's HDF5 checks need PureHDF 2.2.0).");
    }

    public static int Int(object o, string name) => Convert.ToInt32(Member(o, name), System.Globalization.CultureInfo.InvariantCulture);
    public static long Long(object o, string name) => Convert.ToInt64(Member(o, name), System.Globalization.CultureInfo.InvariantCulture);
    public static string Name(object? enumValue) => enumValue?.ToString() ?? "";

    /// <summary>File address of an object's header (its identity: two hard links to one group give the same address).</summary>
    public static ulong Address(PureHDF.VOL.Native.NativeObject o) => Convert.ToUInt64(Member(Member(o, "Reference")!, "Value"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The parsed datatype message of a dataset (its <c>InternalDataType</c>).</summary>
    public static object DatasetType(PureHDF.VOL.Native.NativeDataset d) => Member(d, "InternalDataType")!;

    /// <summary>The parsed datatype message of an attribute.</summary>
    public static object AttributeType(PureHDF.IH5Attribute a) => Member(Member(a, "Message")!, "Datatype")!;

    /// <summary>The stored bytes of an attribute's value (file byte order).</summary>
    public static ReadOnlySpan<byte> AttributeBytes(PureHDF.IH5Attribute a) => ((Memory<byte>)Member(Member(a, "Message")!, "InputData")!).Span;

    /// <summary>True when the dataset stores its data in external files (EFILE, "External Data Files" message).</summary>
    public static bool HasExternalFileList(PureHDF.VOL.Native.NativeDataset d) => Member(d, "InternalExternalFileList") is not null;

    /// <summary>Filter identifiers of the dataset's pipeline (empty when unfiltered).</summary>
    public static int[] FilterIds(PureHDF.VOL.Native.NativeDataset d)
    {
        var p = Member(d, "InternalFilterPipeline");
        if (p is null) return [];
        var list = new List<int>();
        foreach (var f in (IEnumerable)Member(p, "FilterDescriptions")!) list.Add(Int(f!, "Identifier"));
        return list.ToArray();
    }

    /// <summary>
    /// Names of the external links stored in a group (new-style link messages, compact or dense; old-style symbol-table
    /// groups cannot hold external links).
    /// </summary>
    public static List<string> ExternalLinks(PureHDF.VOL.Native.NativeGroup g)
    {
        var result = new List<string>();
        var header = Member(g, "Header")!;
        var messages = ((IEnumerable)Member(header, "HeaderMessages")!).Cast<object>().Select(m => Member(m, "Data")!).ToList();
        var linkInfo = messages.FirstOrDefault(m => m.GetType().Name == "LinkInfoMessage");
        IEnumerable links = messages.Where(m => m.GetType().Name == "LinkMessage");
        if (linkInfo is not null)
        {
            ulong btree = Convert.ToUInt64(Member(linkInfo, "BTree2NameIndexAddress"), System.Globalization.CultureInfo.InvariantCulture);
            if (btree != ulong.MaxValue)
            {
                var m = typeof(PureHDF.VOL.Native.NativeGroup).GetMethod("EnumerateLinkMessagesFromLinkInfoMessage", All)
                        ?? throw new InvalidOperationException("PureHDF internal NativeGroup.EnumerateLinkMessagesFromLinkInfoMessage not found.");
                links = (IEnumerable)m.Invoke(g, [linkInfo])!;
            }
        }
        foreach (var l in links)
            if (Member(l!, "LinkInfo")?.GetType().Name == "ExternalLinkInfo") result.Add((string)Member(l!, "LinkName")!);
        return result;
    }
}
