using System.Runtime.InteropServices;

namespace SarKit.IO.Hdf5;

/// <summary>
/// Raw P/Invoke declarations of the HDF5 1.10 C API (hid_t = int64, hsize_t = uint64, herr_t/htri_t = int).
/// Only what SarKit needs. The library name is resolved by <see cref="Hdf5Library"/>; use the safe wrappers
/// (<see cref="Hdf5File"/>) rather than these functions.
/// Reference: HDF5 1.10 reference manual (https://docs.hdfgroup.org/hdf5/v1_10/), headers H5*public.h.
/// </summary>
internal static unsafe partial class H5Native
{
    internal const string Lib = "hdf5";

    // constants (macros in the C headers; values from HDF5 1.10 H5*public.h)
    internal const long H5P_DEFAULT = 0, H5S_ALL = 0, H5E_DEFAULT = 0;
    internal const uint H5F_ACC_RDONLY = 0, H5F_ACC_RDWR = 1, H5F_ACC_TRUNC = 2, H5F_ACC_EXCL = 4;
    internal const int H5S_SELECT_SET = 0;
    internal const int H5S_SCALAR = 0, H5S_SIMPLE = 1, H5S_NULL = 2;
    internal const int H5T_INTEGER = 0, H5T_FLOAT = 1, H5T_STRING = 3, H5T_BITFIELD = 4, H5T_OPAQUE = 5,
        H5T_COMPOUND = 6, H5T_REFERENCE = 7, H5T_ENUM = 8, H5T_VLEN = 9, H5T_ARRAY = 10;
    internal const int H5T_SGN_NONE = 0;
    internal const int H5T_CSET_ASCII = 0, H5T_CSET_UTF8 = 1;
    internal const int H5T_STR_NULLTERM = 0, H5T_STR_NULLPAD = 1, H5T_STR_SPACEPAD = 2;
    internal const int H5I_FILE = 1, H5I_GROUP = 2, H5I_DATATYPE = 3, H5I_DATASPACE = 4, H5I_DATASET = 5, H5I_ATTR = 6;
    internal const int H5_INDEX_NAME = 0, H5_ITER_INC = 0, H5_ITER_NATIVE = 2;
    internal const int H5E_WALK_DOWNWARD = 1;
    internal const int H5D_CHUNKED = 2;
    internal static readonly nuint H5T_VARIABLE = nuint.MaxValue;

    /// <summary>H5E_error2_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct H5E_error2_t
    {
        public long cls_id, maj_num, min_num;
        public uint line;
        public nint func_name, file_name, desc;
    }

    // library
    [LibraryImport(Lib)] internal static partial int H5open();
    [LibraryImport(Lib)] internal static partial int H5get_libversion(out uint majnum, out uint minnum, out uint relnum);
    [LibraryImport(Lib)] internal static partial int H5free_memory(nint buf);

    // errors
    [LibraryImport(Lib)] internal static partial int H5Eset_auto2(long estack, nint func, nint clientData);
    [LibraryImport(Lib)] internal static partial int H5Ewalk2(long estack, int direction, delegate* unmanaged<uint, H5E_error2_t*, nint, int> func, nint clientData);
    [LibraryImport(Lib)] internal static partial int H5Eclear2(long estack);

    // identifiers
    [LibraryImport(Lib)] internal static partial int H5Iget_type(long id);
    [LibraryImport(Lib)] internal static partial int H5Iis_valid(long id);

