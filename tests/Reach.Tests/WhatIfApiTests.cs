using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reach.Policy;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>
/// A host whose policy in force has no premium-only recipients (so that a candidate can make Premium Business one),
/// with the abuse limits off.
/// </summary>
public sealed class WhatIfFixture<TDatabase> : IAsyncLifetime where TDatabase : Database, new()
{
    public const string PolicyInForce = """{ "premiumOnlyRecipients": [], "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 } }""";

    public TDatabase Database { get; } = new();

    public ReachHost Host { get; private set; } = null!;

    public Api Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = new ReachHost(Database.Db, new Dictionary<string, string> { ["policy"] = TestPolicy.Write(PolicyInForce) });
        Api = new Api(Host);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>
/// Policy what-if (<c>POST /api/admin/whatif</c>): logged sends decided again under a candidate policy. Each test
/// sends in a month of its own (the manual clock) and replays that month only.
/// </summary>
public abstract class WhatIfApiTests<TDatabase>(WhatIfFixture<TDatabase> fixture) : IClassFixture<WhatIfFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task ACapOfThreeLocksTheLastThreeOfSixColdMessagesAndThePolicyInForceChangesNothing()
    {
        var month = await MonthAsync(2031, 1);
        var recipient = await Api.SignUpAsync("r");
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(await Api.SignUpAsync("s"), recipient)).StatusCode);
        }

        var capped = await ReplayAsync(Candidate(policy => policy["tiers"]!["basic"]!["receiveCap"] = 3), month);
        Assert.Equal(6, capped.GetProperty("decisions").GetInt32());
        Assert.Equal(3, capped.GetProperty("nowLocked").GetInt32());
        Assert.Equal(0, capped.GetProperty("nowAllowed").GetInt32());
        Assert.Equal(3, capped.GetProperty("unchanged").GetInt32());
        Assert.Equal(3, capped.GetProperty("byReason").GetProperty("monthly_limit_reached").GetInt32());
        Assert.Equal(3, capped.GetProperty("byRecipientTier").GetProperty("basic").GetProperty("nowLocked").GetInt32());
        Assert.Equal(recipient.Handle, capped.GetProperty("mostAffected").GetProperty("recipients")[0].GetProperty("handle").GetString());
        Assert.Equal(3, capped.GetProperty("mostAffected").GetProperty("recipients")[0].GetProperty("changed").GetInt32());

        var same = await ReplayAsync(Candidate(_ => { }), month);
        Assert.Equal(6, same.GetProperty("decisions").GetInt32());
        Assert.Equal(6, same.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, same.GetProperty("nowLocked").GetInt32() + same.GetProperty("nowAllowed").GetInt32());
    }

    [Fact]
    public async Task MakingPremiumBusinessPremiumOnlyLocksTheBasicSendersWithPremiumRequired()
    {
        var month = await MonthAsync(2031, 3);
        var recipient = await Api.SignUpAsync("r", tier: "premium_business");
        var (basic1, basic2, premium) = (await Api.SignUpAsync("b"), await Api.SignUpAsync("b"), await Api.SignUpAsync("p", tier: "premium_business"));
        foreach (var sender in new[] { basic1, basic2, premium })
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(sender, recipient)).StatusCode);
        }

        var report = await ReplayAsync(Candidate(policy => policy["premiumOnlyRecipients"] = new JsonArray("premium_business")), month);
        Assert.Equal(3, report.GetProperty("decisions").GetInt32());
        Assert.Equal(2, report.GetProperty("nowLocked").GetInt32());
        Assert.Equal(2, report.GetProperty("byReason").GetProperty("premium_required").GetInt32());
        Assert.Equal(2, report.GetProperty("bySenderTier").GetProperty("basic").GetProperty("nowLocked").GetInt32());
        Assert.False(report.GetProperty("bySenderTier").TryGetProperty("premium_business", out _));
    }

    [Fact]
    public async Task ASmallerInMailAllotmentSpendsFewerCreditsAndLocksTheInMailsPastTheNewBalance()
    {
        var month = await MonthAsync(2031, 5);
        var sender = await Api.SignUpAsync("s", tier: "sales_navigator");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(sender, await Api.SignUpAsync("r"), inMail: true)).StatusCode);
        }

        var report = await ReplayAsync(Candidate(policy => policy["tiers"]!["sales_navigator"]!["inMailCredits"] = 2), month);
        Assert.Equal(4, report.GetProperty("credits").GetProperty("before").GetInt32());
        Assert.Equal(2, report.GetProperty("credits").GetProperty("after").GetInt32());
        Assert.Equal(2, report.GetProperty("nowLocked").GetInt32());
        Assert.Equal(2, report.GetProperty("byReason").GetProperty("insufficient_credits").GetInt32());
        Assert.Contains(Strings(report.GetProperty("approximations")), a => a.Contains("allotment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInvalidCandidateIsA400NamingTheSettingAndNeedsTheAdminKey()
    {
        var month = await MonthAsync(2031, 7);
        var bad = Candidate(policy => policy["tiers"]!["basic"]!["receiveCap"] = -1);
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync("/api/admin/whatif", new { policy = bad, from = month.From, to = month.To }),
            HttpStatusCode.BadRequest, "validation_failed", "policy.tiers.basic.receiveCap");
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync("/api/admin/whatif", new { policy = JsonNode.Parse("""{ "tiers": 5 }"""), from = month.From }),
            HttpStatusCode.BadRequest, "validation_failed", "policy.tiers");
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync("/api/admin/whatif", new { from = month.From }), HttpStatusCode.BadRequest, "validation_failed", "policy");
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync("/api/admin/whatif", new { policy = Candidate(_ => { }), from = month.To, to = month.From }),
            HttpStatusCode.BadRequest, "validation_failed", "to");
        var member = await Api.SignUpAsync("m");
        await AssertProblemAsync(await member.Client.PostAsJsonAsync("/api/admin/whatif", new { policy = Candidate(_ => { }) }), HttpStatusCode.Unauthorized, "unauthorized");
    }

    // The policy in force as a complete file, changed by edit.
    private JsonNode Candidate(Action<JsonNode> edit)
    {
        var policy = JsonNode.Parse(PolicyFile.Write(fixture.Host.Services.GetRequiredService<ReachPolicy>()))!;
        edit(policy);
        return policy;
    }

    private async Task<(DateTimeOffset From, DateTimeOffset To)> MonthAsync(int year, int month)
    {
        var from = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
        await Api.SetClockAsync(from.AddDays(9));
        return (from, from.AddMonths(1));
    }

    private async Task<JsonElement> ReplayAsync(JsonNode candidate, (DateTimeOffset From, DateTimeOffset To) month)
    {
        var response = await Api.Admin.PostAsJsonAsync("/api/admin/whatif", new { policy = candidate, from = month.From, to = month.To });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync(response);
    }
}

public sealed class WhatIfApiSqliteTests(WhatIfFixture<SqliteDatabase> fixture) : WhatIfApiTests<SqliteDatabase>(fixture);

public sealed class WhatIfApiPostgresTests(WhatIfFixture<PostgresDatabase> fixture) : WhatIfApiTests<PostgresDatabase>(fixture);
