using Microsoft.Extensions.Options;
using Reach.Policy;

namespace Reach.Server;

/// <summary>
/// The start options of SPEC §10, read from configuration (command line <c>--db x</c>, environment, or a test host's
/// settings): <c>urls</c>, <c>db</c>, <c>admin-key</c> (or <c>REACH_ADMIN_KEY</c>), <c>policy</c>, <c>clock</c>, <c>demo</c>.
/// </summary>
public sealed record StartOptions(DatabaseOptions Database, string? AdminKey, string? PolicyPath, bool ManualClock, bool Demo)
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>How long a request may take before it answers 503 (<c>--request-timeout</c>, seconds).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reach's own start options (SPEC §10), as an unknown option's message lists them.</summary>
    public static readonly string[] Options = ["urls", "db", "db-read", "admin-key", "policy", "clock", "demo", "otlp", "request-timeout", "write-queue"];

    /// <summary>Every command-line option the server takes, Reach's and the host's own; any other <c>--name</c> stops it.</summary>
    public static readonly string[] Known = [.. Options, "environment", "contentRoot", "applicationName"];

    /// <summary>The options of validated settings (<see cref="StartSettingsValidator"/> has checked them).</summary>
    public static StartOptions From(StartSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var adminKey = settings.AdminKey ?? settings.AdminKeyFromEnvironment;
        return new StartOptions(
            DatabaseOptions.Parse(string.IsNullOrWhiteSpace(settings.Db) ? "reach.db" : settings.Db) with
            {
                WriteQueue = StartSettings.Whole(settings.WriteQueue) ?? DatabaseOptions.DefaultWriteQueue,
                ReadConnectionString = string.IsNullOrWhiteSpace(settings.DbRead) ? null : settings.DbRead,
            },
            string.IsNullOrEmpty(adminKey) ? null : adminKey,
            settings.Policy,
            settings.Clock == "manual",
            settings.Demo is "" or "true")
        {
            RequestTimeout = TimeSpan.FromSeconds(StartSettings.Whole(settings.RequestTimeout) ?? 30),
        };
    }

    /// <summary>Where the database is, without its credentials: the SQLite file, or PostgreSQL's host and database.</summary>
    public static string Describe(DatabaseOptions database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.IsPostgres)
        {
            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"{postgres.Host}:{postgres.Port}/{postgres.Database}";
        }

        return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
    }

    /// <summary>Reads the policy file, or the defaults when none is given.</summary>
    public ReachPolicy LoadPolicy()
    {
        if (PolicyPath is null)
        {
            return ReachPolicy.Default;
        }

        string text;
        try
        {
            text = File.ReadAllText(PolicyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartException($"--policy: cannot read '{PolicyPath}': {e.Message}");
        }

        try
        {
            return PolicyFile.Parse(text);
        }
        catch (PolicyException e)
        {
            throw new StartException($"--policy '{PolicyPath}': " + string.Join("; ", e.Errors.Select(error => error.Message)));
        }
    }

    /// <summary>
    /// Gives a bare <c>--demo</c> its value, so that it does not take the next option as one
    /// (<c>--demo --urls http://...</c>).
    /// </summary>
    public static string[] WithFlagValues(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return [.. args.Select(arg => arg == "--demo" ? "--demo=true" : arg)];
    }

    /// <summary>Names the first unknown <c>--option</c> in <paramref name="args"/>, if any.</summary>
    public static string? UnknownOption(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..].Split('=')[0];
                if (!Known.Contains(name, StringComparer.Ordinal))
                {
                    return arg;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// The start options as configuration gives them (command line <c>--db x</c>, environment, or a test host's settings),
/// bound once by the options pattern and checked at start by <see cref="StartSettingsValidator"/>.
/// </summary>
public sealed class StartSettings
{
    public string? Db { get; set; }

    /// <summary>PostgreSQL: a standby's connection string for the reads that may be a little stale (docs/DESIGN.md).</summary>
    [ConfigurationKeyName("db-read")]
    public string? DbRead { get; set; }

    [ConfigurationKeyName("admin-key")]
    public string? AdminKey { get; set; }

    [ConfigurationKeyName("REACH_ADMIN_KEY")]
    public string? AdminKeyFromEnvironment { get; set; }

    public string? Policy { get; set; }

    public string? Clock { get; set; }

    public string? Demo { get; set; }

    /// <summary>An OpenTelemetry collector's OTLP/HTTP address (<c>http://host:4318</c>): traces are exported there.</summary>
    public string? Otlp { get; set; }

    /// <summary>Seconds a request may take (1–600, default 30): then it answers 503 <c>unavailable</c> instead of waiting on.</summary>
    [ConfigurationKeyName("request-timeout")]
    public string? RequestTimeout { get; set; }

    /// <summary>SQLite: write transactions that may wait for the group commit (1–1,000,000, default 1,024); one more answers 503.</summary>
    [ConfigurationKeyName("write-queue")]
    public string? WriteQueue { get; set; }

    /// <summary>An option's value as a whole number (digits only), or null when it is not one.</summary>
    public static int? Whole(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;
}

/// <summary>Checks the start options at start; each failure names its option.</summary>
public sealed class StartSettingsValidator : IValidateOptions<StartSettings>
{
    public ValidateOptionsResult Validate(string? name, StartSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Clock is not (null or "" or "system" or "manual"))
        {
            failures.Add($"--clock must be 'manual' or 'system', not '{options.Clock}'.");
        }

        if (options.Otlp is { Length: > 0 } otlp && !(Uri.TryCreate(otlp, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            failures.Add($"--otlp must be an http or https address, not '{otlp}'.");
        }

        if (options.RequestTimeout is { } timeout && StartSettings.Whole(timeout) is not (>= 1 and <= 600))
        {
            failures.Add($"--request-timeout must be a whole number of seconds from 1 to 600, not '{timeout}'.");
        }

        if (options.WriteQueue is { } queue && StartSettings.Whole(queue) is not (>= 1 and <= 1_000_000))
        {
            failures.Add($"--write-queue must be a whole number from 1 to 1000000, not '{queue}'.");
        }

        if (options.DbRead is { Length: > 0 } read
            && !(IsPostgres(read) && IsPostgres(options.Db ?? string.Empty)))
        {
            failures.Add("--db-read must be a PostgreSQL connection string (Host=...), and --db one too: standbys are PostgreSQL's.");
        }

        if ((options.AdminKey ?? options.AdminKeyFromEnvironment) is { Length: > 0 and < 16 })
        {
            failures.Add("--admin-key must have at least 16 characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsPostgres(string db) => DatabaseOptions.Parse(db).IsPostgres;
}

/// <summary>A start option or policy file that stops the server, with a message that names it.</summary>
public sealed class StartException(string message) : Exception(message);
