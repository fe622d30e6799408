using System.Globalization;
using System.Runtime.InteropServices;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Arrays;

namespace SarKit.IO.Formats;

/// <summary>
/// Builds a <see cref="SarDataset"/> from the named arrays of an .npz archive or a MATLAB v5/v7 MAT-file, and writes a
/// dataset back with the same naming convention (docs/array-formats.md):
/// <c>sigma</c> (S/m), <c>rho</c> (kg/m³), <c>E</c> (V/m, complex), optional <c>eps_r</c>, <c>labels</c>,
/// <c>mask_&lt;name&gt;</c> (e.g. mask_body, mask_head), <c>H</c>, <c>B1plus</c>, <c>channel_names</c>; the grid from
/// <c>edges_x/_y/_z</c> (m), or cell centres <c>x/y/z</c> (m), or <c>voxel_size</c> (m, scalar or 3 values) with optional
/// <c>origin</c> (m, corner of the first voxel); optional scalar <c>frequency_hz</c> and text <c>normalisation</c>.
/// Axis order: in memory x varies fastest. NumPy (C order) arrays are [nz,ny,nx] and E is [nch,3,nz,ny,nx]; MATLAB and
/// Fortran-order arrays (<see cref="StoredArray.AxesReversed"/>) are [nx,ny,nz] and E is [nx,ny,nz,3,nch]. Both are the
/// same memory layout, so E is streamed straight into the per-channel field arrays without an extra copy.
/// </summary>
public static class ArrayDatasetMapper
{
    /// <summary>
    /// Opens an .npz or .mat file (chosen by extension, else by content) and maps it to a validated dataset
    /// (every field it holds, E, H, B1+).
    /// </summary>
    public static SarDataset Read(string path)
    {
        using var arrays = ArrayCollections.OpenNpzOrMat(path);
        return FromArrays(arrays);
    }

    /// <summary>Maps named arrays to a dataset following the convention above; validates it (<see cref="SarDataset.Validate"/>).</summary>
    public static SarDataset FromArrays(IArrayCollection arrays)
    {
        var m = new Mapper(arrays);
        return m.Build();
    }

    private sealed class Mapper(IArrayCollection c)
    {
        private readonly string _src = c.SourceFile;

        private SarKitInputException Err(string variable, string msg) => new($"'{_src}' variable '{variable}': {msg}") { SourceFile = _src, Dataset = variable };

        private StoredArray Need(string name) => c.Find(name)
            ?? throw new SarKitInputException($"'{_src}': required variable '{name}' is missing (variables: {string.Join(", ", c.Names)}). See docs/array-formats.md for the naming convention.") { SourceFile = _src, Dataset = name };

        private StoredArray? Opt(string name) => c.Find(name);

        /// <summary>(nz, ny, nx) of a 3-D array; a MATLAB array with trailing singleton z (or y, z) has fewer dimensions.</summary>
        private static (int Nz, int Ny, int Nx)? Spatial(StoredArray a) => a.Rank switch
        {
            3 => (a.Shape[0], a.Shape[1], a.Shape[2]),
            2 when a.AxesReversed => (1, a.Shape[0], a.Shape[1]),
            _ => null,
        };

        private static string View(StoredArray a, string numpy, string matlab) => a.AxesReversed ? matlab : numpy;

