using Microsoft.EntityFrameworkCore;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;
using Spectre.Console;

namespace Reach.Server;

/// <summary>
/// The <c>reach</c> commands for operators (SPEC §10), on the same database as the server:
/// <c>migrate</c>, <c>tier</c>, <c>status</c>, <c>credits</c>, <c>explain</c>. Exit codes: 0 done, 1 refused, 2 bad usage.
/// </summary>
public static class Cli
{
    private static readonly string[] Commands = ["migrate", "tier", "status", "credits", "explain", "help"];

    private const string Usage = """
        usage: reach <command> [arguments] [--db PATH|CONNECTION] [--policy FILE]
          migrate                          apply the database migrations
          tier HANDLE TIER                 set a member's tier
          status HANDLE STATUS [--until T] set active, restricted (until T), suspended or deactivated
          credits HANDLE AMOUNT [NOTE]     grant (or, negative, take) InMail credits
          explain SENDER RECIPIENT         print the decision trace for a pair
        """;

    public static bool IsCommand(string arg) => Commands.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (positional, options) = Split(args);
        if (positional[0] == "help" || options.ContainsKey("help"))
        {
            AnsiConsole.WriteLine(Usage);
            return 0;
        }

        var unknownOption = options.Keys.FirstOrDefault(key => key is not ("db" or "policy" or "until"));
        if (unknownOption is not null)
        {
            return Fail($"unknown option '--{unknownOption}'.", usage: true);
        }

        StartOptions start;
        ReachPolicy policy;
        try
        {
            start = new StartOptions(DatabaseOptions.Parse(options.GetValueOrDefault("db") ?? "reach.db"), null, options.GetValueOrDefault("policy"), false, false);
            policy = start.LoadPolicy();
        }
        catch (StartException e)
        {
            return Fail(e.Message);
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(policy)
            .AddSingleton(TimeProvider.System)
            .AddReach(_ => start.Database)
            .BuildServiceProvider();
        await using (services)
        {
            await services.MigrateAsync();
            await using var scope = services.CreateAsyncScope();
            var admin = scope.ServiceProvider.GetRequiredService<AdminService>();
            return positional[0] switch
            {
                "migrate" => Done("The database is up to date."),
                "tier" when positional.Count == 3 => Report(await admin.SetTierAsync(positional[1], new TierRequest(positional[2]), default), policy),
                "status" when positional.Count == 3 => await SetStatusAsync(admin, positional, options, policy),
                "credits" when positional.Count is 3 or 4 => await GrantAsync(admin, positional, policy),
                "explain" when positional.Count == 3 => await ExplainAsync(admin, positional[1], positional[2], policy),
                _ => Fail($"wrong arguments for '{positional[0]}'.", usage: true),
            };
        }
    }

    private static async Task<int> SetStatusAsync(AdminService admin, List<string> positional, Dictionary<string, string?> options, ReachPolicy policy)
    {
        DateTimeOffset? until = null;
        if (options.TryGetValue("until", out var text))
        {
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Fail($"--until '{text}' is not a date and time.", usage: true);
            }

            until = parsed;
        }

        return Report(await admin.SetStatusAsync(positional[1], new StatusRequest(positional[2], until), default), policy);
    }

    private static async Task<int> GrantAsync(AdminService admin, List<string> positional, ReachPolicy policy)
    {
        if (!int.TryParse(positional[2], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            return Fail($"AMOUNT '{positional[2]}' is not a whole number.", usage: true);
        }

        var outcome = await admin.GrantCreditsAsync(positional[1], new CreditGrantRequest(amount, positional.ElementAtOrDefault(3)), default);
        if (outcome.Failure is { } failure)
        {
            return Fail(failure.Detail);
        }

        return Done($"Balance of {positional[1]}: {outcome.Value!.Account.Balance} credits.");
    }

    private static async Task<int> ExplainAsync(AdminService admin, string sender, string recipient, ReachPolicy policy)
    {
        var outcome = await admin.ExplainAsync(sender, recipient, default);
        if (outcome.Failure is { } failure)
        {
            return Fail(failure.Detail);
        }

        foreach (var (title, decision) in new[] { ("Message", outcome.Value!.Regular), ("InMail", outcome.Value.InMail) })
        {
            var trace = TraceJson.From(decision, policy);
            var table = new Table().Title($"{title} from {sender} to {recipient}: " + (decision.Allowed ? $"[green]allowed ({trace.Decision.Channel})[/]" : "[red]locked[/]"));
            table.AddColumn("rule").AddColumn("outcome");
            foreach (var (rule, result) in trace.Rules)
            {
                var colour = result switch { "failed" => "red", "passed" => "green", _ => "grey" };
                table.AddRow(rule, $"[{colour}]{result}[/]");
            }

            AnsiConsole.Write(table);
            if (!decision.Allowed)
            {
                AnsiConsole.MarkupLine("reasons: " + Markup.Escape(string.Join(", ", trace.Decision.Reasons)));
                AnsiConsole.MarkupLine("remedies: " + Markup.Escape(string.Join(", ", trace.Decision.Remedies.Select(r => r.Code))));
            }
        }

        return 0;
    }

    private static int Report(Outcome<Member> outcome, ReachPolicy policy)
    {
        if (outcome.Failure is { } failure)
        {
            return Fail(failure.Detail);
        }

        var member = outcome.Value!;
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return Done($"{member.Handle}: {tier.DisplayName}, {member.Status.Code()}" + (member.RestrictedUntil is { } until ? $" until {until:u}" : string.Empty) + $", {member.CreditBalance} credits.");
    }

    private static int Done(string message)
    {
        AnsiConsole.MarkupLine("[green]" + Markup.Escape(message) + "[/]");
        return 0;
    }

    private static int Fail(string message, bool usage = false)
    {
        AnsiConsole.MarkupLine("[red]reach: " + Markup.Escape(message) + "[/]");
        if (usage)
        {
            AnsiConsole.WriteLine(Usage);
        }

        return usage ? 2 : 1;
    }

    private static (List<string> Positional, Dictionary<string, string?> Options) Split(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var name = args[i][2..];
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    options[name[..eq]] = name[(eq + 1)..];
                }
                else
                {
                    options[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                }
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return (positional, options);
    }
}
