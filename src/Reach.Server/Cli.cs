using System.CommandLine;
using System.Globalization;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;
using Spectre.Console;

namespace Reach.Server;

/// <summary>
/// The <c>reach</c> commands for operators (SPEC §10), on the same database as the server, parsed by
/// System.CommandLine: <c>migrate</c>, <c>tier</c>, <c>status</c>, <c>credits</c>, <c>explain</c>, <c>whatif</c>, each with
/// <c>--help</c>. Exit codes: 0 done, 1 refused (an unknown member, a rule), 2 bad usage (printed with the command's help).
/// </summary>
public static class Cli
{
    public const int Done = 0;

    public const int Refused = 1;

    public const int BadUsage = 2;

    private static readonly string[] Commands = ["migrate", "tier", "status", "credits", "explain", "whatif", "help", "--help", "-h", "-?"];

    /// <summary>Whether the first argument names a command (or asks for help) rather than starting the server.</summary>
    public static bool IsCommand(string arg) => Commands.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Build();
        var parse = root.Parse(args is ["help", .. var rest] ? [.. rest, "--help"] : args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync();
        }

        foreach (var error in parse.Errors)
        {
            AnsiConsole.MarkupLine("[red]reach: " + Markup.Escape(error.Message) + "[/]");
        }

        // The help of the command that was meant, so that the usage is right there.
        var path = new List<string>();
        for (var command = parse.CommandResult; command.Command != root; command = (System.CommandLine.Parsing.CommandResult)command.Parent!)
        {
            path.Insert(0, command.Command.Name);
        }

