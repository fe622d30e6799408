using System.Globalization;
using System.Text.Json;
using SarKit.Tests.Reference;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>`sarkit sar` on the openEMS reference dataset against the SAR-Star-validated IEC/IEEE 62704-1 reference (../shared/reference).</summary>
public class CliReferenceTests
{
    [SharedDataFact("openems-ptx8/ref62704_cp.h5", "openems-ptx8/ref62704_cp.json", Ptx8Reference.File)]
    public void Sar10gMatchesTheValidatedReferenceForTheCpDrive()
    {
        var drive = Ptx8Reference.ReadDrive("openems-ptx8/ref62704_cp.json");
        var text = string.Join(",", drive.Amplitudes.ToArray().Select(b =>
            string.Create(CultureInfo.InvariantCulture, $"{b.Magnitude:R}@{b.Phase * 180 / Math.PI:R}")));
        var r = CliRunner.Run("sar", "-f", SharedData.Reference(Ptx8Reference.File)!, "-d", text, "--mass", "10g", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        double peak = doc.RootElement.GetProperty("peak_sar_w_per_kg").GetDouble();
        double reference = Ptx8Reference.ReadMap("openems-ptx8/ref62704_cp.h5", "/zanovello_62704").Max();
        Assert.Equal(reference, peak, 1e-5 * reference); // measured 8.6e-9 relative
    }
}
