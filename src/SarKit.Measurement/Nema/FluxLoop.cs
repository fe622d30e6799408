namespace SarKit.Measurement.Nema;

/// <summary>Flux-loop current sensor of NEMA MS 8-2016 Appendix A.</summary>
public static class FluxLoop
{
    /// <summary>
    /// Equations [A2]/[A3]: peak open-circuit EMF of a small circular loop in a uniform sinusoidal field perpendicular
    /// to its plane, V = π r² · B · 2π f (V). (Appendix A: 25.4 mm loop, 25 µT, 64 MHz → about 5.1 V.)
    /// Into a 50 Ω terminated oscilloscope with a 50 Ω source resistor the voltage is half of this (Appendix A note b).
    /// </summary>
    /// <param name="diameterM">Loop diameter (m).</param>
    /// <param name="peakFieldT">Peak flux density B (T).</param>
    /// <param name="frequencyHz">RF frequency f (Hz).</param>
    public static double PeakEmf(double diameterM, double peakFieldT, double frequencyHz)
    {
        Guard.Positive(diameterM, "loop diameter", "m");
        Guard.NonNegative(peakFieldT, "B", "T");
        Guard.Positive(frequencyHz, "f", "Hz");
        double r = diameterM / 2;
        return Math.PI * r * r * peakFieldT * 2 * Math.PI * frequencyHz;
    }
}
