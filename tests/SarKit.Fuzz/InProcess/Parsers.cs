using SarKit.IO;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Fuzz.InProcess;

/// <summary>The library readers called directly by the in-process layer, per seed group (read everything the file declares).</summary>
public static class Parsers
{
    public static readonly string[] Groups =
    [
        "npy", "npz", "mat5", "hdf5", "dataset-h5", "dataset-npz", "dataset-mat5", "dataset-mat73", "qmatrix", "vop1", "vop2", "vop3",
        "seq", "seq-signed", "seq-shim", "waveform-csv", "waveform-npz", "waveform-h5", "wavestream-npy", "wavestream-json", "wavestream-h5", "nema-calorimetry", "nema-pulse-energy",
        "probe-tem", "probe-liquid", "probe-scan", "records",
    ];

    /// <summary>Groups whose reader is native HDF5 (run in a separate worker process so that a native crash is contained and reported).</summary>
    public static bool UsesHdf5(string g) => g is "hdf5" or "dataset-h5" or "dataset-mat73" or "qmatrix" or "vop1" or "vop2" or "vop3" or "waveform-h5" or "wavestream-h5";

    public static void Parse(string group, string path)
    {
        switch (group)
        {
            case "npy": _ = NpyFile.Read(path); break;
            // archives: every member is read; a member refused on its own (an unsupported dtype by design) does not stop the others
            case "npz": { using var z = NpzArchive.Open(path); foreach (var n in z.Names) Member(() => z.Read(n)); break; }
            case "mat5": { var m = MatFile.Open(path); foreach (var n in m.Names) Member(() => m.Read(n)); break; }
            case "hdf5": { using var c = Hdf5ArrayCollection.Open(path); foreach (var n in c.Names) Member(() => c.Get(n).Read()); break; }
            case "dataset-h5" or "dataset-npz" or "dataset-mat5" or "dataset-mat73": _ = DatasetFiles.Open(path); break;
            case "qmatrix":
                {
                    using var s = QMatrixSources.Open(path);
                    var buf = new double[Math.Min(s.Count, 64) * s.Channels * s.Channels];
                    if (buf.Length > 0) s.Read(0, buf);
                    _ = QMatrixSetFile.Read(path);
                    break;
                }
            case "vop1" or "vop2" or "vop3": { var v = VopSetFiles.Read(path); v.HasValidCertificate(out _); break; }
            case "seq" or "seq-signed" or "seq-shim": _ = PulseqFile.Read(path); break;
            case "waveform-csv" or "waveform-npz" or "waveform-h5": _ = WaveformFile.Read(path); break;
            case "wavestream-npy" or "wavestream-json": ReadStream(WaveformStreamFile.Open(Path.ChangeExtension(path, ".npy"))); break;
            case "wavestream-h5": ReadStream(WaveformHdf5StreamFile.Open(path)); break;
            case "nema-calorimetry": _ = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Read(path)); break;
            case "nema-pulse-energy": _ = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Read(path)); break;
            case "probe-tem": _ = TemCalibrationFile.Read(path); break;
            case "probe-liquid": _ = LiquidProperties.Read(path); break;
            case "probe-scan": _ = ScanFile.Read(path); break;
            case "records": { var st = MeasurementRecordStore.Open(path); _ = st.List(); Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); break; }
            default: throw new ArgumentException("unknown group " + group);
        }
    }

    /// <summary>
    /// A streamed waveform (.npy + JSON sidecar, e.g. complex int16 codes with an lsb; or the compressed HDF5 stream file):
    /// opened, then every sample read through
    /// the planar reader and, for 8-channel files, through the fused correlation with read-ahead; every value accepted must be
    /// finite (a non-finite value or weight accepted silently is reported as an unexpected exception: a fuzz failure).
    /// </summary>
    private static void ReadStream(IWaveformSampleSource f)
    {
        double lsb = f is WaveformStreamFile ws ? ws.Lsb : ((WaveformHdf5StreamFile)f).Lsb;
        if (!(lsb > 0) || !double.IsFinite(lsb) || !(f.RasterSeconds > 0)) throw new InvalidOperationException($"accepted lsb {lsb}, raster {f.RasterSeconds}");
        int n = f.Channels, block = (int)Math.Max(1, Math.Min(f.Samples, Math.Max(1, (1 << 16) / n)));
        var re = new double[n * block]; var im = new double[n * block];
        using (var r = f.OpenReader())
            for (long s = 0; s < f.Samples; s += block)
            {
                int c = (int)Math.Min(block, f.Samples - s);
                r.Read(s, c, re, im);
                for (int k = 0; k < n * c; k++)
                    if (!double.IsFinite(re[k]) || !double.IsFinite(im[k])) throw new InvalidOperationException($"non-finite sample accepted at block {s}");
            }
        using var h = f.OpenReader();
        if (h is IWaveformCorrelationReader { CanCorrelate: true } fr)
        {
            fr.ReadAhead = true;
            var w = new double[n * n];
            for (long s = 0; s < f.Samples; s += block) fr.Correlate(s, (int)Math.Min(block, f.Samples - s), f.RasterSeconds, w);
            if (w.Any(x => !double.IsFinite(x))) throw new InvalidOperationException("non-finite correlation accepted");
        }
    }

    private static void Member(Func<object> read)
    {
        try { _ = read(); }
        catch (SarKitInputException) { }
    }
}
