using Microsoft.Data.Sqlite;
using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.Mutation;

/// <summary>Chooses a mutation suited to a seed's format (structure-aware for text, header/payload-aware for binary).</summary>
public static class Mutators
{
    public static Mutant Mutate(Seed seed, Random rng, string workDir)
    {
        var src = File.ReadAllBytes(seed.Path);
        Mutant? m = seed.Group switch
        {
            "records" => Records(seed, src, rng, workDir),
            "npy" => rng.Next(2) == 0 ? ArrayHeaders.Npy(src, rng) : null,
            // int16 I/Q stream: shapes next to samples × channels × 2 (one sample more or less, 3 components, channels × samples × 2, 2-D)
            "wavestream-npy" => rng.Next(2) == 0 ? ArrayHeaders.Npy(src, rng, ["(301, 8, 2)", "(299, 8, 2)", "(300, 8, 3)", "(8, 300, 2)", "(300, 16)", "(150, 16, 2)", "(300, 8, 1)", "(2147483648, 8, 2)", "(300, 0, 2)", "(300, 4097, 2)"]) : null,
            "npz" or "dataset-npz" or "waveform-npz" => rng.Next(3) == 0 ? ArrayHeaders.NpzMember(src, rng) : null,
            _ => null,
        };
        if (m is not null) return m;
        if (seed.IsText) return Text(seed, src, rng);
        return Binary(seed, src, rng);
    }

