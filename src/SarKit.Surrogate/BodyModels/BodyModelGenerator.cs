namespace SarKit.Surrogate.BodyModels;

/// <summary>Options of <see cref="BodyModelGenerator"/>.</summary>
public sealed record BodyModelOptions
{
    /// <summary>Frequency (Hz) at which the tissue properties are evaluated; default 298 MHz (7 T).</summary>
    public double FrequencyHz { get; init; } = 298e6;
    /// <summary>Voxel grid; default <see cref="BodyModelGrid.Default"/>.</summary>
    public BodyModelGrid Grid { get; init; } = BodyModelGrid.Default;
    /// <summary>Per-subject tissue-property variation.</summary>
    public TissueVariation Variation { get; init; } = new();
    /// <summary>
    /// Out-of-distribution shift: every tissue's ε_r is multiplied by this on top of the per-subject factor (1 = none;
    /// e.g. 0.85 or 1.15 for the ±15 % test of issue 15). Recorded in the parameters as <c>ood_scale_eps</c> when ≠ 1.
    /// </summary>
    public double EpsilonScale { get; init; } = 1;
    /// <summary>As <see cref="EpsilonScale"/> for σ (<c>ood_scale_sigma</c>).</summary>
    public double SigmaScale { get; init; } = 1;
    /// <summary>
    /// Out-of-distribution position: (x, y, z) in m added to the drawn position offset of the body in the coil (the
    /// anatomy and its random draws are unchanged, only moved). Recorded as <c>ood_offset_x_m</c>, … when ≠ 0.
    /// </summary>
    public (double X, double Y, double Z) ExtraOffsetM { get; init; }
}

