using System.Text;
using Microsoft.Extensions.Time.Testing;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Constraints;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;
using SarKit.Tests.Compression;
using SarKit.Tests.Support;

namespace SarKit.Tests.IO;

/// <summary>Every time stamp the library writes comes from the injected clock (SarKitSettings.Time / a TimeProvider).</summary>
public class TimeStampTests
{
    private static readonly DateTimeOffset When = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private const string Stamp = "2001-02-03T04:05:06Z";

    private static void InTemp(Action<string> body)
    {
        var dir = Directory.CreateTempSubdirectory("sarkit-time");
        try { body(dir.FullName); }
        finally { dir.Delete(true); }
    }

    private static string RootAttribute(string path, string name, string group = "/")
    {
        using var f = Hdf5File.OpenRead(path);
        return f.ReadStringAttribute(group, name);
    }

    [Fact]
    public void The_VOP_certificate_and_the_VOP_files_take_their_time_from_the_injected_clock()
    {
        int n = 3;
        var q = VopVerifierTests.RandomSet(n, 8, 5, rank: 2);
        var set = VopVerifierTests.MakeSet(VopVerifierTests.PlusMargin(q, n, 0.05 * VopSet.WorstCaseSar(q, n)), n, q);
        using var src = new PackedQMatrixSource(q, n, "q");
        var r = VopVerifier.Certify(set, src, new VopVerifierOptions { RandomDrives = 100, Time = new FakeTimeProvider(When) });
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.Equal(When.UtcDateTime, r.Certificate.CreatedUtc);
        InTemp(dir =>
        {
            var later = new FakeTimeProvider(When.AddDays(1));
            VopSetFiles.Write(set, Path.Combine(dir, "v.h5"), later);
            Assert.Equal("2001-02-04T04:05:06Z", RootAttribute(Path.Combine(dir, "v.h5"), "created_utc"));
            Assert.Equal(Stamp, RootAttribute(Path.Combine(dir, "v.h5"), "created_utc", "/certificate"));
            Assert.Contains("\"created_utc\": \"2001-02-04T04:05:06Z\"", VopSetFiles.MetadataJson(set, later));
            VopSetFiles.Write(set, Path.Combine(dir, "v.mat"), later);
            Assert.Contains("Created on: Sun Feb 04 04:05:06 2001", MatFileV73.HeaderText(Path.Combine(dir, "v.mat")));
        });
    }

    [Fact]
    public void MAT_file_headers_take_their_time_from_the_injected_clock()
    {
        InTemp(dir =>
        {
            var p5 = Path.Combine(dir, "a.mat");
            using (var w = MatWriter.Create(p5, time: new FakeTimeProvider(When)))
            {
                w.Add("x", new NdArray(NdType.Float64, [2], new[] { 1.0, 2.0 }));
                w.Commit();
            }
            Assert.Contains("Created on: Sat Feb 03 04:05:06 2001 UTC", Encoding.ASCII.GetString(File.ReadAllBytes(p5), 0, 116));
            var p73 = Path.Combine(dir, "b.mat");
            MatFileV73.Write(p73, [new("x", new NdArray(NdType.Float64, [2], new[] { 1.0, 2.0 }))], time: new FakeTimeProvider(When));
            Assert.Contains("Created on: Sat Feb 03 04:05:06 2001", MatFileV73.HeaderText(p73));
        });
    }

    [Fact]
    public void QMatrix_dataset_and_MVIE_files_take_their_time_from_the_injected_clock()
    {
        var t = TestPhantoms.Ellipsoid(8, 8, 8, 0.01, seed: 2);
        var e = TestPhantoms.RandomFields(t.Grid, 2, seed: 3);
        var ds = new SarDataset(t, e);
        var clock = new FakeTimeProvider(When);
        InTemp(dir =>
        {
            var qp = Path.Combine(dir, "q.h5");
            QMatrixSetFile.Write(SarKit.Sar.QMatrixField.Compute(t, e), qp, time: clock);
            Assert.Equal(Stamp, QMatrixSetFile.Read(qp).Attributes["created_utc"]);

            var dp = Path.Combine(dir, "d.h5");
            SarKitDatasetFile.Write(ds, dp, new SarKitDatasetWriteOptions { Time = clock });
            Assert.Equal(Stamp, SarKitDatasetFile.ReadInfo(dp).Provenance["created_utc"]);

            int n = 2;
            var q = VopVerifierTests.RandomSet(n, 6, 7);
            var m = MvieSolver.Solve(q, n, new MvieOptions { MaxDegreeOfParallelism = 1 });
            var mp = Path.Combine(dir, "m.h5");
            MvieFile.Write(mp, m, FieldNormalisation.PerVoltIncident, null, time: clock);
            Assert.Equal(Stamp, RootAttribute(mp, "created_utc"));
        });
    }

    [Fact]
    public void The_MVIE_result_does_not_depend_on_the_thread_count()
    {
        int n = 3;
        var q = VopVerifierTests.RandomSet(n, 300, 11);
        var one = MvieSolver.Solve(q, n, new MvieOptions { MaxDegreeOfParallelism = 1 });
        var two = MvieSolver.Solve(q, n, new MvieOptions { MaxDegreeOfParallelism = 2 });
        var four = MvieSolver.Solve(q, n, new MvieOptions { MaxDegreeOfParallelism = 4 });
        Assert.Equal(one.Packed, two.Packed);
        Assert.Equal(one.Packed, four.Packed);
        Assert.Equal(one.LogDet, four.LogDet);
    }
}