        public SarDataset Build()
        {
            var sigmaA = Need("sigma");
            var sp = Spatial(sigmaA) ?? throw Err("sigma", $"shape {sigmaA.ShapeText}; expected a 3-D array {View(sigmaA, "[nz,ny,nx]", "[nx,ny,nz]")}.");
            var (nz, ny, nx) = sp;
            var grid = BuildGrid(nx, ny, nz, sigmaA);

            double[] sigma = Spatial3D(sigmaA, grid).ReadReal<double>();
            double[] rho = Spatial3D(Need("rho"), grid).ReadReal<double>();
            var tissue = new TissueModel(grid, sigma, rho)
            {
                Source = $"'{_src}'",
                EpsilonR = Opt("eps_r") is { } er ? Spatial3D(er, grid).ReadReal<double>() : null,
                Labels = Opt("labels") is { } lb ? Spatial3D(lb, grid).ReadReal<int>() : null,
            };
            foreach (var name in c.Names.Where(n => n.StartsWith("mask_", StringComparison.Ordinal) && n.Length > 5))
                tissue.SetMask(name[5..], Spatial3D(c.Find(name)!, grid).ReadBool());

            var norm = FieldNormalisation.Unspecified;
            if (Opt("normalisation") is { } na)
            {
                if (!na.IsText) throw Err("normalisation", $"is numeric ({na.Type}); expected text such as 'per_volt_incident'.");
                norm = FieldNormalisationExtensions.Parse(na.ReadText(), $"'{_src}' variable 'normalisation'");
            }
            string[]? names = null;
            if (Opt("channel_names") is { } cn)
            {
                if (!cn.IsText) throw Err("channel_names", "expected text (names separated by newlines, a char matrix or a string array).");
                names = cn.ReadText().Split('\n').Select(s => s.Trim()).ToArray();
            }

            var e = ReadField("E", Need("E"), grid, FieldQuantity.E, norm, names);
            double f = 0;
            if (Opt("frequency_hz") is { } fa)
            {
                f = fa.ReadScalar();
                if (!double.IsFinite(f) || f < 0) throw Err("frequency_hz", $"is {f}; expected a finite frequency ≥ 0 Hz.");
            }
            var ds = new SarDataset(tissue, e)
            {
                FrequencyHz = f,
                H = Opt("H") is { } h ? ReadField("H", h, grid, FieldQuantity.H, norm, names) : null,
                B1Plus = Opt("B1plus") is { } b ? ReadField("B1plus", b, grid, FieldQuantity.B1Plus, norm, null) : null,
                Source = _src,
            };
            ds.Provenance["source_file"] = _src;
            ds.Provenance["source_format"] = c is MatFile ? "mat" : "npz";
            return ds.Validate();
        }

        private StoredArray Spatial3D(StoredArray a, VoxelGrid g)
        {
            if (a.IsText) throw Err(a.Name, "is text; expected a numeric 3-D array.");
            if (a.IsComplex) throw Err(a.Name, $"is complex ({a.Type}); expected real values.");
            var sp = Spatial(a);
            if (sp == (g.Nz, g.Ny, g.Nx)) return a;
            throw Err(a.Name, $"shape {a.ShapeText} does not match the grid: expected {Expect(a, g)}." + Hint(a, g));
        }

        private static string Expect(StoredArray a, VoxelGrid g) => a.AxesReversed
            ? $"[nx,ny,nz] = [{g.Nx},{g.Ny},{g.Nz}] (MATLAB order)"
            : $"[nz,ny,nx] = [{g.Nz},{g.Ny},{g.Nx}] (C order)";

        /// <summary>Hint when a C-order array looks like it was written in MATLAB axis order (x slowest).</summary>
        private static string Hint(StoredArray a, VoxelGrid g)
        {
            if (a.AxesReversed || a.Rank < 3) return "";
            if (a.Shape[0] == g.Nx && a.Shape[1] == g.Ny && a.Shape[2] == g.Nz)
                return " It looks like a C-order array in MATLAB axis order [nx,ny,nz,…]: in NumPy save arr.transpose() (or np.asfortranarray(arr)) so that x varies fastest.";
            return "";
        }

        private VoxelGrid BuildGrid(int nx, int ny, int nz, StoredArray sigma)
        {
            double[] Vec(string name, int expected, string what)
            {
                var a = Need(name);
                if (a.IsText || a.IsComplex) throw Err(name, $"expected real numbers ({what}).");
                var v = a.ReadReal<double>();
                if (v.Length != expected)
                    throw Err(name, $"has {v.Length} values; expected {expected} ({what}) for sigma of shape {sigma.ShapeText}.");
                return v;
            }
            try
            {
                if (c.Find("edges_x") is not null || c.Find("edges_y") is not null || c.Find("edges_z") is not null)
                    return new VoxelGrid(Vec("edges_x", nx + 1, "nx+1 cell edges in m"), Vec("edges_y", ny + 1, "ny+1 cell edges in m"), Vec("edges_z", nz + 1, "nz+1 cell edges in m"));
                double[]? size = null;
                if (Opt("voxel_size") is { } vs)
                {
                    size = vs.ReadReal<double>();
                    if (size.Length == 1) size = [size[0], size[0], size[0]];
                    if (size.Length != 3) throw Err("voxel_size", $"has {size.Length} values; expected 1 (isotropic) or 3 (dx, dy, dz) in m.");
                }
                if (c.Find("x") is not null || c.Find("y") is not null || c.Find("z") is not null)
                {
                    var cx = Vec("x", nx, "cell centres in m"); var cy = Vec("y", ny, "cell centres in m"); var cz = Vec("z", nz, "cell centres in m");
                    if (size is not null && (nx == 1 || ny == 1 || nz == 1))
                        return new VoxelGrid(Around(cx, size[0]), Around(cy, size[1]), Around(cz, size[2]));
                    return VoxelGrid.FromCentres(cx, cy, cz);
                }
                if (size is not null)
                {
                    double[] o = [0, 0, 0];
                    if (Opt("origin") is { } oa)
                    {
                        o = oa.ReadReal<double>();
                        if (o.Length != 3) throw Err("origin", $"has {o.Length} values; expected 3 (x, y, z of the corner of the first voxel, m).");
                    }
                    return VoxelGrid.Uniform(nx, ny, nz, size[0], size[1], size[2], (o[0], o[1], o[2]));
                }
            }
            catch (SarKitInputException ex) when (ex.SourceFile is null)
            {
                throw new SarKitInputException($"'{_src}': {ex.Message}", ex) { SourceFile = _src, Dataset = "grid" };
            }
            throw new SarKitInputException($"'{_src}': no grid: give edges_x/edges_y/edges_z (cell edges, m), or x/y/z (cell centres, m), or voxel_size (m) with optional origin (m) (variables: {string.Join(", ", c.Names)}).") { SourceFile = _src, Dataset = "grid" };
        }

