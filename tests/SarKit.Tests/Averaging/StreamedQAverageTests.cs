using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Formats;
using SarKit.Sar;
using SarKit.Tests.Support;

namespace SarKit.Tests.Averaging;

/// <summary>
/// The streamed Q-field average (<see cref="AveragedQMatrixSet.Stream"/>: summed-volume table plane by plane in a ring,
/// cubes averaged as soon as their highest z-node exists) against the whole-table path, bit for bit.
/// </summary>
public class StreamedQAverageTests
{
    private static double[] Streamed(TissueModel t, AveragingCubeSet cubes, IPointQPlanes field, int blockCubes, out AveragedQMatrixSet.StreamPlan plan)
    {
        int n2 = field.Channels * field.Channels;
        var got = new double[(long)cubes.CubeCount * n2];
        var seen = new int[cubes.CubeCount];
        plan = AveragedQMatrixSet.Stream(t, cubes, field, (c0, k, packed) =>
        {
            Assert.Equal(k * n2, packed.Length);
            packed.CopyTo(got.AsSpan(c0 * n2, k * n2));
            for (int c = c0; c < c0 + k; c++) seen[c]++;
        }, blockCubes);
        Assert.All(seen, s => Assert.Equal(1, s)); // every cube exactly once
        return got;
    }

    private static void AssertBitIdentical(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail($"element {i} (cube {i}): streamed {actual[i]:R}, whole table {expected[i]:R}");
    }

    [Theory]
    [InlineData(20, 18, 24, 3, 0)]   // default blocks
    [InlineData(13, 11, 31, 2, 1)]   // odd sizes, one cube per block
    [InlineData(17, 15, 9, 4, 7)]    // short in z: the window is the whole table
    [InlineData(11, 19, 40, 3, 64)]  // tall: cubes straddle many slab boundaries, window smaller than the grid
    public void StreamedMatricesEqualTheWholeTableResultBitForBit(int nx, int ny, int nz, int channels, int blockCubes)
    {
        var t = TestPhantoms.Ellipsoid(nx, ny, nz, 0.004, seed: nx + nz);
        var e = TestPhantoms.RandomFields(t.Grid, channels, seed: 5);
        var cubes = AveragingCubeSet.Build(t);
        Assert.True(cubes.CubeCount > cubes.ValidCubeCount, "the phantom needs step-2 cubes (the second stream)");
        var whole = AveragedQMatrixSet.Compute(t, e, v => v, cubes);
        var got = Streamed(t, cubes, new InMemoryQPlanes(e, v => v), blockCubes, out var plan);
        AssertBitIdentical(whole.AllPacked, got);
        // cubes straddle slabs: most read node planes several z-slices apart
        Assert.Contains(plan.High.Zip(plan.Low), p => p.First - p.Second >= 3);
    }

