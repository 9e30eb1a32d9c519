using System.Text.RegularExpressions;

namespace Reach.Data;

/// <summary>
/// A statement of a hot path, written once in SQL that both databases read alike (or once for each, where one text does
/// not serve both), with <c>@named</c> parameters.
/// SQLite runs it as written; for PostgreSQL the names become positions (<c>$1</c>, <c>$2</c>, …) once, here, so that
/// Npgsql sends it without parsing it each time and prepares it on the server after its second use.
/// </summary>
public sealed partial class Statement
{
    private readonly string[] _parameters;

    /// <param name="sql">The statement; every <c>@name</c> in it must be in <paramref name="parameters"/>.</param>
    /// <param name="parameters">The parameter names, in the order of their positions on PostgreSQL.</param>
    public Statement(string sql, params string[] parameters) : this(sql, postgresOnly: false, parameters)
    {
    }

    private Statement(string sql, bool postgresOnly, string[] parameters) : this(sql, sql, postgresOnly, parameters)
    {
    }

    private Statement(string sqlite, string postgres, bool postgresOnly, string[] parameters)
    {
        ArgumentNullException.ThrowIfNull(sqlite);
        ArgumentNullException.ThrowIfNull(postgres);
        _parameters = parameters;
        Sqlite = sqlite;
        PostgresOnly = postgresOnly;
        ReturnsRows = Query(sqlite);
        if (Query(postgres) != ReturnsRows)
        {
            throw new ArgumentException("The two texts of a statement must both give rows, or neither.", nameof(postgres));
        }

        Postgres = Name().Replace(postgres, match =>
        {
            var index = Array.IndexOf(parameters, match.Groups[1].Value);
            return index < 0
                ? throw new ArgumentException($"@{match.Groups[1].Value} is not a declared parameter of: {postgres}", nameof(postgres))
                : "$" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        foreach (var parameter in parameters)
        {
            if (!sqlite.Contains("@" + parameter, StringComparison.Ordinal) || !postgres.Contains("@" + parameter, StringComparison.Ordinal))
            {
                throw new ArgumentException($"@{parameter} is declared but not used in: {sqlite}", nameof(parameters));
            }
        }

        foreach (Match match in Name().Matches(sqlite))
        {
            if (!parameters.Contains(match.Groups[1].Value))
            {
                throw new ArgumentException($"@{match.Groups[1].Value} is not a declared parameter of: {sqlite}", nameof(sqlite));
            }
        }
    }

    private static bool Query(string sql) =>
        sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || sql.Contains("RETURNING", StringComparison.Ordinal);

    /// <summary>The text SQLite runs, with <c>@named</c> parameters.</summary>
    public string Sqlite { get; }

    /// <summary>The text PostgreSQL runs, with positional parameters.</summary>
    public string Postgres { get; }

    /// <summary>Whether it gives a result set (a query, or a write with <c>RETURNING</c>), even an empty one.</summary>
    public bool ReturnsRows { get; }

    /// <summary>A statement only PostgreSQL needs (a row lock); SQLite skips it.</summary>
    public bool PostgresOnly { get; }

    public int ParameterCount => _parameters.Length;

    internal string ParameterName(int index) => _parameters[index];

    /// <summary>The position of a parameter; a name the statement does not declare is a bug.</summary>
    public int IndexOf(string name)
    {
        var index = Array.IndexOf(_parameters, name);
        return index >= 0 ? index : throw new ArgumentException($"@{name} is not a parameter of: {Sqlite}", nameof(name));
    }

    /// <summary>
    /// A statement written for each database where one text does not serve both well (the same parameters, the same
    /// columns in the same order).
    /// </summary>
    public static Statement PerDatabase(string sqlite, string postgres, params string[] parameters) => new(sqlite, postgres, postgresOnly: false, parameters);

    /// <summary>A statement only PostgreSQL runs.</summary>
    public static Statement PostgresOnlyStatement(string sql, params string[] parameters) => new(sql, postgresOnly: true, parameters);

    [GeneratedRegex("@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Name();
}
