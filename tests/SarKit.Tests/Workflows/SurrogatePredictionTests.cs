using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using SarKit.Tests.Surrogate;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>The surrogate use cases called directly (no CLI): prediction, dataset generation, evaluation requests.</summary>
public class SurrogatePredictionTests(Surrogate96Fixture data) : IClassFixture<Surrogate96Fixture>
{
    private static string PerChannelModel => Surrogate96Fixture.Model("perchannel");
    private static string DirectModel => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", "tiny_unet.onnx");

    /// <summary>One thread and a clock that never moves: every elapsed time of a result is exactly 0.</summary>
    private static SarKitSettings FrozenSettings() => new() { MaxDegreeOfParallelism = 1, Time = new FakeTimeProvider() };

    [OnnxRuntimeFact]
    public void Per_channel_prediction_gives_the_shard_shim_maps_and_a_certified_VOP_set_bounding_SF_times_the_10g_peak()
    {
        using var tmp = new TempDir();
        var shard = data.Shard(0);
        var r = SurrogatePrediction.Run(new SurrogatePredictionRequest
        {
            B1File = shard, ModelFile = PerChannelModel, Shim = 1, OutputFile = tmp.File("p.npz"), VopsFile = tmp.File("v.h5"), RandomDrives = 500,
        }, FrozenSettings(), "test-version");
        Assert.Null(r.Direct);
        Assert.Null(r.VopCertificateFailure);
        var res = Assert.IsType<SurrogatePerChannelPredictResult>(r.PerChannel);
        Assert.Equal("test-version", res.SarkitVersion);
        Assert.Equal(0, res.ElapsedS);
        Assert.Equal(0, res.InferenceMs);
        Assert.Equal(8, res.Channels);
        Assert.Equal(0.005, res.CellSizeM);
        var slice = Surrogate96Fixture.Read(shard);
        for (int k = 0; k < 8; k++) Assert.Equal(slice.Phases[8 + k], res.Phases![k], 1e-7);

        // the 10 g peak is the peak of the 2D 10 g average of |Σ w_n e_n|² of the written fields
        using var o = NpzArchive.Open(tmp.File("p.npz"));
        var e = (float[])o.Read("e_channels").Data;
        int n = 96 * 96;
        var w = res.Phases!.Select(ph => Complex.FromPolarCoordinates(1, ph)).ToArray();
        var point = new double[n];
        for (int c = 0; c < n; c++)
        {
            Complex v = 0; for (int k = 0; k < 8; k++) v += w[k] * new Complex(e[2 * k * n + c], e[(2 * k + 1) * n + c]);
            point[c] = v.Real * v.Real + v.Imaginary * v.Imaginary;
        }
        var avg = new SquareMassAverage2D(96, 96, 0.005, slice.Rho.Select(v => (double)v).ToArray());
        var tenG = new double[n]; avg.Average(point, tenG);
        Assert.Equal(tenG.Max(), res.PeakSar10gWPerKg!.Value, 1e-4 * tenG.Max());
        Assert.Equal(res.PeakSar10gWPerKg.Value * res.SafetyFactor, res.ConservativePeakSar10gWPerKg!.Value, 1e-9 * res.ConservativePeakSar10gWPerKg.Value);

        var vops = Assert.IsType<SurrogateVopsResult>(res.Vops);
        Assert.True(vops.Certified);
        Assert.Equal("per_ampere", vops.Normalisation);
        var set = VopSetFiles.Read(tmp.File("v.h5"));
        Assert.True(set.HasValidCertificate(out var why), why);
        Assert.Equal(Path.GetFullPath(PerChannelModel), set.Attributes["surrogate_model"]);
        Assert.Equal(vops.Count, set.Count);
        Assert.True(set.PeakSar(w).Sar >= res.ConservativePeakSar10gWPerKg.Value * (1 - 1e-6));
    }

