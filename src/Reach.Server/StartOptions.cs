using Reach.Policy;

namespace Reach.Server;

/// <summary>
/// The start options of SPEC §10, read from configuration (command line <c>--db x</c>, environment, or a test host's
/// settings): <c>urls</c>, <c>db</c>, <c>admin-key</c> (or <c>REACH_ADMIN_KEY</c>), <c>policy</c>, <c>clock</c>, <c>demo</c>.
/// </summary>
public sealed record StartOptions(DatabaseOptions Database, string? AdminKey, string? PolicyPath, bool ManualClock, bool Demo)
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The command-line options the server knows; any other <c>--name</c> stops it.</summary>
    public static readonly string[] Known = ["urls", "db", "admin-key", "policy", "clock", "demo", "environment", "contentRoot", "applicationName"];

    public static StartOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var clock = configuration["clock"];
        if (clock is not (null or "" or "system" or "manual"))
        {
            throw new StartException($"--clock must be 'manual' or 'system', not '{clock}'.");
        }

        var db = configuration["db"];
        var adminKey = configuration["admin-key"] ?? configuration["REACH_ADMIN_KEY"];
        if (adminKey is { Length: < 16 })
        {
            throw new StartException("--admin-key must have at least 16 characters.");
        }

        return new StartOptions(
            DatabaseOptions.Parse(string.IsNullOrWhiteSpace(db) ? "reach.db" : db),
            string.IsNullOrEmpty(adminKey) ? null : adminKey,
            configuration["policy"],
            clock == "manual",
            configuration["demo"] is "" or "true");
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

/// <summary>A start option or policy file that stops the server, with a message that names it.</summary>
public sealed class StartException(string message) : Exception(message);