        /// <summary>Edges of uniform cells of width <paramref name="d"/> centred on <paramref name="centres"/> (used for single-cell axes).</summary>
        private static double[] Around(double[] centres, double d)
        {
            var e = new double[centres.Length + 1];
            e[0] = centres[0] - d / 2;
            for (int i = 0; i < centres.Length; i++) e[i + 1] = centres[i] + d / 2;
            return e;
        }

        private MultiChannelField ReadField(string name, StoredArray a, VoxelGrid g, FieldQuantity q, FieldNormalisation norm, string[]? names)
        {
            if (a.IsText) throw Err(name, "is text; expected a complex array.");
            int comps = q == FieldQuantity.B1Plus ? 1 : 3;
            // C-order (memory) shape: [nch, comps, nz, ny, nx]; B1+ has no component axis; nch = 1 may be dropped.
            int[] spatial = [g.Nz, g.Ny, g.Nx];
            int[] s = a.Shape;
            int rankFull = comps == 3 ? 5 : 4;
            int nch;
            bool spatialOk = s.Length >= 3 && s[^3..].SequenceEqual(spatial);
            if (s.Length == rankFull && spatialOk && (comps == 1 || s[1] == 3)) nch = s[0];
            else if (s.Length == rankFull - 1 && spatialOk && (comps == 1 || s[0] == 3)) nch = 1;
            else
            {
                string expect = comps == 3
                    ? (a.AxesReversed ? $"[nx,ny,nz,3,nch] = [{g.Nx},{g.Ny},{g.Nz},3,nch] (MATLAB order)" : $"[nch,3,nz,ny,nx] = [nch,3,{g.Nz},{g.Ny},{g.Nx}] (C order)")
                    : (a.AxesReversed ? $"[nx,ny,nz,nch] = [{g.Nx},{g.Ny},{g.Nz},nch] (MATLAB order)" : $"[nch,nz,ny,nx] = [nch,{g.Nz},{g.Ny},{g.Nx}] (C order)");
                string hint = !a.AxesReversed && s.Length == rankFull && s[0] == g.Nx && s[1] == g.Ny && s[2] == g.Nz
                    ? " It looks like a C-order array in MATLAB axis order: in NumPy save arr.transpose() or np.asfortranarray(arr) so that x varies fastest." : "";
                throw Err(name, $"shape {a.ShapeText} does not match the grid {g}: expected {expect}.{hint}");
            }
            if (nch < 1) throw Err(name, $"shape {a.ShapeText} has no channels.");
            if (names is not null && names.Length != nch)
                throw Err("channel_names", $"has {names.Length} names but '{name}' has {nch} channels.");
            var field = new MultiChannelField(g, nch, q, norm, names) { Source = $"'{_src}' variable '{name}'" };
            StreamInto(a, field);
            return field;
        }

