using static SarKit.IO.Hdf5.H5Native;

namespace SarKit.IO.Hdf5;

/// <summary>
/// Writes (through libhdf5) the HDF5 objects SarKit's reader refuses or must handle specially: external links, soft-link
/// and hard-link cycles, external storage (EFILE), virtual datasets, big-endian data. Used by the tests and the fuzz
/// corpus generator to prove the reader's behaviour on them; SarKit never writes these in its own outputs.
/// </summary>
internal static unsafe class Hdf5RefusedObjects
{
    private static long Fid(Hdf5File f) => f.IsWritable ? f.Fid : throw new InvalidOperationException("Hdf5RefusedObjects writes into a file opened with Hdf5File.Create.");

    /// <summary>Adds an external link <paramref name="linkPath"/> → <paramref name="targetFile"/>:<paramref name="targetObject"/>.</summary>
    public static void ExternalLink(Hdf5File f, string linkPath, string targetFile, string targetObject)
        => Hdf5Errors.Check(H5Lcreate_external(targetFile, targetObject, Fid(f), linkPath, H5P_DEFAULT, H5P_DEFAULT), () => "H5Lcreate_external");

    /// <summary>Adds a soft link <paramref name="linkPath"/> → <paramref name="target"/> (may dangle or form a cycle).</summary>
    public static void SoftLink(Hdf5File f, string linkPath, string target)
        => Hdf5Errors.Check(H5Lcreate_soft(target, Fid(f), linkPath, H5P_DEFAULT, H5P_DEFAULT), () => "H5Lcreate_soft");

    /// <summary>Adds a hard link <paramref name="linkPath"/> to the existing object <paramref name="target"/> (a group linking to its ancestor makes a cycle).</summary>
    public static void HardLink(Hdf5File f, string linkPath, string target)
        => Hdf5Errors.Check(H5Lcreate_hard(Fid(f), target, Fid(f), linkPath, H5P_DEFAULT, H5P_DEFAULT), () => "H5Lcreate_hard");

    /// <summary>A float64 dataset of <paramref name="n"/> values stored in the external raw file <paramref name="rawFile"/> (EFILE).</summary>
    public static void ExternalStorageDataset(Hdf5File f, string path, string rawFile, int n)
    {
        Hdf5Library.Enter();
        using var dcpl = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_DATASET_CREATE), H5Kind.PropertyList, () => "H5Pcreate");
        Hdf5Errors.Check(H5Pset_external(dcpl.Id, rawFile, 0, (ulong)(8 * n)), () => "H5Pset_external");
        ulong dim = (ulong)n;
        using var sp = H5Handle.Own(H5Screate_simple(1, &dim, null), H5Kind.Dataspace, () => "H5Screate_simple");
        using var d = H5Handle.Own(H5Dcreate2(Fid(f), path, Hdf5Library.T_IEEE_F64LE, sp.Id, H5P_DEFAULT, dcpl.Id, H5P_DEFAULT), H5Kind.Dataset, () => "H5Dcreate2(EFILE)");
    }

    /// <summary>A virtual float64 dataset of <paramref name="n"/> values mapped onto <paramref name="srcFile"/>:<paramref name="srcDataset"/>.</summary>
    public static void VirtualDataset(Hdf5File f, string path, string srcFile, string srcDataset, int n)
    {
        Hdf5Library.Enter();
        ulong dim = (ulong)n;
        using var sp = H5Handle.Own(H5Screate_simple(1, &dim, null), H5Kind.Dataspace, () => "H5Screate_simple");
        using var src = H5Handle.Own(H5Screate_simple(1, &dim, null), H5Kind.Dataspace, () => "H5Screate_simple");
        using var dcpl = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_DATASET_CREATE), H5Kind.PropertyList, () => "H5Pcreate");
        Hdf5Errors.Check(H5Pset_virtual(dcpl.Id, sp.Id, srcFile, srcDataset, src.Id), () => "H5Pset_virtual");
        using var d = H5Handle.Own(H5Dcreate2(Fid(f), path, Hdf5Library.T_IEEE_F64LE, sp.Id, H5P_DEFAULT, dcpl.Id, H5P_DEFAULT), H5Kind.Dataset, () => "H5Dcreate2(virtual)");
    }

    /// <summary>A big-endian dataset (float32 when <paramref name="values"/> is float[], float64 for double[], int32 for int[]).</summary>
    public static void BigEndianDataset(Hdf5File f, string path, Array values)
    {
        Hdf5Library.Enter();
        var (file, mem) = values switch
        {
            float[] => (Hdf5Library.T_IEEE_F32LE, Hdf5Library.T_NATIVE_FLOAT),
            double[] => (Hdf5Library.T_IEEE_F64LE, Hdf5Library.T_NATIVE_DOUBLE),
            int[] => (Hdf5Library.T_STD_I32LE, Hdf5Library.T_NATIVE_INT32),
            _ => throw new ArgumentException("float[], double[] or int[]"),
        };
        using var ft = H5Handle.Own(H5Tcopy(file), H5Kind.Datatype, () => "H5Tcopy");
        Hdf5Errors.Check(H5Tset_order(ft.Id, 1 /* H5T_ORDER_BE */), () => "H5Tset_order");
        ulong dim = (ulong)values.Length;
        using var sp = H5Handle.Own(H5Screate_simple(1, &dim, null), H5Kind.Dataspace, () => "H5Screate_simple");
        using var d = H5Handle.Own(H5Dcreate2(Fid(f), path, ft.Id, sp.Id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Kind.Dataset, () => "H5Dcreate2(BE)");
        var h = System.Runtime.InteropServices.GCHandle.Alloc(values, System.Runtime.InteropServices.GCHandleType.Pinned);
        try { Hdf5Errors.Check(H5Dwrite(d.Id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, (void*)h.AddrOfPinnedObject()), () => "H5Dwrite(BE)"); }
        finally { h.Free(); }
    }
}
