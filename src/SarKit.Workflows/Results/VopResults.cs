namespace SarKit.Workflows.Results;

/// <summary>
/// A VOP set described (docs/vop-cli.md, docs/vop-format.md): what <c>sarkit vop compress|verify|report|merge --json</c>
/// prints and what the web app's VOP page shows (inside <see cref="VopPageResult"/>).
/// </summary>
/// <param name="Command">The operation that produced the description: <c>compress</c>, <c>verify</c>, <c>report</c> or <c>merge</c>.</param>
/// <param name="File">CLI: full path of the VOP file; web: the file's path in the data folder (for a compressed set, the dataset's).</param>
/// <param name="Channels">Transmit channels N.</param>
/// <param name="Count">Number of VOPs.</param>
/// <param name="Criterion">Dominance criterion proven: <c>single</c>, <c>cc</c> (convex combination) or <c>co</c>.</param>
/// <param name="Algorithm">Compression algorithm that produced the set.</param>
/// <param name="MarginKind">Margin kind: <c>diagonal</c> (Z = ε·SAR_wc·I), <c>global</c> (Z = ε·S_g) or <c>user</c>.</param>
/// <param name="MarginEpsilon">Margin ε as a fraction of SAR_wc (dimensionless).</param>
/// <param name="SourceCount">Number of original Q-matrices the set was compressed from.</param>
/// <param name="SourceSha256">SHA-256 of the packed original matrices (hex).</param>
/// <param name="SarWc">Worst-case SAR max_i λ_max(Q_i) of the originals, W/kg per drive unit²; null when unknown.</param>
/// <param name="Normalisation">Field normalisation of the originals (e.g. <c>per_volt_incident</c>, <c>unspecified</c>).</param>
/// <param name="Attributes">Provenance strings stored with the set (source files, partition, margin base, run time …).</param>
/// <param name="Certificate">The stored certificate; null when the set has none.</param>
/// <param name="Verification">Details of the verification run now (compress, verify, merge, web compress); null otherwise.</param>
/// <param name="Overestimation">Overestimation over random unit drives against the originals (report with <c>--q</c>, web with a dataset); null otherwise.</param>
/// <param name="ElapsedS">Run time of the operation, s.</param>
/// <param name="SarkitVersion">SarKit version that produced the object.</param>
/// <param name="SarBasis">Null when the originals are simulated (true-SAR) Q-matrices; otherwise what they are, in words, e.g.
/// "surrogate-calibrated, not certified against true SAR (calibration: …)": the certificate then covers the surrogate's predicted
/// Q-matrices only (attributes <c>sar_basis</c>, <c>sar_basis_coverage</c>; docs/vop-format.md "SAR basis").</param>
[JsonResult("sarkit vop compress|verify|report|merge --json", Web = "GET /api/vop/info, POST /api/vop/compress (inside `set`)", Order = 200)]
public sealed record VopSetResult(string Command, string File, int Channels, int Count, string Criterion, string Algorithm, string MarginKind, double MarginEpsilon,
    long SourceCount, string SourceSha256, double? SarWc, string Normalisation, Dictionary<string, string> Attributes, VopCertificateResult? Certificate,
    VopVerificationDetailsResult? Verification, VopOverestimationResult? Overestimation, double ElapsedS, string SarkitVersion, string? SarBasis = null);