    // files
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Fopen(string name, uint flags, long fapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Fcreate(string name, uint flags, long fcpl, long fapl);
    [LibraryImport(Lib)] internal static partial int H5Fclose(long file);
    [LibraryImport(Lib)] internal static partial int H5Fflush(long obj, int scope);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Fis_hdf5(string name);

    // groups, links, objects
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Gopen2(long loc, string name, long gapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Gcreate2(long loc, string name, long lcpl, long gcpl, long gapl);
    [LibraryImport(Lib)] internal static partial int H5Gclose(long group);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Lexists(long loc, string name, long lapl);
    [LibraryImport(Lib)] internal static partial int H5Literate(long group, int indexType, int order, ulong* idx, delegate* unmanaged<long, byte*, void*, nint, int> op, nint opData);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Oopen(long loc, string name, long lapl);
    [LibraryImport(Lib)] internal static partial int H5Oclose(long obj);

    // datasets
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Dopen2(long loc, string name, long dapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Dcreate2(long loc, string name, long type, long space, long lcpl, long dcpl, long dapl);
    [LibraryImport(Lib)] internal static partial int H5Dclose(long dset);
    [LibraryImport(Lib)] internal static partial long H5Dget_space(long dset);
    [LibraryImport(Lib)] internal static partial long H5Dget_type(long dset);
    [LibraryImport(Lib)] internal static partial long H5Dget_create_plist(long dset);
    [LibraryImport(Lib)] internal static partial int H5Dread(long dset, long memType, long memSpace, long fileSpace, long xfer, void* buf);
    [LibraryImport(Lib)] internal static partial int H5Dwrite(long dset, long memType, long memSpace, long fileSpace, long xfer, void* buf);
    [LibraryImport(Lib)] internal static partial int H5Dvlen_reclaim(long type, long space, long xfer, void* buf);

    // dataspaces
    [LibraryImport(Lib)] internal static partial long H5Screate(int type);
    [LibraryImport(Lib)] internal static partial long H5Screate_simple(int rank, ulong* dims, ulong* maxdims);
    [LibraryImport(Lib)] internal static partial int H5Sclose(long space);
    [LibraryImport(Lib)] internal static partial int H5Sget_simple_extent_type(long space);
    [LibraryImport(Lib)] internal static partial int H5Sget_simple_extent_ndims(long space);
    [LibraryImport(Lib)] internal static partial int H5Sget_simple_extent_dims(long space, ulong* dims, ulong* maxdims);
    [LibraryImport(Lib)] internal static partial long H5Sget_simple_extent_npoints(long space);
    [LibraryImport(Lib)] internal static partial int H5Sselect_hyperslab(long space, int op, ulong* start, ulong* stride, ulong* count, ulong* block);

    // datatypes
    [LibraryImport(Lib)] internal static partial long H5Tcopy(long type);
    [LibraryImport(Lib)] internal static partial long H5Tcreate(int cls, nuint size);
    [LibraryImport(Lib)] internal static partial int H5Tclose(long type);
    [LibraryImport(Lib)] internal static partial int H5Tget_class(long type);
    [LibraryImport(Lib)] internal static partial nuint H5Tget_size(long type);
    [LibraryImport(Lib)] internal static partial int H5Tset_size(long type, nuint size);
    [LibraryImport(Lib)] internal static partial int H5Tget_sign(long type);
    [LibraryImport(Lib)] internal static partial long H5Tget_super(long type);
    [LibraryImport(Lib)] internal static partial long H5Tget_native_type(long type, int direction);
    [LibraryImport(Lib)] internal static partial int H5Tget_nmembers(long type);
    [LibraryImport(Lib)] internal static partial nint H5Tget_member_name(long type, uint index);
    [LibraryImport(Lib)] internal static partial long H5Tget_member_type(long type, uint index);
    [LibraryImport(Lib)] internal static partial nuint H5Tget_member_offset(long type, uint index);
    [LibraryImport(Lib)] internal static partial int H5Tget_member_class(long type, uint index);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Tinsert(long type, string name, nuint offset, long member);
    [LibraryImport(Lib)] internal static partial int H5Tis_variable_str(long type);
    [LibraryImport(Lib)] internal static partial int H5Tget_strpad(long type);
    [LibraryImport(Lib)] internal static partial int H5Tset_strpad(long type, int pad);
    [LibraryImport(Lib)] internal static partial int H5Tget_cset(long type);
    [LibraryImport(Lib)] internal static partial int H5Tset_cset(long type, int cset);
    [LibraryImport(Lib)] internal static partial long H5Tenum_create(long baseType);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Tenum_insert(long type, string name, void* value);

    // attributes
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Aopen(long obj, string name, long aapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial long H5Acreate2(long loc, string name, long type, long space, long acpl, long aapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Aexists(long obj, string name);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Adelete(long loc, string name);
    [LibraryImport(Lib)] internal static partial int H5Aclose(long attr);
    [LibraryImport(Lib)] internal static partial long H5Aget_space(long attr);
    [LibraryImport(Lib)] internal static partial long H5Aget_type(long attr);
    [LibraryImport(Lib)] internal static partial int H5Aread(long attr, long memType, void* buf);
    [LibraryImport(Lib)] internal static partial int H5Awrite(long attr, long memType, void* buf);
    [LibraryImport(Lib)] internal static partial int H5Aiterate2(long loc, int indexType, int order, ulong* idx, delegate* unmanaged<long, byte*, void*, nint, int> op, nint opData);

    // property lists
    [LibraryImport(Lib)] internal static partial long H5Pcreate(long cls);
    [LibraryImport(Lib)] internal static partial int H5Pset_fclose_degree(long fapl, int degree);
    [LibraryImport(Lib)] internal static partial int H5Pset_file_locking(long fapl, byte useFileLocking, byte ignoreWhenDisabled);
    [LibraryImport(Lib)] internal static partial int H5Pclose(long plist);
    [LibraryImport(Lib)] internal static partial int H5Pset_chunk(long plist, int ndims, ulong* dims);
    // objects SarKit refuses to read; written only by Hdf5RefusedObjects (tests, fuzz corpus)
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Lcreate_external(string fileName, string objName, long linkLoc, string linkName, long lcpl, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Lcreate_soft(string target, long linkLoc, string linkName, long lcpl, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Lcreate_hard(long objLoc, string objName, long linkLoc, string linkName, long lcpl, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Pset_external(long plist, string name, long offset, ulong size);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int H5Pset_virtual(long dcpl, long vspace, string srcFile, string srcDset, long srcSpace);
    [LibraryImport(Lib)] internal static partial int H5Pset_layout(long plist, int layout);
    [LibraryImport(Lib)] internal static partial int H5Tset_order(long type, int order);
    [LibraryImport(Lib)] internal static partial int H5Pget_chunk(long plist, int maxNdims, ulong* dims);
    [LibraryImport(Lib)] internal static partial int H5Pget_layout(long plist);
    [LibraryImport(Lib)] internal static partial int H5Pset_chunk_cache(long dapl, nuint nslots, nuint nbytes, double w0);
    [LibraryImport(Lib)] internal static partial int H5Pset_deflate(long plist, uint level);
    [LibraryImport(Lib)] internal static partial int H5Pset_shuffle(long plist);
    [LibraryImport(Lib)] internal static partial int H5Pset_userblock(long plist, ulong size);
    [LibraryImport(Lib)] internal static partial int H5Pget_userblock(long plist, out ulong size);
    [LibraryImport(Lib)] internal static partial int H5Pset_create_intermediate_group(long plist, uint flag);
}