    [OnnxRuntimeFact]
    public void Per_channel_requests_that_do_not_fit_the_model_or_input_are_refused_before_anything_is_written()
    {
        using var tmp = new TempDir();
        var shard = data.Shard(1);
        var wrongCount = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(new SurrogatePredictionRequest
            { B1File = shard, ModelFile = PerChannelModel, Phases = [0, 1, 2], OutputFile = tmp.File("o.npz") }, FrozenSettings()));
        Assert.Contains("8 channels", wrongCount.Message);
        var both = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(new SurrogatePredictionRequest
            { B1File = shard, ModelFile = PerChannelModel, Phases = new double[8], Shim = 0 }, FrozenSettings()));
        Assert.Contains("give one of them", both.Message);
        var shim = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(new SurrogatePredictionRequest
            { B1File = shard, ModelFile = PerChannelModel, Shim = 7 }, FrozenSettings()));
        Assert.Contains("--shim 7", shim.Message);
        var folder = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(new SurrogatePredictionRequest
            { B1File = shard, ModelFile = PerChannelModel, VopsFile = tmp.File(Path.Combine("missing", "v.h5")) }, FrozenSettings()));
        Assert.Contains("does not exist", folder.Message);
        Assert.False(File.Exists(tmp.File("o.npz")));
    }

    [OnnxRuntimeFact]
    public void Direct_model_prediction_matches_the_peak_of_its_written_map_and_refuses_per_channel_options()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("ds");
        SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest
        {
            Options = new SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 2, Seed = 4, GridCells = 50, CellSize = 0.01, PmlCells = 8 }, OutputDirectory = dir,
        }, FrozenSettings());
        var shard = Path.Combine(dir, "subject_00000.npz");
        var r = SurrogatePrediction.Run(new SurrogatePredictionRequest { B1File = shard, ModelFile = DirectModel, Shim = 1, OutputFile = tmp.File("sar.npz") }, FrozenSettings(), "v");
        Assert.Null(r.PerChannel);
        var d = Assert.IsType<SurrogatePredictResult>(r.Direct);
        Assert.Equal(1.25, d.SafetyFactor);
        Assert.Equal(d.PeakSarWPerKg * 1.25, d.ConservativePeakSarWPerKg, 9);
        Assert.True(d.ReferencePeakSarWPerKg > 0);
        using (var o = NpzArchive.Open(tmp.File("sar.npz")))
            Assert.Equal(d.PeakSarWPerKg, ((float[])o.Read("sar").Data).Max(), 1e-5 * d.PeakSarWPerKg);
        foreach (var (req, name) in new[]
        {
            (new SurrogatePredictionRequest { B1File = shard, ModelFile = DirectModel, Phases = [0, 1] }, "--phases"),
            (new SurrogatePredictionRequest { B1File = shard, ModelFile = DirectModel, VopsFile = tmp.File("v.h5") }, "--vops-out"),
            (new SurrogatePredictionRequest { B1File = shard, ModelFile = DirectModel, CellSizeM = 0.005 }, "--cell-size"),
        })
        {
            var ex = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(req, FrozenSettings()));
            Assert.StartsWith(name + ": only for the per-channel model", ex.Message);
        }
    }

    [Fact]
    public void Phases_text_must_hold_finite_numbers()
    {
        Assert.Equal(new[] { 0.5, -1, 3.25 }, SurrogatePrediction.ParsePhases("0.5, -1,3.25"));
        var ex = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.ParsePhases("0,NaN,1"));
        Assert.Contains("'NaN' is not a finite number", ex.Message);
        Assert.Throws<SarKitInputException>(() => SurrogatePrediction.ParsePhases("0,,1"));
    }

    [Fact]
    public void Missing_b1_file_is_an_input_error_naming_it()
    {
        var ex = Assert.Throws<SarKitInputException>(() => SurrogatePrediction.Run(new SurrogatePredictionRequest
            { B1File = "/nonexistent/b1.npz", ModelFile = DirectModel }, FrozenSettings()));
        Assert.Contains("--b1 '/nonexistent/b1.npz' does not exist", ex.Message);
    }

    [Fact]
    public void Dataset_generation_caps_threads_at_the_settings_and_gives_the_same_dataset()
    {
        using var tmp = new TempDir();
        var options = new SurrogateDatasetOptions { Subjects = 2, ShimsPerSubject = 2, Seed = 3, GridCells = 50, CellSize = 0.01, PmlCells = 8, Threads = 8 };
        var a = SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest { Options = options, OutputDirectory = tmp.File("a") }, FrozenSettings(), "v1");
        var b = SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest { Options = options with { Threads = 1 }, OutputDirectory = tmp.File("b") },
            new SarKitSettings { MaxDegreeOfParallelism = 2, Time = new FakeTimeProvider() }, "v1");
        Assert.Equal(0, a.ElapsedS);
        Assert.Equal("v1", a.SarkitVersion);
        Assert.Equal(2, a.Subjects);
        Assert.Equal(50, a.GridCells);
        Assert.Equal(Path.Combine(Path.GetFullPath(tmp.File("a")), "manifest.json"), a.Manifest);
        Assert.Equal(a.Splits, b.Splits);
        foreach (var f in new[] { "subject_00000.npz", "subject_00001.npz" })
        {
            using var za = NpzArchive.Open(Path.Combine(a.OutputDir, f));
            using var zb = NpzArchive.Open(Path.Combine(b.OutputDir, f));
            Assert.Equal((float[])za.Read("sar").Data, (float[])zb.Read("sar").Data);
        }
    }

    [Fact]
    public void Dataset_generation_refuses_a_missing_parent_folder_and_a_file()
    {
        using var tmp = new TempDir();
        var options = new SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 1, GridCells = 50, CellSize = 0.01, PmlCells = 8 };
        var parent = Assert.Throws<SarKitInputException>(() => SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest
            { Options = options, OutputDirectory = tmp.File(Path.Combine("no", "ds")) }, FrozenSettings()));
        Assert.Contains("the parent folder", parent.Message);
        File.WriteAllText(tmp.File("f"), "x");
        var file = Assert.Throws<SarKitInputException>(() => SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest
            { Options = options, OutputDirectory = tmp.File("f") }, FrozenSettings()));
        Assert.Contains("is a file", file.Message);
        Assert.Throws<SarKitInputException>(() => SurrogateDatasetGeneration.Run(new SurrogateDatasetRequest
            { Options = options with { Subjects = 0 }, OutputDirectory = tmp.File("ds") }, FrozenSettings()));
        Assert.False(Directory.Exists(tmp.File("ds")));
    }

    [Fact]
    public void Evaluation_refuses_out_of_range_options_before_reading_the_dataset()
    {
        SurrogateEvaluationRequest Req(SurrogateEvaluationOptions o) => new() { DataDirectory = "/nonexistent", ModelFile = "/nonexistent/model.onnx", Options = o };
        Assert.Contains("--vop-subjects 0", Assert.Throws<SarKitInputException>(() => SurrogateEvaluation.Run(Req(new() { VopSubjects = 0 }), FrozenSettings())).Message);
        Assert.Contains("--quantile 0", Assert.Throws<SarKitInputException>(() => SurrogateEvaluation.Run(Req(new() { Quantile = 0 }), FrozenSettings())).Message);
        Assert.Contains("--vop-margin 1", Assert.Throws<SarKitInputException>(() => SurrogateEvaluation.Run(Req(new() { VopMargin = 1 }), FrozenSettings())).Message);
        Assert.Contains("manifest.json", Assert.Throws<SarKitInputException>(() => SurrogateEvaluation.Run(Req(new()), FrozenSettings())).Message);
    }
}