/// <summary>
/// Seeded, deterministic generator of 3D pelvis/abdomen voxel body models for the 8-channel 7 T dipole array
/// (docs/surrogate3d-dataset.md): body outline (size, shape, thighs), skin and subcutaneous fat of variable
/// thickness, muscle, pelvic bones and femora (cortical shell, cancellous core), bladder with variable filling,
/// rectum/sigmoid and bowel with gas, prostate, iliac/femoral vessels; a position offset in the coil; per-tissue
/// ε_r, σ, ρ (Gabriel 1996 / IT'IS) with per-subject variation. Two anatomy families differ in construction
/// (<see cref="AnatomyFamily"/>). All lengths in m.
/// </summary>
public static class BodyModelGenerator
{
    /// <summary>Generates the model of (<paramref name="family"/>, <paramref name="seed"/>); the same inputs always give the same model.</summary>
    public static BodyModel Generate(AnatomyFamily family, long seed, BodyModelOptions? options = null)
    {
        var o = options ?? new BodyModelOptions();
        var g = o.Grid.Validate();
        if (!(o.FrequencyHz >= 1e6 && o.FrequencyHz <= 10e9)) throw new SarKitInputException($"body model: frequency {o.FrequencyHz} Hz; expected 1 MHz … 10 GHz.");
        var prm = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var rng = new BodyModelRandom(seed, family == AnatomyFamily.A ? 0xA1UL : 0xB2UL);
        if (!(o.EpsilonScale > 0 && o.EpsilonScale <= 10) || !(o.SigmaScale > 0 && o.SigmaScale <= 10))
            throw new SarKitInputException($"body model: property scales eps {o.EpsilonScale}, sigma {o.SigmaScale}; expected 0 < scale ≤ 10.");
        var (ox, oy, oz) = o.ExtraOffsetM;
        if (!(Math.Abs(ox) <= 0.1 && Math.Abs(oy) <= 0.1 && Math.Abs(oz) <= 0.1))
            throw new SarKitInputException($"body model: extra offset ({ox}, {oy}, {oz}) m; expected finite values within ±0.1 m.");
        var anatomy = family == AnatomyFamily.A ? FamilyA(rng, prm) : FamilyB(rng, prm);
        if (ox != 0 || oy != 0 || oz != 0)
        {
            anatomy.Offset += new V3(ox, oy, oz);
            prm["ood_offset_x_m"] = ox; prm["ood_offset_y_m"] = oy; prm["ood_offset_z_m"] = oz;
        }
        var labels = Voxelise(anatomy, g);
        var (eps, sig, rho) = Properties(new BodyModelRandom(seed, family == AnatomyFamily.A ? 0xA1A1UL : 0xB2B2UL), o, prm);
        return new BodyModel(family, seed, g, o.FrequencyHz, labels, eps, sig, rho, prm);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Anatomy description shared by both families
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>Outline: depth below the skin surface and the subcutaneous fat thickness at a point (body frame).</summary>
    private interface IOutline
    {
        double Depth(V3 p);
        double FatThickness(V3 p);
    }

    private sealed class Anatomy
    {
        public required V3 Offset;                      // body frame = coil frame − offset
        public required IOutline Outline;
        public required double SkinThickness;
        /// <summary>Internal structures in drawing order (later wins), each with the label and the labels it may overwrite.</summary>
        public readonly List<(ISolid Solid, int Label, int[] Over)> Parts = [];
        /// <summary>Bones: a union drawn last; cortical where the bone depth is below this thickness, cancellous deeper.</summary>
        public readonly List<ISolid> Bones = [];
        public double CorticalThickness = 0.004;
        /// <summary>Internal structures need this depth below the skin (m).</summary>
        public double InnerMargin = 0.006;
    }

    private static readonly int[] SoftTissue = [BodyTissues.Muscle, BodyTissues.Fat];
    private static readonly int[] Bowel = [BodyTissues.BowelWall];

    private static double Smooth(double e0, double e1, double x)
    {
        double t = Math.Clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    /// <summary>Depth of a 2D ellipse (≈ (1 − F)/|∇F|).</summary>
    private static double Ellipse2(double x, double y, double cx, double cy, double a, double b)
    {
        double u = (x - cx) / a, v = (y - cy) / b, f = Math.Sqrt(u * u + v * v);
        if (f < 1e-9) return Math.Min(a, b);
        double gx = u / a, gy = v / b, gn = Math.Sqrt(gx * gx + gy * gy) / f;
        return Math.Min((1 - f) / gn, Math.Min(a, b));
    }

    private static double Rec(SortedDictionary<string, double> p, string name, double v) { p[name] = v; return v; }

    // ------------------------------------------------------------------------------------------------------------
    // Family A: ellipse-union outline, distance-offset fat, ellipsoid bones, symmetric organs
    // ------------------------------------------------------------------------------------------------------------

    private sealed class OutlineA : IOutline
    {
        public double A, B, Waist, WaistDepth, ZHip, ZCrotch, ThighGap, Fat0, FatLateral, FatAnterior, FatZ;

        public double Depth(V3 p)
        {
            double d = double.NegativeInfinity;
            if (p.Z >= ZCrotch)
            {
                double s = Smooth(ZHip + 0.02, ZHip + 0.19, p.Z);
                double a = A * (1 - (1 - Waist) * s), b = B * (1 - (1 - WaistDepth) * s);
                double hip = 1 - 0.35 * s;
                d = Ellipse2(p.X, p.Y, 0, 0, 0.85 * a, b);
                d = Math.Max(d, Ellipse2(p.X, p.Y, 0.45 * a, -0.05 * b, 0.55 * a * hip, 0.85 * b * hip));
                d = Math.Max(d, Ellipse2(p.X, p.Y, -0.45 * a, -0.05 * b, 0.55 * a * hip, 0.85 * b * hip));
                // rounded bottom of the torso at the crotch (perineum), blended into the thighs
                double bottom = (p.Z - ZCrotch) + 0.004;
                d = Math.Min(d, bottom + Math.Max(0, 0.02 - Math.Abs(p.X) * 0.2));
            }
            if (p.Z < ZCrotch + 0.03)
            {
                double taper = 1 - 0.12 * Math.Clamp((ZCrotch - p.Z) / 0.1, 0, 1);
                double at = 0.5 * A * taper, bt = 0.82 * B * taper, xt = 0.5 * A + 0.5 * ThighGap;
                d = Math.Max(d, Math.Max(Ellipse2(p.X, p.Y, xt, -0.04 * B, at, bt), Ellipse2(p.X, p.Y, -xt, -0.04 * B, at, bt)));
            }
            return d;
        }

        public double FatThickness(V3 p)
        {
            double th = Math.Atan2(p.Y / B, p.X / A);
            double t = Fat0 * (1 + FatLateral * Math.Cos(2 * th) + FatAnterior * Math.Sin(th)) * (1 + FatZ * Math.Clamp((p.Z - ZHip) / 0.15, -1, 1));
            return Math.Max(0.003, t);
        }
    }

    private static Anatomy FamilyA(BodyModelRandom r, SortedDictionary<string, double> p)
    {
        double A = Rec(p, "body_half_width_m", r.Uniform(0.155, 0.190));
        double B = Rec(p, "body_half_depth_m", Math.Clamp(r.Uniform(0.100, 0.135), 0.55 * A, 0.80 * A));
        double fat0 = Rec(p, "fat_thickness_mean_m", r.Uniform(0.006, Math.Min(0.030, B - 0.080)));
        var outline = new OutlineA
        {
            A = A, B = B, Fat0 = fat0,
            Waist = Rec(p, "waist_width_ratio", r.Uniform(0.82, 0.96)),
            WaistDepth = Rec(p, "waist_depth_ratio", r.Uniform(0.92, 1.06)),
            ZHip = Rec(p, "femoral_head_z_m", -0.010),
            ThighGap = Rec(p, "thigh_gap_m", r.Uniform(-0.02, 0.01)),
            FatLateral = Rec(p, "fat_lateral_modulation", r.Uniform(-0.25, 0.35)),
            FatAnterior = Rec(p, "fat_anterior_modulation", r.Uniform(-0.10, 0.30)),
            FatZ = Rec(p, "fat_z_modulation", r.Uniform(-0.15, 0.20)),
        };
        outline.ZCrotch = Rec(p, "crotch_z_m", outline.ZHip - r.Uniform(0.070, 0.090));
        var offset = new V3(Rec(p, "offset_x_m", r.Uniform(-0.010, 0.010)), Rec(p, "offset_y_m", r.Uniform(-0.010, 0.010)), Rec(p, "offset_z_m", r.Uniform(-0.015, 0.015)));
        var an = new Anatomy { Offset = offset, Outline = outline, SkinThickness = Rec(p, "skin_thickness_m", r.Uniform(0.0015, 0.0025)) };
        double f = Rec(p, "bone_scale_x", Math.Clamp((A - fat0 - 0.020) / 0.125, 0.85, 1.12) * r.Uniform(0.96, 1.04));
        double gy = Rec(p, "bone_scale_y", Math.Clamp((B - 0.8 * fat0 - 0.012) / 0.080, 0.80, 1.25));
        double zh = outline.ZHip;

        // visceral fat (abdomen), mesorectal fat
        double vf = Rec(p, "visceral_fat_scale", r.Uniform(0.3, 1.0));
        an.Parts.Add((new Ellipsoid(new V3(0, 0.015 * gy, zh + 0.16), new V3(0.55 * A * vf, 0.55 * B * vf, 0.09)), BodyTissues.Fat, SoftTissue));
        double rRect = Rec(p, "rectum_radius_m", r.Uniform(0.013, 0.020));
        var rectum = new Tube([new V3(0, -0.045 * gy, -0.25), new V3(0, -0.045 * gy, zh - 0.05), new V3(0, -0.055 * gy, zh + 0.01),
            new V3(0.005, -0.058 * gy, zh + 0.05), new V3(0.03 * f, -0.035 * gy, zh + 0.09), new V3(0.05 * f, 0.0, zh + 0.12),
            new V3(0.015 * f, 0.02 * gy, zh + 0.15), new V3(-0.03 * f, 0.01 * gy, zh + 0.17), new V3(-0.06 * f, -0.01 * gy, 0.25)], rRect);
        double meso = Rec(p, "mesorectal_fat_m", r.Uniform(0.006, 0.018));
        an.Parts.Add((new Intersection([new Tube(rectum.Points[..4], rRect + meso), new HalfSpace(new V3(0, 0, zh + 0.04), new V3(0, 0, 1))]), BodyTissues.Fat, SoftTissue));
        // bowel loops (abdomen) with gas
        int nLoops = (int)Rec(p, "bowel_loops", r.Integer(3, 6));
        for (int i = 0; i < nLoops; i++)
        {
            var c = new V3(r.Uniform(-0.5, 0.5) * 0.6 * A, r.Uniform(-0.1, 0.6) * 0.6 * B, r.Uniform(zh + 0.11, 0.20));
            var semi = new V3(r.Uniform(0.02, 0.04), r.Uniform(0.018, 0.03), r.Uniform(0.02, 0.04));
            an.Parts.Add((new Ellipsoid(c, semi), BodyTissues.BowelWall, SoftTissue));
            if (r.NextDouble() < 0.4)
                an.Parts.Add((new Ellipsoid(c + new V3(0, 0.4 * semi.Y, 0), 0.5 * semi), BodyTissues.BowelGas, Bowel));
        }
        an.Parts.Add((rectum, BodyTissues.BowelWall, SoftTissue));
        int nGas = (int)Rec(p, "rectal_gas_pockets", r.Integer(0, 3));
        for (int i = 0; i < nGas; i++)
        {
            var c = rectum.At(r.Uniform(0.25, 0.85)) + new V3(0, 0.4 * rRect, 0);
            double rg = Math.Min(r.Uniform(0.006, 0.015), 0.8 * rRect);
            an.Parts.Add((new Ellipsoid(c, new V3(rg, rg, 1.3 * rg)), BodyTissues.BowelGas, Bowel));
        }
        // bladder (filling 50–450 mL) on top of the prostate
        double vp = Rec(p, "prostate_volume_m3", r.Uniform(20e-6, 50e-6));
        double rp = Math.Cbrt(3 * vp / (4 * Math.PI * 1.25 * 0.85));
        var prostate = new Ellipsoid(new V3(0, 0.020 * gy, zh - 0.030), new V3(1.25 * rp, 0.85 * rp, rp));
        double vb = Rec(p, "bladder_volume_m3", r.Uniform(50e-6, 450e-6));
        double fill = (vb - 50e-6) / 400e-6;
        double kz = 0.80 + 0.30 * fill;
        double rb = Math.Cbrt(3 * vb / (4 * Math.PI * 1.25 * 0.95 * kz));
        var bladderC = new V3(0, 0.030 * gy, zh - 0.030 + 0.9 * rp + 0.9 * kz * rb);
        double wall = Rec(p, "bladder_wall_m", r.Uniform(0.003, 0.005));
        an.Parts.Add((new Ellipsoid(bladderC, new V3(1.25 * rb, 0.95 * rb, kz * rb)), BodyTissues.BladderWall, [.. SoftTissue, BodyTissues.BowelWall, BodyTissues.BowelGas]));
        an.Parts.Add((new Ellipsoid(bladderC, new V3(1.25 * rb - wall, 0.95 * rb - wall, kz * rb - wall)), BodyTissues.Urine, [BodyTissues.BladderWall]));
        an.Parts.Add((prostate, BodyTissues.Prostate, [.. SoftTissue, BodyTissues.BladderWall, BodyTissues.Urine]));
        // vessels: external iliac artery and vein, continuing as femoral vessels
        double rv = Rec(p, "vessel_radius_m", r.Uniform(0.004, 0.006));
        foreach (int s in new[] { -1, 1 })
        {
            an.Parts.Add((new Tube([new V3(s * 0.015 * f, -0.04 * gy, 0.25), new V3(s * 0.045 * f, -0.02 * gy, zh + 0.09), new V3(s * 0.07 * f, 0.035 * gy, zh + 0.02),
                new V3(s * 0.085 * f, 0.055 * gy, zh - 0.05), new V3(s * 0.09 * f, 0.05 * gy, -0.25)], rv), BodyTissues.Blood, SoftTissue));
            an.Parts.Add((new Tube([new V3(s * 0.005 * f, -0.05 * gy, 0.25), new V3(s * 0.035 * f, -0.03 * gy, zh + 0.09), new V3(s * 0.06 * f, 0.03 * gy, zh + 0.02),
                new V3(s * 0.072 * f, 0.05 * gy, zh - 0.05), new V3(s * 0.078 * f, 0.045 * gy, -0.25)], 1.25 * rv), BodyTissues.Blood, SoftTissue));
        }
        // bones: ellipsoids and capsules
        double rfh = Rec(p, "femoral_head_radius_m", 0.023 * f * r.Uniform(0.95, 1.05));
        foreach (int s in new[] { -1, 1 })
        {
            an.Bones.Add(new Ellipsoid(new V3(s * 0.085 * f, 0, zh), new V3(rfh, rfh, rfh)));                               // femoral head
            an.Bones.Add(new Tube([new V3(s * 0.085 * f, 0, zh), new V3(s * 0.12 * f, -0.005 * gy, zh - 0.03)], 0.014 * f));   // neck
            an.Bones.Add(new Ellipsoid(new V3(s * 0.125 * f, -0.01 * gy, zh - 0.025), new V3(0.016 * f, 0.02 * f, 0.03)));     // greater trochanter
            an.Bones.Add(new Tube([new V3(s * 0.118 * f, -0.005 * gy, zh - 0.04), new V3(s * 0.10 * f, 0.005 * gy, -0.25)], 0.014 * f)); // shaft
            an.Bones.Add(new Ellipsoid(new V3(s * 0.075 * f, -0.005 * gy, zh + 0.025), new V3(0.026 * f, 0.032 * gy, 0.04)));   // acetabulum
            an.Bones.Add(new Ellipsoid(new V3(s * 0.095 * f, -0.03 * gy, zh + 0.10), new V3(0.055 * f, 0.008, 0.075), new Rotation(0, 0, -s * 0.55))); // iliac wing
            an.Bones.Add(new Ellipsoid(new V3(s * 0.055 * f, -0.03 * gy, zh - 0.045), new V3(0.015 * f, 0.022 * gy, 0.03)));  // ischium
            an.Bones.Add(new Tube([new V3(s * 0.07 * f, 0.03 * gy, zh + 0.005), new V3(s * 0.012 * f, 0.065 * gy, zh - 0.02)], 0.010 * f)); // superior pubic ramus
            an.Bones.Add(new Tube([new V3(s * 0.012 * f, 0.062 * gy, zh - 0.03), new V3(s * 0.055 * f, -0.015 * gy, zh - 0.06)], 0.008 * f)); // inferior ramus
        }
        an.Bones.Add(new Ellipsoid(new V3(0, -0.062 * gy, zh + 0.075), new V3(0.05 * f, 0.016 * gy, 0.065), new Rotation(-0.45, 0, 0)));  // sacrum
        an.Bones.Add(new Tube([new V3(0, -0.070 * gy, zh + 0.01), new V3(0, -0.058 * gy, zh - 0.035)], 0.007));                           // coccyx
        an.Bones.Add(new Tube([new V3(0, -0.035 * gy, zh + 0.14), new V3(0, -0.035 * gy, 0.30)], 0.022 * f));                           // L5 body
        an.Bones.Add(new Tube([new V3(0, -0.068 * gy, zh + 0.14), new V3(0, -0.068 * gy, 0.30)], 0.010 * f));                           // posterior elements
        return an;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Family B: superellipse + Fourier outline, radial fat, shell/wedge bones, asymmetric organs, pelvic tilt/roll
    // ------------------------------------------------------------------------------------------------------------

    private sealed class OutlineB : IOutline
    {
        public double A, BAnt, BPost, N, C1, C2, ZHip, ZCrotch, Groove, Fat0, FatPost;
        public double[] Fc = new double[5], Fp = new double[5], Tc = new double[4], Tp = new double[4];

        private double Radius(double th, double z)
        {
            double zz = (z - ZHip) / 0.18;
            double s = 1 + C1 * zz + C2 * zz * zz;
            double a = A * s, b = (Math.Sin(th) >= 0 ? BAnt : BPost) * (1 + 0.5 * (s - 1));
            double c = Math.Abs(Math.Cos(th)), si = Math.Abs(Math.Sin(th));
            double R = 1 / Math.Pow(Math.Pow(c / a, N) + Math.Pow(si / b, N), 1 / N);
            double pert = 1;
            for (int k = 1; k < 5; k++) pert += Fc[k] * Math.Cos(k * th + Fp[k]);
            R *= pert;
            if (z < ZCrotch + 0.02)   // legs together: midline grooves anterior and posterior
            {
                double depth = Groove * Smooth(ZCrotch + 0.02, ZCrotch - 0.04, z);
                double w = Math.Exp(-Math.Pow((Math.Abs(th) - Math.PI / 2) / 0.22, 2));
                R *= 1 - depth * w;
            }
            return R;
        }

        public double Depth(V3 p)
        {
            double r = Math.Sqrt(p.X * p.X + p.Y * p.Y);
            return Radius(Math.Atan2(p.Y, p.X), p.Z) - r;
        }

        public double FatThickness(V3 p)
        {
            double th = Math.Atan2(p.Y, p.X);
            double t = Fat0;
            for (int k = 1; k < 4; k++) t += Fat0 * Tc[k] * Math.Cos(k * th + Tp[k]);
            if (Math.Sin(th) < 0) t += FatPost * Math.Pow(Math.Sin(th), 2);     // buttocks
            return Math.Max(0.003, t);
        }
    }

    private static Anatomy FamilyB(BodyModelRandom r, SortedDictionary<string, double> p)
    {
        double A = Rec(p, "body_half_width_m", r.Uniform(0.155, 0.185));
        double bAnt = Rec(p, "body_half_depth_anterior_m", Math.Clamp(r.Uniform(0.095, 0.135), 0.55 * A, 0.80 * A));
        double bPost = Rec(p, "body_half_depth_posterior_m", Math.Clamp(bAnt * r.Uniform(0.85, 1.10), 0.092, 0.135));
        double fat0 = Rec(p, "fat_thickness_mean_m", r.Uniform(0.006, Math.Min(0.030, Math.Min(bAnt, bPost) - 0.080)));
        var o = new OutlineB
        {
            A = A, BAnt = bAnt, BPost = bPost, Fat0 = fat0,
            N = Rec(p, "superellipse_exponent", r.Uniform(2.2, 3.0)),
            C1 = Rec(p, "profile_linear", r.Uniform(-0.12, 0.0)),
            C2 = Rec(p, "profile_quadratic", r.Uniform(-0.06, 0.04)),
            ZHip = Rec(p, "femoral_head_z_m", -0.010),
            Groove = Rec(p, "thigh_groove_depth", r.Uniform(0.10, 0.35)),
            FatPost = Rec(p, "fat_posterior_extra_m", r.Uniform(0.0, 0.012)),
        };
        o.ZCrotch = Rec(p, "crotch_z_m", o.ZHip - r.Uniform(0.070, 0.090));
        for (int k = 1; k < 5; k++) { o.Fc[k] = Rec(p, $"outline_fourier_{k}", r.Uniform(-0.025, 0.025)); o.Fp[k] = r.Uniform(0, 2 * Math.PI); }
        for (int k = 1; k < 4; k++) { o.Tc[k] = Rec(p, $"fat_fourier_{k}", r.Uniform(-0.25, 0.25)); o.Tp[k] = r.Uniform(0, 2 * Math.PI); }
        var offset = new V3(Rec(p, "offset_x_m", r.Uniform(-0.010, 0.010)), Rec(p, "offset_y_m", r.Uniform(-0.010, 0.010)), Rec(p, "offset_z_m", r.Uniform(-0.015, 0.015)));
        var an = new Anatomy { Offset = offset, Outline = o, SkinThickness = Rec(p, "skin_thickness_m", r.Uniform(0.0015, 0.0025)) };
        double zh = o.ZHip;
        double f = Rec(p, "bone_scale_x", Math.Clamp((A - fat0 - 0.020) / 0.125, 0.85, 1.10) * r.Uniform(0.96, 1.04));
        double gy = Rec(p, "bone_scale_y", Math.Clamp((Math.Min(bAnt, bPost) - 0.8 * fat0 - 0.012) / 0.080, 0.80, 1.20));
        double asym = Rec(p, "left_right_asymmetry", r.Uniform(-0.04, 0.04));
        var pivot = new V3(0, 0, zh);
        var pose = new Rotation(Rec(p, "pelvic_tilt_rad", r.Uniform(-0.14, 0.14)), 0, Rec(p, "pelvic_roll_rad", r.Uniform(-0.07, 0.07)));
        ISolid T(ISolid s) => new Transformed(s, pivot, pose);

        // visceral fat (superellipsoid), small bowel as a random-walk chain of capsules with gas segments
        double vf = Rec(p, "visceral_fat_scale", r.Uniform(0.3, 1.0));
        an.Parts.Add((T(new SuperEllipsoid(new V3(0, 0.01, zh + 0.15), new V3(0.55 * A * vf, 0.5 * bAnt * vf, 0.08), 2.6)), BodyTissues.Fat, SoftTissue));
        int nSeg = (int)Rec(p, "bowel_segments", r.Integer(10, 18));
        double rBowel = Rec(p, "bowel_radius_m", r.Uniform(0.011, 0.016));
        var pos = new V3(r.Uniform(-0.04, 0.04), r.Uniform(0.0, 0.04), zh + 0.13);
        for (int i = 0; i < nSeg; i++)
        {
            var step = new V3(r.Uniform(-1, 1), r.Uniform(-1, 1), r.Uniform(-1, 1));
            var next = pos + (0.035 / Math.Max(step.Norm, 1e-6)) * step;
            next = new V3(Math.Clamp(next.X, -0.45 * A, 0.45 * A), Math.Clamp(next.Y, -0.01, 0.55 * bAnt), Math.Clamp(next.Z, zh + 0.09, 0.22));
            var seg = new Tube([pos, next], rBowel);
            an.Parts.Add((T(seg), BodyTissues.BowelWall, SoftTissue));
            if (r.NextDouble() < 0.25) an.Parts.Add((T(new Tube([pos, next], rBowel - 0.004)), BodyTissues.BowelGas, Bowel));
            pos = next;
        }
        // rectum with a random-walk centreline and a sigmoid to a random side
        double rRect = Rec(p, "rectum_radius_m", r.Uniform(0.012, 0.019));
        double side = Rec(p, "sigmoid_side", r.NextDouble() < 0.5 ? -1 : 1);
        var pts = new List<V3> { new(r.Uniform(-0.006, 0.006), -0.045 * gy, -0.25), new(r.Uniform(-0.006, 0.006), -0.047 * gy, zh - 0.05) };
        var cur = new V3(r.Uniform(-0.008, 0.008), -0.056 * gy, zh + 0.01);
        pts.Add(cur);
        for (int i = 0; i < 5; i++)
        {
            cur = cur + new V3(side * r.Uniform(0.005, 0.02), r.Uniform(0.0, 0.018), r.Uniform(0.02, 0.035));
            pts.Add(cur);
        }
        var rectum = new Tube([.. pts], rRect);
        double meso = Rec(p, "mesorectal_fat_m", r.Uniform(0.006, 0.018));
        an.Parts.Add((T(new Intersection([new Tube(pts.Take(4).ToArray(), rRect + meso), new HalfSpace(new V3(0, 0, zh + 0.04), new V3(0, 0, 1))])), BodyTissues.Fat, SoftTissue));
        an.Parts.Add((T(rectum), BodyTissues.BowelWall, SoftTissue));
        int nGas = (int)Rec(p, "rectal_gas_pockets", r.Integer(0, 3));
        for (int i = 0; i < nGas; i++)
        {
            double rg = Math.Min(r.Uniform(0.006, 0.016), 0.85 * rRect);
            var c = rectum.At(r.Uniform(0.2, 0.9)) + new V3(0, rRect - rg, 0);   // gas rises anteriorly (supine)
            an.Parts.Add((T(new SuperEllipsoid(c, new V3(rg, 0.8 * rg, 1.4 * rg), 2.0)), BodyTissues.BowelGas, Bowel));
        }
        // bladder: boxier superellipsoid, lateral offset; prostate tilted and offset
        double vp = Rec(p, "prostate_volume_m3", r.Uniform(20e-6, 50e-6));
        double rp = Math.Cbrt(3 * vp / (4 * Math.PI * 1.15 * 0.9));
        var pc = new V3(Rec(p, "prostate_offset_x_m", r.Uniform(-0.006, 0.006)), 0.018 * gy, zh - 0.028);
        var prostate = new Ellipsoid(pc, new V3(1.15 * rp, 0.9 * rp, rp), new Rotation(Rec(p, "prostate_tilt_rad", r.Uniform(-0.35, 0.0)), 0, 0));
        double vb = Rec(p, "bladder_volume_m3", r.Uniform(50e-6, 450e-6));
        double fill = (vb - 50e-6) / 400e-6;
        double kz = 0.6 + 0.5 * fill;
        const double n = 2.5;
        double shapeVol = 1.35 * 1.0 * kz * 8 * Math.Pow(SpecialGamma(1 + 1 / n), 3) / SpecialGamma(1 + 3 / n);   // superellipsoid volume per r³
        double rb = Math.Cbrt(vb / shapeVol);
        var bc = new V3(Rec(p, "bladder_offset_x_m", r.Uniform(-0.015, 0.015)), 0.032 * gy, pc.Z + 0.9 * rp + 0.95 * kz * rb);
        double wall = Rec(p, "bladder_wall_m", r.Uniform(0.003, 0.005));
        an.Parts.Add((T(new SuperEllipsoid(bc, new V3(1.35 * rb, rb, kz * rb), n)), BodyTissues.BladderWall, [.. SoftTissue, BodyTissues.BowelWall, BodyTissues.BowelGas]));
        an.Parts.Add((T(new SuperEllipsoid(bc, new V3(1.35 * rb - wall, rb - wall, kz * rb - wall), n)), BodyTissues.Urine, [BodyTissues.BladderWall]));
        an.Parts.Add((T(prostate), BodyTissues.Prostate, [.. SoftTissue, BodyTissues.BladderWall, BodyTissues.Urine]));
        // vessels: one merged iliac/femoral bundle per side
        double rv = Rec(p, "vessel_radius_m", r.Uniform(0.005, 0.0075));
        foreach (int s in new[] { -1, 1 })
        {
            double fs = f * (1 + s * asym);
            an.Parts.Add((T(new Tube([new V3(s * 0.01 * fs, -0.045 * gy, 0.25), new V3(s * 0.04 * fs, -0.025 * gy, zh + 0.10), new V3(s * 0.066 * fs, 0.03 * gy, zh + 0.03),
                new V3(s * 0.08 * fs, 0.052 * gy, zh - 0.04), new V3(s * 0.085 * fs, 0.05 * gy, -0.25)], rv)), BodyTissues.Blood, SoftTissue));
        }
        // bones: cylindrical-shell iliac wings, wedge sacrum, curved pubis, angled femoral necks
        double neckAngle = Rec(p, "neck_shaft_angle_rad", r.Uniform(2.18, 2.36));   // 125–135°
        foreach (int s in new[] { -1, 1 })
        {
            double fs = f * (1 + s * asym);
            double rfh = 0.024 * fs * r.Uniform(0.94, 1.06);
            var head = new V3(s * 0.084 * fs, 0.002, zh);
            an.Bones.Add(new Ellipsoid(head, new V3(rfh, rfh, rfh)));
            // neck leaves the head laterally-downwards at (π − neck-shaft angle) below horizontal
            double down = Math.PI - neckAngle;
            var troch = head + new V3(s * 0.045 * fs * Math.Cos(down), -0.006, -0.045 * fs * Math.Sin(down));
            an.Bones.Add(new Tube([head, troch], 0.0135 * fs));
            an.Bones.Add(new SuperEllipsoid(troch + new V3(s * 0.006, -0.006, 0.004), new V3(0.017 * fs, 0.02 * fs, 0.026), 2.4));
            an.Bones.Add(new Tube([troch, new V3(s * 0.098 * fs, 0.008 * gy, -0.25)], 0.0145 * fs));
            an.Bones.Add(new SuperEllipsoid(new V3(s * 0.073 * fs, -0.008 * gy, zh + 0.028), new V3(0.028 * fs, 0.034 * gy, 0.038), 2.5));  // acetabulum
            double phiC = s > 0 ? -0.35 : Math.PI + 0.35;
            an.Bones.Add(new ShellSegment(s * 0.015 * fs, 0.02 * gy, 0.095 * fs, 0.0065, s > 0 ? phiC - 0.85 : phiC - 0.75, s > 0 ? phiC + 0.75 : phiC + 0.85, zh + 0.035, zh + 0.16));
            an.Bones.Add(new Tube([new V3(s * 0.07 * fs, 0.025 * gy, zh + 0.01), new V3(s * 0.04 * fs, 0.055 * gy, zh - 0.008), new V3(s * 0.008, 0.066 * gy, zh - 0.022)], 0.0095 * fs));
            an.Bones.Add(new Tube([new V3(s * 0.008, 0.062 * gy, zh - 0.032), new V3(s * 0.04 * fs, 0.03 * gy, zh - 0.055), new V3(s * 0.058 * fs, -0.02 * gy, zh - 0.05),
                new V3(s * 0.06 * fs, -0.035 * gy, zh - 0.02)], 0.009 * fs));
        }
        double sTilt = r.Uniform(0.35, 0.6);
        an.Bones.Add(new Intersection([
            new Ellipsoid(new V3(0, -0.064 * gy, zh + 0.08), new V3(0.055 * f, 0.03 * gy, 0.07), new Rotation(-sTilt, 0, 0)),
            new HalfSpace(new V3(0, -0.064 * gy + 0.015, zh + 0.08), new V3(0, Math.Cos(sTilt), Math.Sin(sTilt))),
            new HalfSpace(new V3(0, -0.064 * gy - 0.012, zh + 0.08), new V3(0, -Math.Cos(sTilt), -Math.Sin(sTilt)))]));                          // sacrum wedge
        an.Bones.Add(new Tube([new V3(0, -0.072 * gy, zh + 0.015), new V3(0, -0.06 * gy, zh - 0.03)], 0.0065));
        an.Bones.Add(new SuperEllipsoid(new V3(0, -0.035 * gy, zh + 0.21), new V3(0.025 * f, 0.02, 0.07), 3.0));
        an.Bones.Add(new Tube([new V3(0, -0.068 * gy, zh + 0.15), new V3(0, -0.07 * gy, 0.30)], 0.011 * f));
        for (int i = 0; i < an.Bones.Count; i++) an.Bones[i] = T(an.Bones[i]);
        an.CorticalThickness = Rec(p, "cortical_thickness_m", r.Uniform(0.003, 0.005));
        return an;
    }

    /// <summary>Γ(x) for x in [1, 3] (Lanczos, g = 7), for the superellipsoid volume.</summary>
    private static double SpecialGamma(double x)
    {
        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        x -= 1;
        double a = c[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return Math.Sqrt(2 * Math.PI) * Math.Pow(t, x + 0.5) * Math.Exp(-t) * a;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Voxelisation and properties
    // ------------------------------------------------------------------------------------------------------------

    private static byte[] Voxelise(Anatomy an, BodyModelGrid g)
    {
        var labels = new byte[(long)g.Nx * g.Ny * g.Nz];
        double h = g.CellSize;
        Parallel.For(0, g.Nz, k =>
        {
            for (int j = 0; j < g.Ny; j++)
                for (int i = 0; i < g.Nx; i++)
                {
                    var p = new V3(g.X0 + (i + 0.5) * h, g.Y0 + (j + 0.5) * h, g.Z0 + (k + 0.5) * h) - an.Offset;
                    double d = an.Outline.Depth(p);
                    int lab;
                    if (d <= 0) lab = BodyTissues.Air;
                    else if (d < an.SkinThickness) lab = BodyTissues.Skin;
                    else if (d < an.SkinThickness + an.Outline.FatThickness(p)) lab = BodyTissues.Fat;
                    else lab = BodyTissues.Muscle;
                    if (d >= an.SkinThickness + an.InnerMargin)
                    {
                        foreach (var (solid, l, over) in an.Parts)
                            if (Array.IndexOf(over, lab) >= 0 && solid.Depth(p) > 0) lab = l;
                        double bd = double.NegativeInfinity;
                        foreach (var b in an.Bones) bd = Math.Max(bd, b.Depth(p));
                        if (bd > 0) lab = bd < an.CorticalThickness ? BodyTissues.CorticalBone : BodyTissues.CancellousBone;
                    }
                    labels[((long)k * g.Ny + j) * g.Nx + i] = (byte)lab;
                }
        });
        return labels;
    }

    private static (double[] Eps, double[] Sig, double[] Rho) Properties(BodyModelRandom r, BodyModelOptions o, SortedDictionary<string, double> p)
    {
        int n = BodyTissues.Count;
        var eps = new double[n]; var sig = new double[n]; var rho = new double[n];
        var v = o.Variation;
        foreach (var t in BodyTissues.All)
        {
            double fe = r.TruncatedNormal(1, v.EpsilonSd, v.EpsilonMax), fs = r.TruncatedNormal(1, v.SigmaSd, v.SigmaMax), fr = r.TruncatedNormal(1, v.DensitySd, v.DensityMax);
            var (e0, s0) = t.Nominal(o.FrequencyHz);
            if (!t.IsTissue) { eps[t.Label] = 1; sig[t.Label] = 0; rho[t.Label] = 0; continue; }
            eps[t.Label] = e0 * Rec(p, $"factor_eps_{t.Name}", fe) * o.EpsilonScale;
            sig[t.Label] = s0 * Rec(p, $"factor_sigma_{t.Name}", fs) * o.SigmaScale;
            rho[t.Label] = t.Density * Rec(p, $"factor_rho_{t.Name}", fr);
        }
        if (o.EpsilonScale != 1) p["ood_scale_eps"] = o.EpsilonScale;
        if (o.SigmaScale != 1) p["ood_scale_sigma"] = o.SigmaScale;
        return (eps, sig, rho);
    }
}
