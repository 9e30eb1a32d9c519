using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>The admin API behind the admin key (SPEC §10).</summary>
public abstract class AdminApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task AdminCallsNeedTheAdminKey()
    {
        var ada = await Api.SignUpAsync("ada");
        var wrongKey = Api.NewClient();
        wrongKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-admin-key-at-all");

        await AssertProblemAsync(await Api.NewClient().PutAsJsonAsync($"/api/admin/members/{ada.Handle}/tier", new { tier = "recruiter" }), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await wrongKey.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/tier", new { tier = "recruiter" }), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri($"/api/admin/decisions?sender={ada.Handle}&recipient={ada.Handle}", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task TierStatusAndCreditsAreSet()
    {
        var ada = await Api.SignUpAsync("ada");

        var tier = await ReadAsync(await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/tier", new { tier = "recruiter_lite" }));
        Assert.Equal("recruiter_lite", tier.GetProperty("member").GetProperty("tier").GetString());
        Assert.Equal(30, tier.GetProperty("creditBalance").GetInt32());

        var credits = await ReadAsync(await Api.Admin.PostAsJsonAsync($"/api/admin/members/{ada.Handle}/credits", new { amount = 5, note = "goodwill" }));
        Assert.Equal(35, credits.GetProperty("balance").GetInt32());
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync($"/api/admin/members/{ada.Handle}/credits", new { amount = -100 }), HttpStatusCode.Conflict, "insufficient_credits");

        var status = await ReadAsync(await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "suspended" }));
        Assert.Equal("suspended", status.GetProperty("status").GetString());

        await AssertProblemAsync(await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/tier", new { tier = "gold" }), HttpStatusCode.BadRequest, "validation_failed", "tier");
        await AssertProblemAsync(await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "asleep" }), HttpStatusCode.BadRequest, "validation_failed", "status");
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync($"/api/admin/members/{ada.Handle}/credits", new { amount = 0 }), HttpStatusCode.BadRequest, "validation_failed", "amount");
        // The smallest whole number has no positive counterpart (found by the fuzzer: it was a 500).
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync($"/api/admin/members/{ada.Handle}/credits", new { amount = int.MinValue }), HttpStatusCode.BadRequest, "validation_failed", "amount");
        await AssertProblemAsync(await Api.Admin.PostAsJsonAsync($"/api/admin/members/{ada.Handle}/credits", new { amount = 100_001 }), HttpStatusCode.BadRequest, "validation_failed", "amount");
        await AssertProblemAsync(await Api.Admin.PutAsJsonAsync("/api/admin/members/nobody_here/tier", new { tier = "basic" }), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ADeactivatedMemberDoesNotExistForOthers()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        await Api.Admin.PutAsJsonAsync($"/api/admin/members/{bob.Handle}/status", new { status = "deactivated" });

        await AssertProblemAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await SendAsync(ada, bob), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri("/api/reach/never_existed", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheDecisionTraceShowsEveryRuleAndLockedCountsAreKept()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob", settings: new { whoCanMessage = "connections", acceptInMail = true }));
        await SendAsync(ada, bob);

        var trace = await ReadAsync(await Api.Admin.GetAsync(new Uri($"/api/admin/decisions?sender={ada.Handle}&recipient={bob.Handle}", UriKind.Relative)));
        var rules = trace.GetProperty("regular").GetProperty("rules");
        Assert.Equal("failed", rules.GetProperty("preference").GetString());
        Assert.Equal("passed", rules.GetProperty("receiveCap").GetString());
        Assert.Equal("exempt", rules.GetProperty("inMailTier").GetString());
        Assert.Equal(["inmail_requires_premium"], Strings(trace.GetProperty("inMail").GetProperty("decision").GetProperty("reasons")));

        var counts = await ReadAsync(await Api.Admin.GetAsync(new Uri("/api/admin/decisions/locked?from=2000-01-01&to=2100-01-01", UriKind.Relative)));
        Assert.Contains(counts.GetProperty("items").EnumerateArray(), c => c.GetProperty("reason").GetString() == "connections_only" && c.GetProperty("count").GetInt32() >= 1);
        await AssertProblemAsync(await Api.Admin.GetAsync(new Uri("/api/admin/decisions?sender=" + ada.Handle, UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "recipient");
        await AssertProblemAsync(await Api.Admin.GetAsync(new Uri("/api/admin/decisions/locked?from=yesterday", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "from");
    }

    [Fact]
    public async Task HealthAndTheApiDocumentAnswer()
    {
        Assert.Equal(HttpStatusCode.OK, (await Api.Anonymous.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        var openApi = await ReadAsync(await Api.Anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/messages", out _));
        Assert.Equal(HttpStatusCode.OK, (await Api.Anonymous.GetAsync(new Uri("/docs", UriKind.Relative))).StatusCode);
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        await SendAsync(ada, bob);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.Anonymous.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        var metrics = await Api.Admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("reach_decisions_total", metrics, StringComparison.Ordinal);
        Assert.Contains("reach_sends_total{otel_scope_name=\"Reach\",channel=\"open\"}", metrics, StringComparison.Ordinal);
    }
}

public sealed class AdminApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : AdminApiTests<SqliteDatabase>(fixture);

public sealed class AdminApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : AdminApiTests<PostgresDatabase>(fixture);
