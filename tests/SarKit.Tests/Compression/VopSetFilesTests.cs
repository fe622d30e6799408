using System.Globalization;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class VopSetFilesTests
{
    private static VopSet Sample(out double[] orig, int n = 4, int k = 3)
    {
        orig = VopVerifierTests.RandomSet(n, 12, 21);
        double wc = VopSet.WorstCaseSar(orig, n);
        var v = VopVerifierTests.PlusMargin(VopVerifierTests.Gather(orig, [2, 5, 7], n * n), n, 0.1 * wc);
        var z = new double[n * n]; for (int i = 0; i < n; i++) z[i] = 0.1 * wc;
        var set = new VopSet(n, v, [2, 5, 7], new VopMargin(VopMarginKind.Diagonal, 0.1, z), DominanceCriterion.ConvexCombination, "test algo",
            12, VopSet.HashMatrices(orig), wc, FieldNormalisation.PerVoltIncident);
        set.Attributes["source_file"] = "q.h5";
        set.Certificate = VopCertificateDigest.Seal(set, new VopCertificate
        {
            Passed = false, Criterion = DominanceCriterion.ConvexCombination, MatricesChecked = 12, MatricesFailed = 3, LargestViolation = 0.25,
            LargestViolationIndex = 4, Tolerance = 1e-9 * wc, RandomDrives = 100, RandomMaxRelativeUnderestimation = 0.01,
            SourceSha256 = set.SourceSha256, VopSha256 = VopSet.HashMatrices(v), Verifier = "unit", CreatedUtc = new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc),
        });
        return set;
    }

    [Theory]
    [InlineData("v.h5")]
    [InlineData("v.mat")]
    [InlineData("v.npz")]
    public void RoundTripIsExactInEveryLayout(string name)
    {
        var set = Sample(out _);
        var dir = Directory.CreateTempSubdirectory("vopfiles");
        try
        {
            var p = Path.Combine(dir.FullName, name);
            VopSetFiles.Write(set, p);
            var back = VopSetFiles.Read(p);
            Assert.Equal(set.Packed, back.Packed); // exact: the certificate's VOP hash stays valid
            Assert.Equal(set.SourceIndex, back.SourceIndex);
            for (int t = 0; t < set.Margin.Packed.Length; t++) Assert.Equal(set.Margin.Packed[t], back.Margin.Packed[t], 1e-14);
            Assert.Equal(set.Margin.Epsilon, back.Margin.Epsilon);
            Assert.Equal(set.Margin.Kind, back.Margin.Kind);
            Assert.Equal(set.Criterion, back.Criterion);
            Assert.Equal(set.Algorithm, back.Algorithm);
            Assert.Equal(set.SourceCount, back.SourceCount);
            Assert.Equal(set.SourceSha256, back.SourceSha256);
            Assert.Equal(set.SarWorstCase, back.SarWorstCase);
            Assert.Equal(set.Normalisation, back.Normalisation);
            Assert.Equal("q.h5", back.Attributes["source_file"]);
            Assert.Equal(set.Certificate, back.Certificate);
            Assert.Equal(0, Directory.GetFiles(dir.FullName).Count(f => f.EndsWith(".tmp")));
        }
        finally { dir.Delete(true); }
    }

    [H5pyFact]
    public void MatFileHasTheMatlabToolLayout()
    {
        var set = Sample(out _);
        var dir = Directory.CreateTempSubdirectory("vopfiles");
        try
        {
            var p = Path.Combine(dir.FullName, "v.mat");
            VopSetFiles.Write(set, p);
            // independent reader: h5py sees MATLAB's N×N×K column-major array as [K, N, N] with element [k, b, a] = V_k(a, b)
            var text = Python.Run("""
import sys, h5py, numpy as np, json
f = h5py.File(sys.argv[1], 'r')
v = f['VOP'][()]; v = v['real'] + 1j * v['imag']
m = np.transpose(v, (2, 1, 0))  # MATLAB VOP(a, b, k)
s = f['Sglobal'][()]; s = (s['real'] + 1j * s['imag']).T
print(f['VOP'].attrs['MATLAB_class'].decode(), m.shape[0], m.shape[2])
print(repr(float(np.real(m[0, 1, 2]))), repr(float(np.imag(m[0, 1, 2]))))
print(repr(float(f['eps_G'][()].ravel()[0])), repr(float(np.real(s[0, 0]))), int(f['VOPID'][()].ravel()[1]))
meta = ''.join(chr(c) for c in f['sarkit_metadata'][()].ravel())
print(json.loads(meta)['source_sha256'])
""", p).Split('\n');
            Assert.Equal("double 4 3", text[0].Trim());
            var v2 = HermitianPacking.Unpack(set.Matrix(2), 4);
            var reim = text[1].Split(' ');
            Assert.Equal(v2[0, 1].Real, double.Parse(reim[0], CultureInfo.InvariantCulture));
            Assert.Equal(v2[0, 1].Imaginary, double.Parse(reim[1], CultureInfo.InvariantCulture));
            var l3 = text[2].Split(' ');
            Assert.Equal(0.1, double.Parse(l3[0], CultureInfo.InvariantCulture));
            Assert.Equal(set.SarWorstCase, double.Parse(l3[1], CultureInfo.InvariantCulture), 1e-12); // Sglobal = Z/eps_G = SAR_wc·I
            Assert.Equal(6, int.Parse(l3[2], CultureInfo.InvariantCulture)); // VOPID is 1-based
            Assert.Equal(set.SourceSha256, text[3].Trim());
        }
        finally { dir.Delete(true); }
    }

    [H5pyScipyFact]
    public void QMatrixInputsFromNumpyAndScipyAgreeWithTheSarKitFile()
    {
        var dir = Directory.CreateTempSubdirectory("qsrc");
        try
        {
            // numpy/scipy write the same random Hermitian matrices as .npz [K,N,N] and .mat (v5) N×N×K
            Python.Run("""
import sys, numpy as np, scipy.io
rng = np.random.default_rng(4)
a = rng.standard_normal((7, 5, 5)) + 1j * rng.standard_normal((7, 5, 5))
q = a @ np.conj(np.transpose(a, (0, 2, 1)))
np.savez(sys.argv[1] + '/q.npz', matrices=q)
scipy.io.savemat(sys.argv[1] + '/q.mat', {'matrices': np.transpose(q, (1, 2, 0))})
""", dir.FullName);
            using var npz = QMatrixSources.Open(Path.Combine(dir.FullName, "q.npz"));
            using var mat = QMatrixSources.Open(Path.Combine(dir.FullName, "q.mat"));
            Assert.Equal(5, npz.Channels); Assert.Equal(7, npz.Count);
            Assert.Equal(5, mat.Channels); Assert.Equal(7, mat.Count);
            var a = npz.ReadAll(); var b = mat.ReadAll();
            Assert.Equal(a, b);
            // a SarKit v7.3 .mat written by us (N×N×K) streams by hyperslab and gives the same matrices
            var set = new VopSet(5, a, new int[7], new VopMargin(VopMarginKind.Diagonal, 0, new double[25]), DominanceCriterion.ConvexCombination, "x", 7, "", 1, FieldNormalisation.Unspecified);
            VopSetFiles.WriteMat(set, Path.Combine(dir.FullName, "v73.mat"));
            using var v73 = QMatrixSources.Open(Path.Combine(dir.FullName, "v73.mat"), "VOP");
            var c = new double[3 * 25];
            v73.Read(2, c);
            Assert.Equal(a.AsSpan(50, 75).ToArray(), c);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void BadInputsNameTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("qsrc");
        try
        {
            var e = Assert.Throws<SarKitInputException>(() => QMatrixSources.Open(Path.Combine(dir.FullName, "missing.h5")));
            Assert.Contains("missing.h5", e.Message);
            var p = Path.Combine(dir.FullName, "bad.npz");
            var notHermitian = new double[2 * 2 * 2 * 2]; notHermitian[2] = 1; // Q[0,1] = 1, Q[1,0] = 0
            NpzArchive.Write(p, [new("matrices", new NdArray(NdType.Complex128, [2, 2, 2], notHermitian))]);
            e = Assert.Throws<SarKitInputException>(() => QMatrixSources.Open(p));
            Assert.Contains("not a Hermitian", e.Message);
            Assert.Contains("matrix 0", e.Message);
            var t = Path.Combine(dir.FullName, "v.txt");
            File.WriteAllText(t, "x");
            Assert.Throws<SarKitInputException>(() => VopSetFiles.Write(Sample(out _), t));
        }
        finally { dir.Delete(true); }
    }

    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaMatrixFileStreamsWithTheSameHashAsReadAll()
    {
        using var src = QMatrixSources.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        var all = src.ReadAll();
        var (sha, wc, sum) = src.Summarise();
        Assert.Equal(VopSet.HashMatrices(all), sha);
        Assert.Equal(VopSet.WorstCaseSar(all, 8), wc);
        Assert.Equal(2.565, wc, 3); // notes: λ_max max 2.565
        Assert.True(sum[0] > 0);
    }
}
