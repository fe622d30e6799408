namespace SarKit.Workflows.Results;

/// <summary>
/// Marks a top-level result type: the JSON object a CLI command prints with <c>--json</c>, a web endpoint returns or
/// the records store keeps. docs/json-schemas.md is generated from the types carrying this attribute (their XML doc
/// comments give the meaning of every field), and a test fails when the document and the types disagree.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class JsonResultAttribute(string title) : Attribute
{
    /// <summary>Section title, e.g. <c>sarkit sar --json</c>.</summary>
    public string Title { get; } = title;
    /// <summary>Web endpoints returning the same object, e.g. <c>POST /api/datasets/{id}/sar</c>; null when CLI only.</summary>
    public string? Web { get; init; }
    /// <summary>Sort key of the section in the document (lower first; ties by title).</summary>
    public int Order { get; init; }
}

/// <summary>Marks a result object shared by several results (listed once under "Shared objects" in docs/json-schemas.md).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class JsonSharedObjectAttribute(string name) : Attribute
{
    /// <summary>Name used in the Type column of other results, e.g. <c>voxel index</c>.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// The unit shown for a result property in docs/json-schemas.md when its name's suffix does not say it (e.g.
/// <c>"voxels"</c> for <c>air_padding_voxels</c>), or <c>""</c> for none where a suffix would mislead. On a positional
/// record put it on the property: <c>[property: JsonUnit("voxels")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = true)]
public sealed class JsonUnitAttribute(string unit) : Attribute
{
    /// <summary>Unit text, e.g. <c>voxels</c>, <c>W/kg per µT²</c>; empty for none.</summary>
    public string Unit { get; } = unit;
}
