namespace SarKit.Averaging;

/// <summary>IEC/IEEE 62704-1 voxel status after averaging (numbering as in the standard's SAR-Star evaluation).</summary>
public enum VoxelStatus : byte
{
    /// <summary>Not tissue (ρ = 0).</summary>
    Background = 0,
    /// <summary>Not covered by step 1: averaged in step 2 with face-centred cubes.</summary>
    Unused = 1,
    /// <summary>Not the centre of a valid cube but entirely inside at least one: takes the maximum of those cubes.</summary>
    Used = 2,
    /// <summary>Centre of a valid step-1 cube.</summary>
    Valid = 3,
}

/// <summary>Orientation of an averaging cube (numbering as in the SAR-Star report): 1–6 face-centred, 7 centred.</summary>
public enum CubeOrientation : byte
{
    None = 0,
    /// <summary>Cube face on the voxel's −x face, cube extends towards +x.</summary>
    FaceMinusX = 1,
    /// <summary>Cube face on the voxel's +x face, cube extends towards −x.</summary>
    FacePlusX = 2,
    FaceMinusY = 3,
    FacePlusY = 4,
    FaceMinusZ = 5,
    FacePlusZ = 6,
    /// <summary>Cube centred on the voxel (step 1).</summary>
    Centred = 7,
}
