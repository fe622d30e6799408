#!/usr/bin/env python3
"""Markdown report of a tools/surrogate3d/retrain.sh run: split, per-checkpoint validation log, selection against the
shipped 2D models on the validation subjects, and the test-subject evaluation (sarkit surrogate evaluate --data3d
--json) of the new models next to the 2D baselines.

  retrain_report.py --run RUN --candidates "unet-ft cgan-ft" --out docs/surrogate-eval/3d-retrained/report.md
  retrain_report.py --run RUN --candidates "unet-ft cgan-ft" --winners   # candidates that beat the 2D U-Net on validation
"""
import argparse
import json
import os
import sys


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"retrain_report.py: '{path}': {e}", file=sys.stderr)
        sys.exit(2)


def pc(x, d=1):
    return "–" if x is None else f"{100 * x:.{d}f} %"


def ci(v):
    return f"[{100 * v[0]:.1f}, {100 * v[1]:.1f}]" if v else ""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True)
    p.add_argument("--candidates", required=True)
    p.add_argument("--out")
    p.add_argument("--winners", action="store_true")
    a = p.parse_args(argv)
    cands = a.candidates.split()
    split = load(os.path.join(a.run, "split.json"))
    base = load(os.path.join(a.run, "val_baselines.json"))
    ref = next((v for k, v in base["models"].items() if k.endswith("surrogate/unet/model.onnx")), None)
    if ref is None:
        print("retrain_report.py: val_baselines.json has no models/surrogate/unet", file=sys.stderr); sys.exit(2)
    cfgs = {c: load(os.path.join(a.run, c, "config.json")) for c in cands}

    def best(c):
        return next(v for v in cfgs[c]["validation"] if v["step"] == cfgs[c]["selected_step"])
    winners = [c for c in cands if best(c)["matched_mean_over"] < ref["matched_mean_over"]]
    if a.winners:
        print("\n".join(winners))
        return

    L = []
    L.append("# 3D retraining report (tools/surrogate3d/retrain.sh)\n")
    L.append(f"Data: {split['source']['subjects']} subjects of `{split['source']['manifest']}`; split by subject "
             f"(`{split['source']['split']}`: listed subjects fixed, new ones by the seeded rule; family B always test).\n")
    for k in ("train", "validation", "test"):
        L.append(f"- **{k}** (n = {len(split[k])}): {', '.join(split[k])}")
    L.append("")
    L.append("## Selection on the validation subjects\n")
    L.append(f"Metric (train3d.py `selection_metrics`): factor f at which pooled P(under) = 13 % on the validation cases "
             f"(first {base['val_shims']} stored shims × all exact slices of {', '.join(base['validation_subjects'])}: "
             f"{ref['cases']} cases), and the mean overestimation there (lower is better). A candidate replaces the shipped "
             "2D U-Net only if its selected checkpoint has the lower value. Test subjects are not read by training or selection.\n")
    L.append("| model | init | steps (selected / done) | train wall | CPU (user+sys) | f at 13 % → mean over (selected) | step 0 | raw P(under) / mean over (selected) |")
    L.append("|---|---|---|---|---|---|---|---|")
    for k, v in base["models"].items():
        what = (f"3D-trained on {len(v['train_subjects'])} subjects, {v['parameters'] / 1e6:.2f} M, as in the repo when the run started"
                if v.get("train_subjects") else f"2D-trained, {v['parameters'] / 1e6:.2f} M, as shipped")
        L.append(f"| {k} ({what}) | – | – | – | – | {v['matched_factor']:.3f} → {pc(v['matched_mean_over'])} | – | {pc(v['raw_p_under'])} / {pc(v['raw_mean_over'])} |")
    for c in cands:
        cfg, b = cfgs[c], best(c)
        v0 = cfg["validation"][0]
        cpu = "–"
        tpath = os.path.join(a.run, c, "time.txt")
        if os.path.exists(tpath):
            parts = open(tpath).read().split()
            try:
                w = parts.index("wall"); cpu = f"{float(parts[w + 1]) + float(parts[w + 3]):.0f} s"
            except (ValueError, IndexError):
                pass
        init = os.path.relpath(cfg["init_from"]) if cfg.get("init_from") else "scratch"
        L.append(f"| {c} (base {cfg['base']}, {cfg['parameters'] / 1e6:.2f} M) | {init} | {cfg['selected_step']} / {cfg['steps_done']} | "
                 f"{cfg['train_seconds'] / 60:.1f} min | {cpu} | **{b['matched_factor']:.3f} → {pc(b['matched_mean_over'])}** | "
                 f"{v0['matched_factor']:.3f} → {pc(v0['matched_mean_over'])} | {pc(b['raw_p_under'])} / {pc(b['raw_mean_over'])} |")
    L.append("")
    L.append(f"Beat the shipped 2D U-Net on validation ({ref['matched_factor']:.3f} → {pc(ref['matched_mean_over'])}): "
             + (", ".join(winners) if winners else "**none**") + ".\n")
    for c in cands:
        L.append(f"<details><summary>{c}: every validation evaluation</summary>\n")
        L.append("| step | s | f at 13 % | mean over | raw P(under) | raw mean over |")
        L.append("|---|---|---|---|---|---|")
        for v in cfgs[c]["validation"]:
            L.append(f"| {v['step']}{' (best so far)' if v.get('best') else ''} | {v['seconds']} | {v['matched_factor']} | {pc(v['matched_mean_over'])} | {pc(v['raw_p_under'])} | {pc(v['raw_mean_over'])} |")
        L.append("\n</details>\n")

    ev_path = os.path.join(a.run, "test_eval.json")
    if os.path.exists(ev_path):
        ev = load(ev_path)
        ev = ev.get("result", ev)
        ms = ev["models"]
        L.append("## Test subjects (held out; `sarkit surrogate evaluate --data3d`)\n")
        L.append(f"{ev['label']}: **n = {len(ev['subjects'])} test subjects** ({', '.join(s + ' (' + f + ')' for s, f in zip(ev['subjects'], ev['families']))}), "
                 f"{ev['cases']} cases ({ev['shims']} shims, seed {ev['seed']}); calibration scheme {ev['calibration_scheme']}; {ev['elapsed_s']:.0f} s.\n")
        L.append("| metric | " + " | ".join(m["name"] for m in ms) + " |")
        L.append("|---|" + "---|" * len(ms))

        def row(name, f):
            L.append(f"| {name} | " + " | ".join(f(m) for m in ms) + " |")
        row("raw P(under) / mean overestimation", lambda m: f"{pc(m['raw']['p_underestimation'])} / {pc(m['raw']['mean_overestimation'])}")
        fams = sorted({k for m in ms for k in m["raw_by_family"]})
        row("raw P(under) by family " + " / ".join(fams), lambda m: " / ".join(pc(m["raw_by_family"][f]["p_underestimation"]) for f in fams if f in m["raw_by_family"]))
        row("raw worst true/predicted (random shims)", lambda m: f"{m['raw']['worst_true_over_predicted']:.3f}")
        row("subjects with any underestimated case (raw)", lambda m: f"{sum(1 for s in m['raw']['per_subject'] if s['under'] > 0)} of {m['raw']['subjects']}")
        row("factor at P(under) 13 % → mean overestimation (paper raw 13 % / 15 %)", lambda m: f"{m['matched_factor']:.3f} → {pc(m['matched_mean_overestimation'])}")
        for c in ms[0]["calibrations"]:
            rule = c["rule"]

            def cal(m, rule=rule):
                return next(x for x in m["calibrations"] if x["rule"] == rule)
            row(f"{rule} ({cal(ms[0])['scheme']}, n_cal {cal(ms[0])['calibration_subjects']}): factor all subjects",
                lambda m: f"{cal(m)['factor_all_subjects']:.3f}")
            row("  held-out P(under) [subject bootstrap 95 %]", lambda m: f"{pc(cal(m)['held_out']['p_underestimation'])} {ci(cal(m)['p_underestimation_ci95'])}")
            row("  held-out mean overestimation [95 %]", lambda m: f"{pc(cal(m)['held_out']['mean_overestimation'])} {ci(cal(m)['mean_overestimation_ci95'])}")
            row("  subjects any under / CP 95 % upper", lambda m: f"{sum(1 for s in cal(m)['held_out']['per_subject'] if s['under'] > 0)} of {cal(m)['held_out']['subjects']} / {pc(cal(m)['any_under_upper95'], 0)}")
        for t in ms[0]["family_transfers"]:
            key = (t["calibration_family"], t["rule"])

            def tr(m, key=key):
                x = next((y for y in m["family_transfers"] if (y["calibration_family"], y["rule"]) == key), None)
                return "–" if x is None else f"f {x['factor']:.3f}: {pc(x['test']['p_underestimation'])} / {pc(x['test']['mean_overestimation'])}"
            row(f"family transfer {key[0]} → others, {key[1]}: P(under) / mean over", tr)
        if ms[0].get("worst_over_shims"):
            subs = [w["subject"] for w in ms[0]["worst_over_shims"]]
            row("worst over shims, raw: " + " / ".join(subs), lambda m: " / ".join(f"{w['worst_true_over_predicted']:.2f}" for w in m["worst_over_shims"]))
            row("  same / held-out case_quantile factor", lambda m: " / ".join(f"{w['held_out_calibrated_worst']:.2f}" for w in m["worst_over_shims"]))
        L.append("")
        L.append(f"Caveat (from the evaluation): {ev['caveat']}\n")
        if ev.get("plots"):
            L.append("Plots: " + ", ".join(f"[{os.path.basename(x)}]({os.path.basename(x)})" for x in ev["plots"]) + "\n")
    else:
        L.append("## Test subjects\n\nNot evaluated yet (test_eval.json missing).\n")
    text = "\n".join(L) + "\n"
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(a.out + ".tmp", a.out)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