    private static Mutant Binary(Seed seed, byte[] src, Random rng)
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            int r = rng.Next(20);
            Mutant? m = r switch
            {
                < 6 => BinaryMutator.InjectKnownDouble(src, seed.Known64, seed.Known32, rng),
                < 8 when seed.Dims.Length > 0 => Dim(src, seed, rng),
                < 10 => BinaryMutator.Hdf5FloatDatatype(src, rng),
                _ => BinaryMutator.Random(src, rng),
            };
            if (m is not null) return m;
        }
        return BinaryMutator.Random(src, rng);
    }

    private static Mutant? Dim(byte[] src, Seed seed, Random rng)
    {
        var run = seed.Dims[rng.Next(seed.Dims.Length)];
        long[] huge = [1_000_000, 3000, 1L << 40, 0x7fffffff, -1, 0, run[0] + 1, Math.Max(0, run[0] - 1)];
        long to = huge[rng.Next(huge.Length)];
        // a run of int64 (HDF5 dataspace, MAT v7.3) or int32 (MAT v5 dimensions, npy text excluded) values
        foreach (int width in rng.Next(2) == 0 ? new[] { 8, 4 } : new[] { 4, 8 })
        {
            var pat = new byte[run.Length * width];
            for (int i = 0; i < run.Length; i++)
                if (width == 8) BitConverter.GetBytes(run[i]).CopyTo(pat, i * 8); else BitConverter.GetBytes((int)run[i]).CopyTo(pat, i * 4);
            var hits = new List<int>();
            for (int i = BinaryMutator.IndexOf(src, pat, 0); i >= 0 && hits.Count < 64; i = BinaryMutator.IndexOf(src, pat, i + 1)) hits.Add(i);
            if (hits.Count == 0) continue;
            var b = (byte[])src.Clone(); int at = hits[rng.Next(hits.Count)], which = rng.Next(run.Length);
            if (width == 8) BitConverter.GetBytes(to).CopyTo(b, at + which * 8); else BitConverter.GetBytes((int)to).CopyTo(b, at + which * 4);
            // a smaller declared size reads fewer values than stored: silent truncation must never PASS
            string? forbid = to < run[which] && to >= 0 ? Mutant.DeletedRows : null;
            return new($"dims{width * 8}[{string.Join(',', run)}]@{at}#{which}={to}", b, forbid);
        }
        return null;
    }

    // ------------------------------------------------------------------ text

    private static Mutant Text(Seed seed, byte[] src, Random rng)
    {
        string text = TextMutator.Text(src);
        var lines = text.Split('\n');
        bool yaml = seed.Path.EndsWith(".yaml") || seed.Path.EndsWith(".yml");
        bool json = seed.Path.EndsWith(".json");
        bool seq = seed.Path.EndsWith(".seq");
        bool wave = seed.Group == "waveform-csv";
        var sections = seq ? SeqSections(lines) : null;
        int sigLine = Array.FindIndex(lines, l => l.Trim() == "[SIGNATURE]");
        Func<int, bool> body = i => sigLine < 0 || i < sigLine - 1;
        Func<int, bool> seqEvents = i => sections is not null && sections[i] is "BLOCKS" or "RF" or "SHAPES" or "EXTENSIONS" && lines[i].Trim().Length > 0 && body(i);
        Func<int, bool> waveRows = i => wave && lines[i].Length > 0 && !lines[i].StartsWith('#') && char.IsDigit(lines[i].TrimStart('-')[0]);
        Func<string, int, bool> amplitude = (t, at) => seq ? sections![TextMutator.LineOf(t, at)] is "RF" or "SHAPES" : wave;
        Mutant? m = null;
        for (int attempt = 0; attempt < 6 && m is null; attempt++)
        {
            int r = rng.Next(20);
            m = r switch
            {
                < 7 => TextMutator.ReplaceNumber(text, rng, amplitude, seq ? body : null),
                < 9 => TextMutator.DeleteLines(text, rng, seq ? seqEvents : wave ? waveRows : null, wave ? Mutant.DeletedRows : null),
                < 10 => TextMutator.DuplicateLine(text, rng, seq ? seqEvents : wave ? waveRows : null),
                < 11 => TextMutator.SwapLines(text, rng),
                < 12 when seq => TextMutator.ScaleLine(text, rng, i => sections![i] is "RF" && body(i), rng.Next(2) == 0 ? 1e160 : 1e300),
                < 12 when wave => TextMutator.ScaleLine(text, rng, waveRows, rng.Next(2) == 0 ? 1e160 : 1e300),
                < 13 when json || yaml => TextMutator.WrongType(text, rng),
                < 14 when json => TextMutator.JsonDeepNesting(text, rng),
                < 14 when yaml => TextMutator.YamlDeepNesting(text, rng),
                < 15 when yaml => TextMutator.YamlAliasBomb(text, rng),
                < 15 when json => TextMutator.DuplicateJsonKey(text, rng),
                < 17 => null,
                _ => BinaryMutator.Random(src, rng),
            };
        }
        m ??= BinaryMutator.Random(src, rng);
        if (seed.Signed && m.PassForbidden is null) m = SignedCheck(text, m);
        if (wave && m.PassForbidden is null && m.Name.StartsWith("truncate")) m = m with { PassForbidden = Mutant.DeletedRows };
        if (!seed.Signed && !wave && m.Name.StartsWith("truncate")) m = m with { PassForbidden = null }; // a cut text file may be a shorter valid file
        return m;
    }

    /// <summary>A signed Pulseq file whose content before [SIGNATURE] changed while the signature stayed must be refused.</summary>
    private static Mutant SignedCheck(string original, Mutant m)
    {
        string mutated = TextMutator.Text(m.Bytes);
        int a = original.IndexOf("\n[SIGNATURE]", StringComparison.Ordinal), b = mutated.IndexOf("\n[SIGNATURE]", StringComparison.Ordinal);
        if (a < 0 || b < 0) return m with { PassForbidden = null };
        string hash = original[original.IndexOf("Hash ", a, StringComparison.Ordinal)..].Trim();
        bool sigKept = mutated.IndexOf(hash, b, StringComparison.Ordinal) >= 0;
        bool bodyChanged = original[..a] != mutated[..b];
        return sigKept && bodyChanged ? m with { PassForbidden = Mutant.SignedChanged } : m with { PassForbidden = null };
    }

    private static string[] SeqSections(string[] lines)
    {
        var s = new string[lines.Length]; string cur = "";
        for (int i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.StartsWith('[') && t.EndsWith(']')) cur = t[1..^1];
            s[i] = cur;
        }
        return s;
    }

    // ------------------------------------------------------------------ records (SQLite)

    private static Mutant Records(Seed seed, byte[] src, Random rng, string workDir)
    {
        int r = rng.Next(10);
        if (r >= 6) return r == 9 ? BinaryMutator.Truncate(src, rng) with { PassForbidden = Mutant.Tampered } : BinaryMutator.Random(src, rng);
        Directory.CreateDirectory(workDir);
        string tmp = Path.Combine(workDir, $"records-{Guid.NewGuid():N}.db");
        File.WriteAllBytes(tmp, src);
        string name;
        using (var c = new SqliteConnection($"Data Source={tmp};Pooling=False"))
        {
            c.Open();
            var tables = Query(c, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
            string table = tables.Count > 0 ? tables[0] : "records";
            foreach (var trg in Query(c, "SELECT name FROM sqlite_master WHERE type='trigger'")) Exec(c, $"DROP TRIGGER \"{trg}\"");
            var cols = Query(c, $"SELECT name FROM pragma_table_info('{table}')");
            string sarCol = cols.FirstOrDefault(x => x.Contains("sar")) ?? cols.Last();
            (name, var sql) = r switch
            {
                0 => ("update-sar", $"UPDATE \"{table}\" SET \"{sarCol}\" = \"{sarCol}\" * 0.5 WHERE rowid = (SELECT min(rowid) FROM \"{table}\")"),
                1 => ("delete-row", $"DELETE FROM \"{table}\" WHERE rowid = (SELECT min(rowid) + 1 FROM \"{table}\")"),
                2 => ("forge-row", $"INSERT INTO \"{table}\" SELECT * FROM \"{table}\" WHERE rowid = (SELECT max(rowid) FROM \"{table}\")".Replace("SELECT *", ForgeSelect(cols))),
                3 => ("drop-table", $"DROP TABLE \"{table}\""),
                4 => ("delete-all", $"DELETE FROM \"{table}\""),
                _ => ("update-created", $"UPDATE \"{table}\" SET \"{cols.FirstOrDefault(x => x.Contains("created")) ?? sarCol}\" = '2000-01-01T00:00:00Z' WHERE rowid = (SELECT max(rowid) FROM \"{table}\")"),
            };
            try { Exec(c, sql); } catch (SqliteException e) { name += "(sql:" + e.SqliteErrorCode + ")"; }
        }
        SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(tmp);
        File.Delete(tmp);
        return new($"sqlite-{name}", bytes, Mutant.Tampered);
    }

    private static string ForgeSelect(List<string> cols) =>
        "SELECT " + string.Join(", ", cols.Select(c => c == "id" ? "NULL" : c.Contains("sar") ? $"\"{c}\" * 0.1" : $"\"{c}\""));

    private static List<string> Query(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand(); cmd.CommandText = sql;
        using var r = cmd.ExecuteReader(); var l = new List<string>();
        while (r.Read()) l.Add(r.GetString(0));
        return l;
    }

    private static void Exec(SqliteConnection c, string sql) { using var cmd = c.CreateCommand(); cmd.CommandText = sql; cmd.ExecuteNonQuery(); }
}