/// <summary>The certificate of a VOP set (docs/vop-format.md "Certificate").</summary>
/// <param name="Valid">True when the certificate passed, its digest matches the stored set and it is of the current form.</param>
/// <param name="Reason">Why the certificate is (not) valid; for a surrogate-derived set it says that it covers the predicted Q-matrices only (not true SAR).</param>
/// <param name="Passed">The verifier's verdict: every original matrix dominated within tolerance and no sampled drive underestimated.</param>
/// <param name="Criterion">Criterion proven for every original (<c>single</c>, <c>cc</c>, <c>co</c>).</param>
/// <param name="MatricesChecked">Original matrices checked.</param>
/// <param name="MatricesFailed">Original matrices not proven dominated.</param>
/// <param name="LargestViolation">Largest violation −λ_min(Σc_jV_j − Q), W/kg per drive unit²; null when undefined.</param>
/// <param name="LargestViolationOverSarWc">The largest violation as a fraction of SAR_wc; null when SAR_wc is unknown.</param>
/// <param name="LargestViolationIndex">Index of the original matrix with the largest violation.</param>
/// <param name="Tolerance">Verifier tolerance relative to SAR_wc.</param>
/// <param name="RandomDrives">Random unit drives of the second check.</param>
/// <param name="RandomMaxRelativeUnderestimation">Largest relative underestimation over the random drives; null when undefined.</param>
/// <param name="Verifier">Verifier name and version.</param>
/// <param name="CreatedUtc">Time the certificate was issued, UTC (yyyy-MM-ddTHH:mm:ssZ).</param>
/// <param name="Version">Certificate form (2 current).</param>
/// <param name="DigestSha256">SHA-256 digest binding VOPs, margin, SAR_wc, unit and originals (hex; detects accidental corruption only).</param>
/// <param name="Signed">True when an ECDSA P-256 signature of the digest is stored.</param>
/// <param name="SignerKeySha256">SHA-256 of the signer's public key (hex); null when unsigned.</param>
public sealed record VopCertificateResult(bool Valid, string Reason, bool Passed, string Criterion, long MatricesChecked, long MatricesFailed,
    double? LargestViolation, double? LargestViolationOverSarWc, long LargestViolationIndex, double Tolerance, long RandomDrives,
    double? RandomMaxRelativeUnderestimation, string Verifier, string CreatedUtc, int Version = 0, string DigestSha256 = "", bool Signed = false,
    string? SignerKeySha256 = null);

/// <summary>A histogram: bin edges and counts.</summary>
/// <param name="Edges">Bin edges (one more than counts), in the unit of the histogrammed quantity.</param>
/// <param name="Counts">Drives per bin.</param>
public sealed record HistogramResult(double[] Edges, long[] Counts);

/// <summary>Overestimation of a VOP set over random unit drives against its originals (docs/vop-cli.md "report").</summary>
/// <param name="Drives">Random unit drives.</param>
/// <param name="Seed">Seed of the drives.</param>
/// <param name="OriginalMatrices">Original matrices compared with.</param>
/// <param name="SarWc">SAR_wc of the originals, W/kg per drive unit².</param>
/// <param name="MeanRelative">Mean relative overestimation (SAR_VOP − SAR)/SAR.</param>
/// <param name="P95Relative">95th percentile of the relative overestimation.</param>
/// <param name="MaxRelative">Largest relative overestimation.</param>
/// <param name="MinRelative">Smallest relative overestimation (negative: a drive underestimated).</param>
/// <param name="MeanAbsoluteOverSarWc">Mean absolute overestimation as a fraction of SAR_wc.</param>
/// <param name="MaxAbsoluteOverSarWc">Largest absolute overestimation as a fraction of SAR_wc.</param>
/// <param name="UnderestimatingDrives">Drives whose VOP SAR is below the true SAR.</param>
/// <param name="RelativeHistogram">Histogram of the relative overestimation; null when not computed.</param>
/// <param name="AbsoluteHistogram">Histogram of the absolute overestimation over SAR_wc; null when not computed.</param>
public sealed record VopOverestimationResult(int Drives, int Seed, long OriginalMatrices, double SarWc, double MeanRelative, double P95Relative, double MaxRelative,
    double MinRelative, double MeanAbsoluteOverSarWc, double MaxAbsoluteOverSarWc, int UnderestimatingDrives, HistogramResult? RelativeHistogram,
    HistogramResult? AbsoluteHistogram);

/// <summary>The verifier's details of a run (docs/vop-cli.md "Certificate").</summary>
/// <param name="FailedIndices">Indices of original matrices not proven dominated.</param>
/// <param name="UnderestimatingDrives">Random drives whose VOP SAR was below the true SAR.</param>
/// <param name="Problems">Problems found, in words (empty when the certificate passed).</param>
/// <param name="Proofs">Originals per kind of proof: SourceVop, ReusedCombination, SingleVop, ConvexCombination, ProvenNotDominated, Undecided.</param>
public sealed record VopVerificationDetailsResult(long[] FailedIndices, long UnderestimatingDrives, string[] Problems, Dictionary<string, long> Proofs);

