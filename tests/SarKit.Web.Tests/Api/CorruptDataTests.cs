using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// Corrupt files in the data folder: the listing works and names each file's error, opening one answers a 4xx JSON
/// error naming it (never 500, never a crash), and the next request for a good dataset is answered.
/// </summary>
public sealed class CorruptDataTests : IDisposable
{
    private readonly SarKitWebFactory _factory = new();
    private readonly HttpClient _http;

    /// <summary>Corrupt files (name → why), written next to the demo; "aaa…" sorts first (the warm-up opens the first file).</summary>
    private readonly List<string> Corrupt =
    [
        "aaa_truncated.npz", "garbage.h5", "truncated_demo.h5", "truncated.mat", "huge_header.npz", "sub/empty.npz", "not_really.hdf5",
    ];

    public CorruptDataTests()
    {
        var d = _factory.DataFolder;
        // a zip whose .npy member declares 10⁹ float64 but holds 16 bytes, then the whole zip cut in half
        File.WriteAllBytes(Path.Combine(d, "huge_header.npz"), Zip(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", 16)));
        var good = Zip(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (64,), }", 512));
        File.WriteAllBytes(Path.Combine(d, "aaa_truncated.npz"), good[..(good.Length / 2)]);
        var rnd = new Random(14);
        var garbage = new byte[4096]; rnd.NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(d, "garbage.h5"), garbage);
        File.WriteAllBytes(Path.Combine(d, "truncated_demo.h5"), File.ReadAllBytes(TestData.DemoFile)[..8192]);
        // MATLAB v5 header (116 text bytes, subsystem offset, version 0x0100, "IM") then garbage
        var mat = new byte[400];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Dec  7 00:00:00 2026".PadRight(116)).CopyTo(mat, 0);
        mat[124] = 0x00; mat[125] = 0x01; mat[126] = (byte)'I'; mat[127] = (byte)'M';
        rnd.NextBytes(mat.AsSpan(128));
        File.WriteAllBytes(Path.Combine(d, "truncated.mat"), mat);
        File.WriteAllBytes(Path.Combine(d, "sub", "empty.npz"), []);
        File.WriteAllText(Path.Combine(d, "not_really.hdf5"), "just some text, not HDF5\n");
        // a named pipe: opening it for reading would block until a writer comes, so it must never be opened
        if (OperatingSystem.IsLinux() && File.Exists("/usr/bin/mkfifo"))
        {
            using var mk = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [Path.Combine(d, "pipe.h5")]);
            mk.WaitForExit();
            if (mk.ExitCode == 0) Corrupt.Add("pipe.h5");
        }
        _http = _factory.CreateClient();
    }

    private static byte[] Npy(string header, int dataBytes)
    {
        var h = header.PadRight(118) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(h.Length & 0xff), (byte)(h.Length >> 8)]);
        ms.Write(Encoding.ASCII.GetBytes(h));
        ms.Write(new byte[dataBytes]);
        return ms.ToArray();
    }

    private static byte[] Zip(byte[] npy)
    {
        var ms = new MemoryStream();
        using (var z = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in new[] { "sigma.npy", "rho.npy", "E.npy" })
                using (var s = z.CreateEntry(name, CompressionLevel.NoCompression).Open()) s.Write(npy);
        return ms.ToArray();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_link_loop_in_the_data_folder_is_not_listed_and_refused_with_400()
    {
        var d = _factory.DataFolder;
        File.CreateSymbolicLink(Path.Combine(d, "loop_a.h5"), Path.Combine(d, "loop_b.h5"));
        File.CreateSymbolicLink(Path.Combine(d, "loop_b.h5"), Path.Combine(d, "loop_a.h5"));
        var r = await _http.GetAsync("/api/datasets");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var paths = (await Json(r)).GetProperty("datasets").EnumerateArray().Select(x => x.GetProperty("path").GetString()).ToArray();
        Assert.DoesNotContain("loop_a.h5", paths);
        Assert.Contains(TestData.DemoName, paths);
        var info = await _http.GetAsync("/api/datasets/info?path=loop_a.h5");
        Assert.True(info.StatusCode == HttpStatusCode.BadRequest, await info.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", r.Content.Headers.ContentType?.MediaType ?? "");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertPerFileError(HttpResponseMessage r, string file)
    {
        var j = await Json(r);
        int status = (int)r.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{file}: HTTP {status}: {j}");
        var msg = j.GetProperty("error").GetString()!;
        Assert.DoesNotContain("   at ", msg);     // no stack trace
        Assert.DoesNotContain("internal error", msg);
    }

    [Fact]
    public async Task The_listing_shows_each_corrupt_file_with_its_error_and_the_demo_as_readable()
    {
        var r = await _http.GetAsync("/api/datasets");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var list = (await Json(r)).GetProperty("datasets").EnumerateArray().ToDictionary(d => d.GetProperty("path").GetString()!, d => d);
        Assert.Equal(JsonValueKind.Null, list[TestData.DemoName].GetProperty("error").ValueKind);
        foreach (var f in Corrupt)
        {
            Assert.True(list.ContainsKey(f), $"{f} not listed");
            var err = list[f].GetProperty("error");
            Assert.True(err.ValueKind == JsonValueKind.String && err.GetString()!.Length > 0, $"{f}: no error in the listing");
        }
        // twice: remembered, same answer
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/datasets")).StatusCode);
    }

    [Fact]
    public async Task Opening_a_corrupt_file_is_a_4xx_error_and_the_next_request_is_answered()
    {
        foreach (var f in Corrupt)
        {
            var p = Uri.EscapeDataString(f);
            await AssertPerFileError(await _http.GetAsync($"/api/datasets/info?path={p}"), f);
            await AssertPerFileError(await _http.PostAsJsonAsync("/api/sar/slices", new { path = f, drive = new { amplitude = new[] { 1.0 } }, massG = 0 }), f);
            await AssertPerFileError(await _http.GetAsync($"/api/vop/info?path={p}"), f);
            // compression is a background job: poll until it has failed (each poll is answered at once)
            HttpResponseMessage job;
            int polls = 0;
            do
            {
                if (polls++ > 0) await Task.Delay(100);
                job = await _http.PostAsJsonAsync("/api/vop/compress", new { path = f });
            }
            while (job.StatusCode == HttpStatusCode.OK && polls < 1200);
            await AssertPerFileError(job, f);
        }
        var ok = await _http.GetAsync($"/api/datasets/info?path={TestData.DemoName}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
