"""numpy-only checks of the surrogate helpers: /usr/bin/python3 -m unittest discover -s surrogate/tests -t surrogate
(the package imports from surrogate/, the top-level folder of the discovery; or install it: surrogate/README.md)"""
import unittest

import numpy as np

from sarkit_surrogate import data, metrics


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


class ShimCombinationTest(unittest.TestCase):
    def test_combine_is_the_complex_weighted_sum(self):
        rng = np.random.default_rng(2)
        ch = rng.normal(size=(8, 2, 5, 6))
        ph = data.random_phases(rng, 8)
        self.assertEqual(ph[0], 0.0)
        expect = (np.exp(1j * ph)[:, None, None] * (ch[:, 0] + 1j * ch[:, 1])).sum(0)
        got = data.combine(ch, ph)
        np.testing.assert_allclose(got[0] + 1j * got[1], expect, rtol=1e-12, atol=1e-12)

    def test_crop_window_grows_to_multiple_inside_grid(self):
        self.assertEqual(data._grow(21, 73, 96, 16), (15, 79))
        self.assertEqual(data._grow(0, 96, 96, 16), (0, 96))
        a, b = data._grow(90, 95, 96, 8)
        self.assertEqual((b - a) % 8, 0)
        self.assertTrue(0 <= a <= 90 and 95 <= b <= 96)


class BootstrapTest(unittest.TestCase):
    def test_interval_contains_point_estimate(self):
        from sarkit_surrogate import evaluation
        rng = np.random.default_rng(4)
        subj = np.repeat(np.arange(30), 10)
        t = np.ones(300)
        p = 1.1 + 0.05 * rng.normal(size=300)
        ci = evaluation.subject_bootstrap(subj, t, p, rounds=500)
        lo, hi = ci["mean_overestimation_ci95"]
        self.assertTrue(lo < p.mean() - 1 < hi)


if __name__ == "__main__":
    unittest.main()