/// <summary>One streaming pass over Q-matrix inputs (<c>sarkit vop summarise</c>).</summary>
/// <param name="Inputs">The inputs, as described by the reader.</param>
/// <param name="Channels">Transmit channels N.</param>
/// <param name="Count">Number of matrices.</param>
/// <param name="SarWc">Max λ_max over all input matrices, W/kg per drive unit².</param>
/// <param name="Sha256">SHA-256 of the packed matrices (hex, as in VOP certificates).</param>
/// <param name="Normalisation">Field normalisation of the inputs.</param>
/// <param name="ElapsedS">Run time, s.</param>
/// <param name="SarkitVersion">SarKit version.</param>
[JsonResult("sarkit vop summarise --json", Order = 201)]
public sealed record VopSummaryResult(string Inputs, int Channels, long Count, double SarWc, string Sha256, string Normalisation, double ElapsedS, string SarkitVersion);

/// <summary>A VOP set as the web app's VOP page shows it: the CLI description plus what the page needs besides.</summary>
/// <param name="Source"><c>file</c> (opened from the data folder) or <c>compressed</c> (compressed by the web app).</param>
/// <param name="Name">Display name: the file's path in the data folder, or the dataset, mass and margin of a compression.</param>
/// <param name="Set">The set, as <c>sarkit vop report --json</c> describes it.</param>
/// <param name="CertificateValid">True when the set has a valid certificate.</param>
/// <param name="CertificateNote">Why the certificate is (not) valid, in words.</param>
/// <param name="VopSha256">SHA-256 of the VOP matrices recorded in the certificate (hex); null without a certificate.</param>
/// <param name="DriveUnit">Drive unit of the normalisation (<c>V</c>, <c>sqrt(W)</c>, <c>A</c>, <c>1</c>); SAR_wc is W/kg per this unit².</param>
/// <param name="SourceMatchesDataset">True when the originals are the chosen dataset's averaged Q-matrices (same SHA-256); null without a dataset.</param>
/// <param name="OverestimationAgainst">The originals of <c>set.overestimation</c>, in words; null without it.</param>
[JsonResult("VOP set of the web app", Web = "GET /api/vop/info; POST /api/vop/compress (`result`)", Order = 202)]
public sealed record VopPageResult(string Source, string Name, VopSetResult Set, bool CertificateValid, string CertificateNote, string? VopSha256,
    string DriveUnit, bool? SourceMatchesDataset, string? OverestimationAgainst);

/// <summary>State of a web compression job (POST /api/vop/compress).</summary>
/// <param name="State"><c>running</c> or <c>done</c> (a failed job answers its error instead).</param>
/// <param name="ElapsedS">Time since the job started (or its run time when done), s.</param>
/// <param name="Stage">What a running job is doing; null when done.</param>
/// <param name="Result">The compressed, certified set when done; null while running.</param>
[JsonResult("VOP compression job of the web app", Web = "POST /api/vop/compress", Order = 203)]
public sealed record VopJobResult(string State, double ElapsedS, string? Stage, VopPageResult? Result);

/// <summary>A file of the web app's data folder that may hold a VOP set.</summary>
/// <param name="Path">Path in the data folder.</param>
/// <param name="SizeBytes">File size, bytes.</param>
/// <param name="ModifiedUtc">Last modification time, UTC (ISO 8601).</param>
public sealed record VopFileResult(string Path, long SizeBytes, DateTime ModifiedUtc);

/// <summary>The files of the web app's data folder offered on the VOP page (.h5/.hdf5/.mat/.npz; any may be a VOP file).</summary>
/// <param name="DataFolder">Full path of the data folder on the server.</param>
/// <param name="Files">The files.</param>
[JsonResult("VOP files of the web app", Web = "GET /api/vop/files", Order = 204)]
public sealed record VopFilesResult(string DataFolder, VopFileResult[] Files);
