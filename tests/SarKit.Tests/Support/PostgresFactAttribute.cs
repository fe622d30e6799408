namespace SarKit.Tests.Support;

/// <summary>
/// A fact that needs a PostgreSQL server: the connection string (Npgsql key=value or a postgresql:// URI, to a database the
/// tests may create a table in) is read from the environment variable <see cref="Variable"/>; without it the test is
/// skipped visibly with that reason.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Environment variable holding the test server's connection string.</summary>
    public const string Variable = "SARKIT_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
            Skip = $"no PostgreSQL test server: set {Variable} to a connection string (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=sarkit_test).";
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}

/// <summary>A theory that runs only when <see cref="PostgresFactAttribute.Variable"/> names a PostgreSQL test server.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (string.IsNullOrWhiteSpace(PostgresFactAttribute.ConnectionString))
            Skip = $"no PostgreSQL test server: set {PostgresFactAttribute.Variable} to a connection string.";
    }
}
