"""numpy-only checks of the surrogate helpers: /usr/bin/python3 -m unittest discover -s surrogate/tests"""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sarkit_surrogate import data, metrics  # noqa: E402


class MetricsTest(unittest.TestCase):
    def test_known_ratios(self):
        m = metrics.peak_metrics([1, 1, 1, 1], [0.5, 1.0, 1.5, 2.0])
        self.assertAlmostEqual(m["mean_overestimation"], 0.25)
        self.assertAlmostEqual(m["p_underestimation"], 0.25)
        self.assertAlmostEqual(m["sf100"], 2.0)
        lo, hi = m["p_underestimation_ci95"]
        self.assertTrue(lo < 0.25 < hi)

    def test_rejects_bad_input(self):
        with self.assertRaises(ValueError):
            metrics.peak_metrics([1, 0], [1, 1])


class SarFromChannelsTest(unittest.TestCase):
    def test_quadratic_form(self):
        rng = np.random.default_rng(1)
        e = rng.normal(size=(16, 3, 4)).astype(np.float64)
        ph = rng.uniform(0, 2 * np.pi, 8)
        ec = e[0::2] + 1j * e[1::2]
        expect = np.abs((np.exp(1j * ph)[:, None, None] * ec).sum(0)) ** 2
        np.testing.assert_allclose(data.sar_from_channels(e, ph), expect, rtol=1e-12)


if __name__ == "__main__":
    unittest.main()
