using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.Cli;

/// <summary>The CLI fuzz groups of issue 14: every reader, every verdict command.</summary>
public static class CliTargets
{
    public static IReadOnlyList<CliTarget> All(SeedCorpus c)
    {
        string calRect = c.Calibration["rect"], calShim = c.Calibration["shim"], calShimFail = c.Calibration["shim-fail"];
        CliCommand Seq(string name, params string[] a) => new(name, ["seq", "check", "{F}", .. a], VerdictKind.Exit0);
        return
        [
            new("seq", ["seq", "seq-signed"],
            [
                Seq("seq check --vops", "--vops", c["vops1.h5"], "--calibration", calRect),
                Seq("seq check --b1-sar", "--b1-sar", "local=0.2"),
                new("seq info", ["seq", "info", "{F}"]),
            ]),
            new("seq-shim", ["seq-shim"],
            [
                Seq("seq check --vops (2ch)", "--vops", c["vops2.h5"], "--calibration", calShim),
                Seq("seq check --q (2ch)", "--q", c["q.h5"], "--calibration", calShim),
            ]),
            new("waveform", ["waveform-csv", "waveform-npz", "waveform-h5"],
            [
                new("pulse check --vops", ["pulse", "check", "{F}", "--vops", c["vops3.h5"]], VerdictKind.Exit0),
                new("pulse check --vops --mode first", ["pulse", "check", "{F}", "--vops", c["vops3.h5"], "--mode", "first", "--no-delay-search"], VerdictKind.Exit0),
            ]),
            new("dataset", ["dataset-h5", "dataset-npz", "dataset-mat5", "dataset-mat73"],
            [
                new("info", ["info", "{F}", "--json"]),
                new("sar point", ["sar", "--fields", "{F}", "--drive", "cp", "--mass", "point", "--json"]),
                new("sar 10g", ["sar", "--fields", "{F}", "--drive", "1@0,0.5@90", "--pad", "2", "-o", "{OUT}/maps.npz"]),
                new("qmatrices", ["qmatrices", "--fields", "{F}", "--mass", "1g", "-o", "{OUT}/q.h5"]),
            ]),
            new("drive", ["drive"],
            [
                new("sar --drive json", ["sar", "--fields", c["dataset.h5"], "--drive", "{F}", "--mass", "point"]),
            ]),
            new("qmatrix", ["qmatrix"],
            [
                new("vop verify --q", ["vop", "verify", "{COPY:vops2.h5}", "--q", "{F}", "--drives", "2000"], VerdictKind.Exit0),
                Seq2(c, "seq check --q", ["--q", "{F}", "--calibration", calShim]),
                new("mvie", ["mvie", "--q", "{F}", "-o", "{OUT}/a.h5", "--samples", "20"]),
                new("vop compress", ["vop", "compress", "--q", "{F}", "--margin", "0.1", "-o", "{OUT}/v.h5", "--drives", "2000"]) { Exit1IsVerdict = true },
                new("vop summarise", ["vop", "summarise", "--q", "{F}"]),
            ]),
            new("vop", ["vop1", "vop2", "vop3"],
            [
                new("seq/pulse check --vops", ["{VOPCHECK}"], VerdictKind.Exit0),
                new("vop report", ["vop", "report", "{F}"]),
            ]),
            new("vop-verify", ["vop2"],
            [
                new("vop verify", ["vop", "verify", "{F}", "--q", c["q.h5"], "--drives", "2000"], VerdictKind.Exit0) { ReprovesFromOriginals = true },
            ]),
            new("vop-tamper", ["vop2"],
            [
                Seq2(c, "seq check --vops (near limit)", ["--vops", "{F}", "--calibration", calShimFail]),
                Seq2(c, "seq check --vops --q (near limit)", ["--vops", "{F}", "--q", c["q.h5"], "--calibration", calShimFail]),
            ]),
            new("nema", ["nema-calorimetry", "nema-pulse-energy"],
            [
                new("nema", ["{NEMA}", "{F}"], VerdictKind.PassText),
                new("nema --format json", ["{NEMA}", "{F}", "--report", "{OUT}/r.json", "--format", "json"], VerdictKind.PassText),
            ]),
            new("probe", ["probe-tem", "probe-liquid", "probe-heat", "probe-scan", "probe-calibration", "probe-cf"],
            [
                new("probe", ["{PROBE}"], VerdictKind.PassText),
            ]),
            new("records", ["records"],
            [
                new("records list", ["records", "list", "--db", "{F}"]),
                new("records verify", ["records", "verify", "--db", "{F}"], VerdictKind.Exit0),
                new("nema report", ["nema", "report", "1", "--db", "{F}"]),
                new("records show", ["records", "show", "2", "--db", "{F}", "--json"]),
            ]),
            new("checkpoint", ["checkpoint"],
            [
                new("vop compress --resume", ["vop", "compress", "--q", c["q.h5"], "--margin", "0.05", "-o", "{DIR}/vops_out.h5", "--resume", "--drives", "2000"]) { Exit1IsVerdict = true },
            ]),
        ];
    }

