using System.Net;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Periods and credits over time with the manual clock (SPEC §2.1–§2.2, §10).</summary>
public abstract class TimeTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private static readonly DateTimeOffset Jan10 = new(2032, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private Api Api => fixture.Api;

    [Fact]
    public async Task AnUpgradeGrantsCreditsAndEachPeriodStartGrantsMoreUpToTheRolloverCap()
    {
        await Api.SetClockAsync(Jan10);
        var member = await Api.SignUpAsync("up", tier: "premium_business");
        Assert.Equal(15, await BalanceAsync(member));

        await Api.SetClockAsync(new DateTimeOffset(2032, 2, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(30, await BalanceAsync(member));
        await Api.SetClockAsync(new DateTimeOffset(2032, 3, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(45, await BalanceAsync(member));

        // April: the January grant expired on 9 April, the rest is held to the cap of 45.
        await Api.SetClockAsync(new DateTimeOffset(2032, 4, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(45, await BalanceAsync(member));

        var statement = await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative)));
        Assert.Equal(45, statement.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("amount").GetInt32()));
        Assert.Contains(statement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == "expire");
    }

    [Fact]
    public async Task AGrantExpiresNinetyDaysAfterItWasGranted()
    {
        // Recruiter: 150 a month under a cap of 600, so the monthly grants never trim the first lot.
        await Api.SetClockAsync(Jan10);
        var member = await Api.SignUpAsync("exp", tier: "recruiter");
        Assert.Equal(150, await BalanceAsync(member));

        await Api.SetClockAsync(Jan10.AddDays(90).AddSeconds(-1));
        Assert.Equal(600, await BalanceAsync(member));
        await Api.SetClockAsync(Jan10.AddDays(90));
        Assert.Equal(450, await BalanceAsync(member));
    }

    [Fact]
    public async Task MovingToATierWithoutInMailForfeitsTheBalance()
    {
        await Api.SetClockAsync(Jan10);
        var member = await Api.SignUpAsync("down", tier: "sales_navigator");
        Assert.Equal(50, await BalanceAsync(member));

        await Api.SetTierAsync(member.Handle, "basic");

        Assert.Equal(0, await BalanceAsync(member));
    }

    [Fact]
    public async Task ACreditComesBackWithinNinetyDaysButNotAfter()
    {
        await Api.SetClockAsync(Jan10);
        var sender = await Api.SignUpAsync("s", tier: "sales_navigator");
        var (early, late) = (await Api.SignUpAsync("e"), await Api.SignUpAsync("l"));
        var toEarly = (await ReadAsync(await SendAsync(sender, early, inMail: true))).GetProperty("conversationId").GetInt64();
        var toLate = (await ReadAsync(await SendAsync(sender, late, inMail: true))).GetProperty("conversationId").GetInt64();
        var spentBalance = await CreditsAsync(sender);

        await Api.SetClockAsync(Jan10.AddDays(89));
        await early.Client.PostAsJsonAsync($"/api/conversations/{toEarly}/messages", new { body = "Sure, let's talk." });
        var afterEarly = await CreditsAsync(sender);
        Assert.Equal(1, afterEarly.Refunds - spentBalance.Refunds);

        await Api.SetClockAsync(Jan10.AddDays(91));
        await late.Client.PostAsJsonAsync($"/api/conversations/{toLate}/messages", new { body = "Sorry for the delay." });
        var afterLate = await CreditsAsync(sender);
        Assert.Equal(afterEarly.Refunds, afterLate.Refunds);
    }

    [Fact]
    public async Task TheAdminClockMovesOnlyAManualClock()
    {
        var response = await Api.Admin.PutAsJsonAsync("/api/admin/clock", new { now = "not a time" });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed", "now");
        await AssertProblemAsync(await Api.Admin.PutAsJsonAsync("/api/admin/clock", new { }), HttpStatusCode.BadRequest, "validation_failed", "now");
    }

    private static async Task<(int Balance, int Refunds)> CreditsAsync(TestMember member)
    {
        var statement = await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative)));
        var refunds = statement.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "refund");
        return (statement.GetProperty("balance").GetInt32(), refunds);
    }
}

public sealed class TimeSqliteTests(ApiFixture<SqliteDatabase> fixture) : TimeTests<SqliteDatabase>(fixture);

public sealed class TimePostgresTests(ApiFixture<PostgresDatabase> fixture) : TimeTests<PostgresDatabase>(fixture);
