using System.Net;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>A server started with <c>--policy</c> decides by that file's tiers and limits.</summary>
public sealed class PolicyFileHostTests : IAsyncLifetime
{
    private const string Policy = """
        {
          "tiers": {
            "free": { "receiveCap": 2, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "pro": { "displayName": "Pro", "receiveCap": 5, "inMailCredits": 10, "creditRolloverCap": 30, "premiumBadge": true, "premiumSender": true }
          },
          "defaultTier": "pro",
          "premiumOnlyRecipients": [],
          "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 }
        }
        """;

    private readonly SqliteDatabase _database = new();
    private ReachHost? _host;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        var file = Path.Combine(Path.GetDirectoryName(_database.Db)!, "reach.policy.json");
        await File.WriteAllTextAsync(file, Policy);
        _host = new ReachHost(_database.Db, new Dictionary<string, string> { ["policy"] = file });
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TheFilesTiersCapsAndGrantsApply()
    {
        var api = new Api(_host!);
        await api.SetClockAsync(new DateTimeOffset(2034, 6, 20, 0, 0, 0, TimeSpan.Zero));

        // A new member of a default tier with InMail gets this period's grant once, not grants for months before joining.
        var member = await api.SignUpAsync("pro");
        Assert.Equal(10, await BalanceAsync(member));

        var free = await api.SignUpAsync("free", tier: "free");
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(await api.SignUpAsync("a"), free)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(await api.SignUpAsync("b"), free)).StatusCode);
        var problem = await AssertProblemAsync(await SendAsync(await api.SignUpAsync("c"), free), HttpStatusCode.Forbidden, "message_locked");
        Assert.Equal(["monthly_limit_reached"], Strings(problem.GetProperty("reasons")));
    }
}
