using System.Reflection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace SarKit.Web;

/// <summary>
/// Serves the front end from this assembly's embedded resources named "wwwroot/…" (see SarKit.Web.csproj): one file,
/// nothing to find on disk, the same in `sarkit serve`, the standalone app and tests. The files' modification time is the
/// assembly's; for an assembly without a file (single-file publish) it is the start time read from <paramref name="time"/>
/// (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
/// </summary>
internal sealed class EmbeddedWwwroot(Assembly assembly, TimeProvider? time = null) : IFileProvider
{
    private readonly HashSet<string> _names = assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    private readonly DateTimeOffset _modified = File.Exists(assembly.Location) ? File.GetLastWriteTimeUtc(assembly.Location) : (time ?? SarKitSettings.Default.Time).GetUtcNow();

    public IFileInfo GetFileInfo(string subpath)
    {
        var name = "wwwroot/" + subpath.TrimStart('/');
        return _names.Contains(name) ? new Resource(assembly, name, _modified) : new NotFoundFileInfo(subpath);
    }

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        var prefix = ("wwwroot/" + subpath.Trim('/') + "/").Replace("//", "/");
        var files = _names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.IndexOf('/', prefix.Length) < 0)
            .Select(n => (IFileInfo)new Resource(assembly, n, _modified)).ToList();
        return files.Count == 0 ? NotFoundDirectoryContents.Singleton : new Contents(files);
    }

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    private sealed class Contents(List<IFileInfo> files) : IDirectoryContents
    {
        public bool Exists => true;
        public IEnumerator<IFileInfo> GetEnumerator() => files.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class Resource(Assembly assembly, string name, DateTimeOffset modified) : IFileInfo
    {
        private long? _length;
        public bool Exists => true;
        public long Length { get { if (_length is null) { using var s = CreateReadStream(); _length = s.Length; } return _length.Value; } }
        public string? PhysicalPath => null;
        public string Name => name[(name.LastIndexOf('/') + 1)..];
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => assembly.GetManifestResourceStream(name) ?? throw new FileNotFoundException(name);
    }
}