    [Fact]
    public void OnAGradedGridEveryPathWeighsEachVoxelByItsOwnVolume()
    {
        // the field-mapped overload (used by qmatrices, shim design, sar --averaged-q) took the first cell's volume for
        // every voxel before; on a graded grid that scaled each voxel's Q by V_first/V_v (too low where cells are larger)
        var t = RectilinearAveragingTests.GradedEllipsoid(16, 14, 18, seed: 7);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 2);
        var cubes = AveragingCubeSet.Build(t);
        Assert.True(cubes.IsRectilinear);
        var reference = AveragedQMatrixSet.Compute(new SarDataset(t, e), cubes);
        AssertBitIdentical(reference.AllPacked, AveragedQMatrixSet.Compute(t, e, v => v, cubes).AllPacked);
        AssertBitIdentical(reference.AllPacked, Streamed(t, cubes, new InMemoryQPlanes(e, v => v), 0, out _));
    }

    [Fact]
    public void ComponentTilesOfTheWholeTableGiveTheSameBitsAsTheStream()
    {
        var t = TestPhantoms.Ellipsoid(15, 13, 21, 0.004, seed: 3);
        var e = TestPhantoms.RandomFields(t.Grid, 4, seed: 9);
        var cubes = AveragingCubeSet.Build(t);
        var tiled = AveragedQMatrixSet.Compute(t, e, v => v, cubes, maxTableBytes: 1 << 16);
        AssertBitIdentical(tiled.AllPacked, Streamed(t, cubes, new InMemoryQPlanes(e, v => v), 0, out _));
    }

    /// <summary>An elliptic column of jittered tissue, nz voxels tall (the same cross-section at every z).</summary>
    private static TissueModel Column(int nz, int seed)
    {
        int nx = 16, ny = 14;
        var g = VoxelGrid.Uniform(nx, ny, nz, 0.005);
        var rnd = new Random(seed);
        var s = new double[g.VoxelCount]; var r = new double[g.VoxelCount];
        for (int k = 2; k < nz - 2; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++)
                {
                    double x = (i + 0.5 - nx / 2.0) / 6, y = (j + 0.5 - ny / 2.0) / 5;
                    if (x * x + y * y > 1) continue;
                    int v = g.Index(i, j, k);
                    r[v] = 1000 * (1 + 0.4 * (rnd.NextDouble() - 0.5)); s[v] = 0.6;
                }
        return new TissueModel(g, s, r) { Source = "test column" };
    }

    [Fact]
    public void WindowDepthDoesNotGrowWithTheGridsZExtent()
    {
        var depth = new List<int>();
        foreach (int nz in new[] { 30, 60, 120 })
        {
            var t = Column(nz, seed: 4);
            var cubes = AveragingCubeSet.Build(t);
            var e = TestPhantoms.RandomFields(t.Grid, 2, seed: 1);
            var planes = new RecordingPlanes(new InMemoryQPlanes(e, v => v));
            var got = Streamed(t, cubes, planes, 0, out var plan);
            AssertBitIdentical(AveragedQMatrixSet.Compute(t, e, v => v, cubes).AllPacked, got);
            // each field plane loaded once, in increasing z
            Assert.Equal(planes.Loaded.Order(), planes.Loaded);
            Assert.Equal(planes.Loaded.Distinct().Count(), planes.Loaded.Count);
            depth.Add(plan.WindowPlanes);
        }
        Assert.True(depth[0] < 30, $"window {depth[0]} planes");
        Assert.InRange(depth[2], 2, depth[0] + 2); // 4× the height, (about) the same window
    }

    private sealed class RecordingPlanes(IPointQPlanes inner) : IPointQPlanes
    {
        public List<int> Loaded { get; } = [];
        public int Channels => inner.Channels;
        public FieldNormalisation Normalisation => inner.Normalisation;
        public void LoadPlane(int k) { Loaded.Add(k); inner.LoadPlane(k); }
        public void PointMatrix(int voxel, double factor, Span<double> dest, Span<double> scratch) => inner.PointMatrix(voxel, factor, dest, scratch);
    }

    [Fact]
    public void StreamedFileHasTheSameDatasetsAsTheInMemoryWrite()
    {
        var t = TestPhantoms.Ellipsoid(14, 12, 19, 0.005, seed: 2);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 3);
        var cubes = AveragingCubeSet.Build(t);
        var set = AveragedQMatrixSet.Compute(t, e, v => v, cubes);
        var dir = Directory.CreateTempSubdirectory("sarkit-qs");
        try
        {
            string a = Path.Combine(dir.FullName, "whole.h5"), b = Path.Combine(dir.FullName, "streamed.h5");
            QMatrixSetFile.Write(set, a);
            QMatrixSetFile.WriteStreamed(cubes, 3, e.Normalisation, b, sink => AveragedQMatrixSet.Stream(t, cubes, new InMemoryQPlanes(e, v => v), sink, blockCubes: 5));
            Assert.Equal(2, Directory.GetFiles(dir.FullName).Length); // no temporary left behind
            var x = QMatrixSetFile.Read(a); var y = QMatrixSetFile.Read(b);
            AssertBitIdentical(x.Packed, y.Packed);
            Assert.Equal(x.Voxel, y.Voxel);
            Assert.Equal(x.Orientation, y.Orientation);
            Assert.Equal(x.Count, y.Count);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void AStreamThatLeavesCubesOutIsRefused()
    {
        var t = TestPhantoms.Ellipsoid(12, 12, 14, 0.005, seed: 1);
        var e = TestPhantoms.RandomFields(t.Grid, 2, seed: 2);
        var cubes = AveragingCubeSet.Build(t);
        var dir = Directory.CreateTempSubdirectory("sarkit-qs");
        try
        {
            string p = Path.Combine(dir.FullName, "q.h5");
            var ex = Assert.Throws<InvalidOperationException>(() => QMatrixSetFile.WriteStreamed(cubes, 2, e.Normalisation, p, sink => sink(0, 1, new double[4])));
            Assert.Contains("1 of", ex.Message);
            Assert.False(File.Exists(p));
        }
        finally { dir.Delete(true); }
    }
}
