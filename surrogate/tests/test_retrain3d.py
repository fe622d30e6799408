"""Checks of the 3D retraining helpers (train3d.py selection metric, onnx_weights.py, tools/surrogate3d/split.py):
/usr/bin/python3 -m unittest discover -s surrogate/tests -t surrogate"""
import importlib.util
import os
import unittest

import numpy as np

from sarkit_surrogate import train3d

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

try:
    import torch
except ImportError:
    torch = None


def load_split_module():
    spec = importlib.util.spec_from_file_location("split3d", os.path.join(ROOT, "tools", "surrogate3d", "split.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class SelectionMetricTest(unittest.TestCase):
    def test_known_answer(self):
        # t/p = 0.5, 1.0, 1.5, 2.0 -> q0.87 (type 7) = 1.5 + 0.61 * 0.5 = 1.805; mean(f p / t) - 1
        t = np.array([1.0, 1.0, 1.0, 1.0]); p = np.array([2.0, 1.0, 1 / 1.5, 0.5])
        m = train3d.selection_metrics(t, p)
        self.assertAlmostEqual(m["matched_factor"], 1.805, places=5)
        self.assertAlmostEqual(m["matched_mean_over"], round(float(np.mean(1.805 * p / t) - 1), 5), places=5)
        self.assertEqual(m["raw_p_under"], 0.5)

    def test_non_positive_prediction_never_selected(self):
        m = train3d.selection_metrics([1.0, 1.0], [1.0, 0.0])
        self.assertEqual(m["matched_mean_over"], float("inf"))


@unittest.skipIf(torch is None, "torch not importable")
class OnnxWeightsTest(unittest.TestCase):
    def test_shipped_models_reproduced(self):
        """The shipped 2D models rebuilt from their ONNX weights give the outputs ONNX Runtime gave (C# test data)."""
        import json
        from sarkit_surrogate import models, onnx_weights
        z = np.load(os.path.join(ROOT, "tests", "SarKit.Tests", "data", "surrogate", "shipped_models_io.npz"))
        for name, inp, cin, cout, pos in [("unet", "direct_input", 5, 1, True), ("perchannel", "perchannel_input", 19, 16, False)]:
            folder = os.path.join(ROOT, "models", "surrogate", name)
            with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            g = models.UNet(cin, cout, cfg["base"], cfg["levels"], positive=pos)
            onnx_weights.load_into(g, os.path.join(folder, "model.onnx"))
            g.eval()
            with torch.no_grad():
                y = g(torch.from_numpy(z[inp])).numpy()
            ref = z[name + "_output"]
            self.assertLess(float(np.abs(y - ref).max()), 1e-4 * float(np.abs(ref).max()), name)

    def test_wrong_architecture_refused(self):
        from sarkit_surrogate import models, onnx_weights
        g = models.UNet(5, 1, 8, 4)
        with self.assertRaises(ValueError):
            onnx_weights.load_into(g, os.path.join(ROOT, "models", "surrogate", "unet", "model.onnx"))


class SplitRuleTest(unittest.TestCase):
    SPEC = {"rule": {"held_out_families": ["B"], "seed": 15, "test_fraction": 0.2, "validation_fraction": 0.15},
            "fixed": {"test": ["A00007"], "validation": ["A00011"], "train": ["A00001"]}}

    def test_fixed_family_and_stability(self):
        s = load_split_module()
        few = [("A00001", "A"), ("A00007", "A"), ("A00011", "A"), ("B00001", "B")]
        many = few + [(f"A{i:05d}", "A") for i in range(13, 213)] + [("B00009", "B")]
        a, b = s.assign(few, self.SPEC, "spec"), s.assign(many, self.SPEC, "spec")
        self.assertEqual(a, {"train": ["A00001"], "validation": ["A00011"], "test": ["A00007", "B00001"]})
        where = {x: k for k, v in b.items() for x in v}
        for k, v in a.items():   # adding subjects moves no existing one
            self.assertTrue(all(where[x] == k for x in v))
        self.assertIn("B00009", b["test"])
        n = 200   # the rule's fractions, roughly (binomial: +-4 sd)
        new_test = sum(1 for x in b["test"] if x.startswith("A") and x not in ("A00007",))
        new_val = sum(1 for x in b["validation"] if x != "A00011")
        self.assertLess(abs(new_test - 0.2 * n), 4 * np.sqrt(n * 0.2 * 0.8))
        self.assertLess(abs(new_val - 0.15 * n), 4 * np.sqrt(n * 0.15 * 0.85))

    def test_held_out_family_cannot_train(self):
        s = load_split_module()
        spec = {"rule": self.SPEC["rule"], "fixed": {"train": ["B00001"]}}
        with self.assertRaises(SystemExit):
            s.assign([("B00001", "B")], spec, "spec")


if __name__ == "__main__":
    unittest.main()