        /// <summary>Streams a stored [nch, comps, voxels] array into the field's per-(channel, component) interleaved arrays.</summary>
        private static void StreamInto(StoredArray a, MultiChannelField f)
        {
            int nv = f.Grid.VoxelCount, comps = f.Components;
            a.ReadChunks<float>((first, v, n, part) =>
            {
                if (part == ValuePart.Interleaved)
                {
                    long per = 2L * nv;
                    int done = 0;
                    while (done < n)
                    {
                        long s = first + done;
                        int arr = (int)(s / per), off = (int)(s % per);
                        int k = (int)Math.Min(n - done, per - off);
                        v.AsSpan(done, k).CopyTo(f.ComponentData(arr / comps, arr % comps).AsSpan(off));
                        done += k;
                    }
                }
                else
                {
                    int im = part == ValuePart.Imaginary ? 1 : 0;
                    int done = 0;
                    while (done < n)
                    {
                        long e = first + done;
                        int arr = (int)(e / nv), off = (int)(e % nv);
                        int k = Math.Min(n - done, nv - off);
                        var d = f.ComponentData(arr / comps, arr % comps);
                        for (int q = 0; q < k; q++) d[2 * (off + q) + im] = v[done + q];
                        done += k;
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------ writing

    /// <summary>Writes a dataset as an .npz archive with the naming convention (C order: [nz,ny,nx], E [nch,3,nz,ny,nx]).</summary>
    public static void WriteNpz(SarDataset ds, string path, bool compress = true)
    {
        using var w = NpzWriter.Create(path, compress);
        Emit(ds, w.Add, w.AddText);
        w.Commit();
    }

    /// <summary>Writes a dataset as a MATLAB v7 (compressed) or v6 MAT-file: MATLAB sees [nx,ny,nz] and E [nx,ny,nz,3,nch].</summary>
    public static void WriteMat(SarDataset ds, string path, bool compress = true)
    {
        using var w = MatWriter.Create(path, compress);
        Emit(ds, w.Add, w.AddText);
        w.Commit();
    }

    private static void Emit(SarDataset ds, Action<string, IArrayContent> add, Action<string, string> addText)
    {
        var g = ds.Grid;
        int[] s3 = [g.Nz, g.Ny, g.Nx];
        add("edges_x", ArrayContent.Of(new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray())));
        add("edges_y", ArrayContent.Of(new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray())));
        add("edges_z", ArrayContent.Of(new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray())));
        add("sigma", ArrayContent.Of(new NdArray(NdType.Float64, s3, ds.Tissue.Sigma)));
        add("rho", ArrayContent.Of(new NdArray(NdType.Float64, s3, ds.Tissue.Rho)));
        if (ds.Tissue.EpsilonR is { } er) add("eps_r", ArrayContent.Of(new NdArray(NdType.Float64, s3, er)));
        if (ds.Tissue.Labels is { } lb) add("labels", ArrayContent.Of(new NdArray(NdType.Int32, s3, lb)));
        foreach (var (name, mask) in ds.Tissue.Masks) add("mask_" + name, ArrayContent.Of(new NdArray(NdType.Bool, s3, mask)));
        add("E", new FieldContent(ds.E));
        if (ds.H is { } h) add("H", new FieldContent(h));
        if (ds.B1Plus is { } b) add("B1plus", new FieldContent(b));
        add("frequency_hz", ArrayContent.Of(new NdArray(NdType.Float64, [], new[] { ds.FrequencyHz })));
        addText("normalisation", ds.E.Normalisation.ToId());
        addText("channel_names", string.Join('\n', ds.E.ChannelNames));
    }

    /// <summary>A field as a complex64 [nch, comps, nz, ny, nx] (B1+: [nch, nz, ny, nx]) array view, read from its per-channel arrays without copying them.</summary>
    private sealed class FieldContent(MultiChannelField f) : IArrayContent
    {
        public NdType Type => NdType.Complex64;
        public int[] Shape => f.Components == 1
            ? [f.Channels, f.Grid.Nz, f.Grid.Ny, f.Grid.Nx]
            : [f.Channels, f.Components, f.Grid.Nz, f.Grid.Ny, f.Grid.Nx];
        public bool AxesReversed => false;
        public void CopyScalars(long first, Span<byte> dst)
        {
            long per = 2L * f.Grid.VoxelCount;
            var d = MemoryMarshal.Cast<byte, float>(dst);
            int done = 0;
            while (done < d.Length)
            {
                long s = first + done;
                int arr = (int)(s / per), off = (int)(s % per);
                int k = (int)Math.Min(d.Length - done, per - off);
                f.ComponentData(arr / f.Components, arr % f.Components).AsSpan(off, k).CopyTo(d.Slice(done, k));
                done += k;
            }
        }
    }
}