        await root.Parse([.. path, "--help"]).InvokeAsync();
        return BadUsage;
    }

    private static Command Build()
    {
        var db = new Option<string>("--db")
        {
            Description = "The database: a SQLite file or a PostgreSQL connection string (Host=...;Database=...).",
            HelpName = "path|connection",
            DefaultValueFactory = _ => "reach.db",
            Recursive = true,
        };
        // The server's policy file, on each command but whatif, whose --policy is the candidate (its --in-force this).
        var policyFile = new Option<string?>("--policy") { Description = "The policy file the server runs with (tiers and their names).", HelpName = "file" };
        var root = new Command(
            "reach",
            "Reach decides who may message whom. Without a command, `reach` starts the server: --urls, --db, --admin-key, " +
            "--policy, --clock manual, --demo (README.md). With one, it changes or explains members on the server's database.")
        {
            new System.CommandLine.Help.HelpOption(),
        };
        root.Options.Add(db);

        var migrate = new Command("migrate", "Apply the database's migrations (the server also applies them at start).");
        migrate.SetAction((parse, cancel) => WithAdminAsync(parse, db, policyFile, (_, _) => Task.FromResult(Say("The database is up to date.")), cancel));
        root.Subcommands.Add(migrate);

        var handle = new Argument<string>("handle") { Description = "The member's handle." };
        var tierId = new Argument<string>("tier") { Description = "A tier of the policy: basic, premium_career, premium_business, sales_navigator, recruiter (by default)." };
        var tier = new Command("tier", "Set a member's tier; a tier with InMail grants its credits at once.") { handle, tierId };
        tier.SetAction((parse, cancel) => WithAdminAsync(parse, db, policyFile, async (admin, policy) =>
            Report(await admin.SetTierAsync(parse.GetValue(handle)!, new TierRequest(parse.GetValue(tierId)), cancel), policy), cancel));
        root.Subcommands.Add(tier);

        var statusHandle = new Argument<string>("handle") { Description = "The member's handle." };
        var statusValue = new Argument<string>("status") { Description = "active, restricted, suspended or deactivated." };
        var until = new Option<DateTimeOffset?>("--until")
        {
            Description = "When a restriction ends (ISO 8601; UTC unless an offset is given). Without it, until lifted.",
            HelpName = "time",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return parsed;
                }

                result.AddError($"--until '{text}' is not a date and time.");
                return null;
            },
        };
        var status = new Command("status", "Set a member's status; restricted takes --until.") { statusHandle, statusValue, until };
        status.SetAction((parse, cancel) => WithAdminAsync(parse, db, policyFile, async (admin, policy) =>
            Report(await admin.SetStatusAsync(parse.GetValue(statusHandle)!, new StatusRequest(parse.GetValue(statusValue), parse.GetValue(until)), cancel), policy), cancel));
        root.Subcommands.Add(status);

        var creditsHandle = new Argument<string>("handle") { Description = "The member's handle." };
        var amount = new Argument<int>("amount") { Description = "Credits to grant, or with a minus sign to take." };
        var note = new Argument<string?>("note") { Description = "Why, for the member's ledger.", Arity = ArgumentArity.ZeroOrOne };
        var credits = new Command("credits", "Grant (or take) InMail credits.") { creditsHandle, amount, note };
        credits.SetAction((parse, cancel) => WithAdminAsync(parse, db, policyFile, async (admin, _) =>
        {
            var member = parse.GetValue(creditsHandle)!;
            var outcome = await admin.GrantCreditsAsync(member, new CreditGrantRequest(parse.GetValue(amount), parse.GetValue(note)), cancel);
            return outcome.Failure is { } failure ? Fail(failure.Detail) : Say($"Balance of {member}: {outcome.Value!.Account.Balance} credits.");
        }, cancel));
        root.Subcommands.Add(credits);

        var sender = new Argument<string>("sender") { Description = "The sender's handle." };
        var recipient = new Argument<string>("recipient") { Description = "The recipient's handle." };
        var explain = new Command("explain", "Print every rule of the decision for a message and for an InMail from one member to another.") { sender, recipient };
        explain.SetAction((parse, cancel) => WithAdminAsync(parse, db, policyFile, (admin, policy) =>
            ExplainAsync(admin, parse.GetValue(sender)!, parse.GetValue(recipient)!, policy, cancel), cancel));
        root.Subcommands.Add(explain);

        var candidate = new Option<string>("--policy") { Description = "The candidate policy file to replay under.", HelpName = "file", Required = true };
        var inForce = new Option<string?>("--in-force") { Description = "The policy file the server runs with (default: the built-in policy).", HelpName = "file" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "The start of the period, e.g. 2026-11-01 (default: 30 days before --to).", HelpName = "time" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "The end of the period (default: now).", HelpName = "time" };
        var whatIf = new Command("whatif", "Replay the sends logged in a period under a candidate policy and print what would change (nothing is written).") { candidate, inForce, from, to };
        whatIf.SetAction((parse, cancel) => WithServicesAsync(parse, db, inForce, (services, _) =>
            WhatIfAsync(services, parse.GetValue(candidate)!, parse.GetValue(from), parse.GetValue(to), cancel), cancel));
        root.Subcommands.Add(whatIf);
        foreach (var command in root.Subcommands.Where(command => command != whatIf))
        {
            command.Options.Add(policyFile);
        }

        return root;
    }

    // Opens the database (migrated, with a spinner while it takes), then runs the command on the admin service.
    private static Task<int> WithAdminAsync(
        ParseResult parse, Option<string> db, Option<string?> policyFile, Func<AdminService, ReachPolicy, Task<int>> command, CancellationToken cancel) =>
        WithServicesAsync(parse, db, policyFile, (services, policy) => command(services.GetRequiredService<AdminService>(), policy), cancel);

    // Opens the database (migrated, with a spinner while it takes), then runs the command in a scope of Reach's services.
    private static async Task<int> WithServicesAsync(
        ParseResult parse, Option<string> db, Option<string?> policyFile, Func<IServiceProvider, ReachPolicy, Task<int>> command, CancellationToken cancel)
    {
        StartOptions start;
        ReachPolicy policy;
        try
        {
            start = new StartOptions(DatabaseOptions.Parse(parse.GetValue(db)!), null, parse.GetValue(policyFile), false, false);
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
            await AnsiConsole.Status().StartAsync("Opening the database…", _ => services.MigrateAsync(cancel));
            await using var scope = services.CreateAsyncScope();
            return await command(scope.ServiceProvider, policy);
        }
    }

    private static async Task<int> ExplainAsync(AdminService admin, string sender, string recipient, ReachPolicy policy, CancellationToken cancel)
    {
        var outcome = await admin.ExplainAsync(sender, recipient, cancel);
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

        return Done;
    }

    private static async Task<int> WhatIfAsync(IServiceProvider services, string file, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancel)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancel);
        }
        catch (IOException e)
        {
            AnsiConsole.MarkupLine("[red]reach: " + Markup.Escape($"The candidate policy file cannot be read: {e.Message}") + "[/]");
            return BadUsage;
        }

        var (candidate, error) = WhatIfApi.Candidate(text);
        if (error is { } bad)
        {
            AnsiConsole.MarkupLine("[red]reach: " + Markup.Escape($"{bad.Field}: {bad.Detail}") + "[/]");
            return BadUsage;
        }

        var end = to ?? WhatIfApi.DefaultEnd(DateTimeOffset.UtcNow);
        var start = from ?? end - WhatIfApi.DefaultPeriod;
        var whatIf = services.GetRequiredService<Decisions.WhatIf>();
        Decisions.WhatIfResult result;
        if (Console.IsOutputRedirected)
        {
            result = await whatIf.ReplayAsync(candidate!, start, end, null, cancel);
        }
        else
        {
            result = await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask("Replaying the logged sends", maxValue: 1);
                return await whatIf.ReplayAsync(candidate!, start, end, new Progress<double>(done => task.Value = done), cancel);
            });
        }

        var r = result.Report;
        AnsiConsole.MarkupLine(Markup.Escape($"Sends from {start:u} to {end:u}: {r.Decisions} replayed, {r.Unchanged} unchanged, {r.NowLocked} now locked, {r.NowAllowed} now allowed, {r.ReasonsChanged} locked for other reasons, {r.Skipped} skipped."));
        AnsiConsole.MarkupLine(Markup.Escape($"InMail credits spent: {r.CreditsBefore} before, {r.CreditsAfter} after."));
        if (r.ByReason.Count > 0)
        {
            var reasons = new Table().Title("Newly locked, by reason").AddColumn("reason").AddColumn(new TableColumn("decisions").RightAligned());
            foreach (var (reason, count) in r.ByReason.OrderByDescending(e => e.Value))
            {
                reasons.AddRow(reason, count.ToString(CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(reasons);
        }

        foreach (var (title, tiers) in new[] { ("By the sender's tier", r.BySenderTier), ("By the recipient's tier", r.ByRecipientTier) })
        {
            if (tiers.Count > 0)
            {
                var table = new Table().Title(title).AddColumn("tier").AddColumn(new TableColumn("now locked").RightAligned()).AddColumn(new TableColumn("now allowed").RightAligned());
                foreach (var (tier, change) in tiers.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    table.AddRow(tier, change.NowLocked.ToString(CultureInfo.InvariantCulture), change.NowAllowed.ToString(CultureInfo.InvariantCulture));
                }

                AnsiConsole.Write(table);
            }
        }

        if (result.Senders.Count > 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape("Most affected senders: " + string.Join(", ", result.Senders.Select(m => $"{m.Handle} ({m.Changed})"))));
            AnsiConsole.MarkupLine(Markup.Escape("Most affected recipients: " + string.Join(", ", result.Recipients.Select(m => $"{m.Handle} ({m.Changed})"))));
        }

        foreach (var approximation in r.Approximations)
        {
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape("Approximation: " + approximation) + "[/]");
        }

        return Done;
    }

    private static int Report(Outcome<Member> outcome, ReachPolicy policy)
    {
        if (outcome.Failure is { } failure)
        {
            return Fail(failure.Detail);
        }

        var member = outcome.Value!;
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return Say($"{member.Handle}: {tier.DisplayName}, {member.Status.Code()}" + (member.RestrictedUntil is { } until ? $" until {until:u}" : string.Empty) + $", {member.CreditBalance} credits.");
    }

    private static int Say(string message)
    {
        AnsiConsole.MarkupLine("[green]" + Markup.Escape(message) + "[/]");
        return Done;
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLine("[red]reach: " + Markup.Escape(message) + "[/]");
        return Refused;
    }
}
