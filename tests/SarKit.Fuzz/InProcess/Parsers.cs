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
        "seq", "seq-signed", "seq-shim", "waveform-csv", "waveform-npz", "waveform-h5", "nema-calorimetry", "nema-pulse-energy",
        "probe-tem", "probe-liquid", "probe-scan", "records",
    ];

    /// <summary>Groups whose reader is native HDF5 (run in a separate worker process so that a native crash is contained and reported).</summary>
    public static bool UsesHdf5(string g) => g is "hdf5" or "dataset-h5" or "dataset-mat73" or "qmatrix" or "vop1" or "vop2" or "vop3" or "waveform-h5";

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
            case "nema-calorimetry": _ = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Read(path)); break;
            case "nema-pulse-energy": _ = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Read(path)); break;
            case "probe-tem": _ = TemCalibrationFile.Read(path); break;
            case "probe-liquid": _ = LiquidProperties.Read(path); break;
            case "probe-scan": _ = ScanFile.Read(path); break;
            case "records": { var st = MeasurementRecordStore.Open(path); _ = st.List(); Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); break; }
            default: throw new ArgumentException("unknown group " + group);
        }
    }

    private static void Member(Func<object> read)
    {
        try { _ = read(); }
        catch (SarKitInputException) { }
    }
}