    private static CliCommand Seq2(SeedCorpus c, string name, string[] a) => new(name, ["seq", "check", c["shim.seq"], .. a], VerdictKind.Exit0);

    /// <summary>Numeric command-line options (not files): NaN, ∞, 0, huge and negative values in every numeric option.</summary>
    public static IReadOnlyList<(string Name, string[] Args, VerdictKind Verdict)> Options(SeedCorpus c)
    {
        string[] bad = ["NaN", "Infinity", "-Infinity", "0", "-1", "1e308", "1e-320", "1e6kg", "-0", "99999999999", "abc", ""];
        string ds = c["dataset.h5"], q = c["q.h5"];
        var l = new List<(string, string[], VerdictKind)>();
        foreach (var v in bad)
        {
            l.Add(("mvie --tolerance", ["mvie", "--q", q, "-o", "{OUT}/a.h5", "--samples", "5", "--tolerance", v], VerdictKind.None));
            l.Add(("mvie --power-floor", ["mvie", "--q", q, "-o", "{OUT}/a.h5", "--samples", "5", "--power-floor", v], VerdictKind.None));
            l.Add(("sar --mass", ["sar", "--fields", ds, "--drive", "cp", "--mass", v], VerdictKind.None));
            l.Add(("sar --pad", ["sar", "--fields", ds, "--drive", "cp", "--pad", v], VerdictKind.None));
            l.Add(("sar --drive", ["sar", "--fields", ds, "--drive", $"{v}@0,1@{v}", "--mass", "point"], VerdictKind.None));
            l.Add(("seq check --calibration", ["seq", "check", c["rect.seq"], "--vops", c["vops1.h5"], "--calibration", $"{v} V/uT"], VerdictKind.Exit0));
            l.Add(("seq check --weight", ["seq", "check", c["rect.seq"], "--b1-sar", "local=10", "--weight", v], VerdictKind.Exit0));
            l.Add(("seq check --b1-sar", ["seq", "check", c["rect.seq"], "--b1-sar", $"local={v}"], VerdictKind.Exit0));
            l.Add(("seq check --resolution", ["seq", "check", c["rect.seq"], "--b1-sar", "local=10", "--resolution", v], VerdictKind.Exit0));
            l.Add(("seq check --limit", ["seq", "check", c["rect.seq"], "--b1-sar", "local=10", "--limit", $"local_head:10:{v}"], VerdictKind.Exit0));
            l.Add(("pulse check --tr", ["pulse", "check", c["waveform.npz"], "--vops", c["vops3.h5"], "--tr", v], VerdictKind.Exit0));
            l.Add(("vop compress --margin", ["vop", "compress", "--q", q, "--margin", v, "-o", "{OUT}/v.h5", "--drives", "100"], VerdictKind.None));
            l.Add(("vop verify --tolerance", ["vop", "verify", "{COPY:vops2.h5}", "--q", q, "--drives", "100", "--tolerance", v], VerdictKind.Exit0));
            l.Add(("margin cr --r", ["margin", "cr", "--r", v], VerdictKind.None));
        }
        return l;
    }
}
