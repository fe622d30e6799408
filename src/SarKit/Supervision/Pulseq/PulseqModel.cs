using System.Numerics;

namespace SarKit.Supervision.Pulseq;

/// <summary>Pulseq format version (spec: pulseq doc/specification.tex, [VERSION] section).</summary>
public readonly record struct PulseqVersion(int Major, int Minor, int Revision)
{
    /// <summary>Single comparable number 1 000 000·major + 1000·minor + revision (as in the C++ reader).</summary>
    public int Combined => 1_000_000 * Major + 1000 * Minor + Revision;
    public override string ToString() => $"{Major}.{Minor}.{Revision}";
}

/// <summary>Required raster times of a Pulseq ≥ 1.4 file ([DEFINITIONS]), in seconds.</summary>
public sealed record PulseqDefinitions(
    double GradientRasterTime,
    double RadiofrequencyRasterTime,
    double AdcRasterTime,
    double BlockDurationRaster,
    IReadOnlyDictionary<string, string> All);

/// <summary>One [BLOCKS] row: id, duration (integer × BlockDurationRaster) and event ids (0 = none).</summary>
public sealed record PulseqBlock(int Id, long DurationRasterUnits, double DurationSeconds,
    int RfId, int GxId, int GyId, int GzId, int AdcId, int ExtensionId);

/// <summary>
/// One [RF] event. Amplitude in Hz (γ·B1), delay and centre in s, frequency offset Hz, phase offset rad.
/// 1.5 ppm terms are kept separately (they need γ·B0 to be applied); for 1.4 they are zero and Use is 'u'.
/// </summary>
public sealed record PulseqRfEvent(int Id, double AmplitudeHz, int MagnitudeShapeId, int PhaseShapeId,
    int TimeShapeId, double? CenterSeconds, double DelaySeconds, double FrequencyPpm, double PhasePpmRadPerMHz,
    double FrequencyOffsetHz, double PhaseOffsetRad, char Use);

/// <summary>RF waveform of one block on its sample times (relative to block start, s), complex samples in Hz.</summary>
public sealed record PulseqRfWaveform(double[] TimesSeconds, Complex[] SamplesHz);

/// <summary>
/// One 1.5.0 <c>DELAYS</c> (soft delay) extension row: the interpreter may rewrite the duration of an empty block at run
/// time to input/factor + offset (pulseq doc/specification.tex, mr.makeSoftDelay). The file's block duration is the
/// nominal value; a shorter operator input shortens the repetition and raises SAR.
/// </summary>
public sealed record PulseqSoftDelay(int Id, int NumericId, double OffsetSeconds, double Factor, string Hint);
