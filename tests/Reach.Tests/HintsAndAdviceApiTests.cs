using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Receptiveness hints on profiles (SPEC §4) and outreach tips on the pre-flight (SPEC §6).</summary>
public abstract class HintsAndAdviceApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task EachPublicSignalMovesTheScoreItsWay()
    {
        var (viewer, ada) = (await Api.SignUpAsync("view"), await Api.SignUpAsync("ada"));
        var anonymous = await ScoreAsync(viewer, ada);
        await ada.Client.PatchAsJsonAsync("/api/me/profile", new { headline = "Engineer" });
        var start = await ScoreAsync(viewer, ada);
        Assert.True(start > anonymous);

        Assert.Equal(HttpStatusCode.OK, (await ada.Client.PatchAsJsonAsync("/api/me/profile", new { openToWork = true })).StatusCode);
        var openToWork = await ScoreAsync(viewer, ada);
        Assert.True(openToWork > start);

        await Api.SetTierAsync(ada.Handle, "premium_business");
        var premium = await ScoreAsync(viewer, ada);
        Assert.True(premium > openToWork);

        // Ada answers the comments on her post: engagement.
        var post = (await ReadAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = "Ask me anything." }))).GetProperty("id").GetInt64();
        var comment = await ReadAsync(await viewer.Client.PostAsJsonAsync($"/api/posts/{post}/comments", new { body = "What's next?" }));
        var unanswered = await ScoreAsync(viewer, ada);
        await ada.Client.PostAsJsonAsync($"/api/posts/{post}/comments", new { body = "Engines.", replyToId = comment.GetProperty("id").GetInt64() });
        var engaged = await HintsAsync(viewer, ada);
        Assert.True(engaged.GetProperty("score").GetInt32() > unanswered);
        Assert.Contains(engaged.GetProperty("signals").EnumerateArray(), s => s.GetProperty("code").GetString() == "engagement" && s.GetProperty("present").GetBoolean());

        // A headline-less profile without a photo is anonymous.
        await ada.Client.PatchAsJsonAsync("/api/me/profile", new { headline = "" });
        Assert.True(await ScoreAsync(viewer, ada) < engaged.GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task ThePreflightAdvisesAndNeverLocksForIt()
    {
        var (me, ada) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("ada"));
        var plain = await PreflightAsync(me, ada, null);
        Assert.True(plain.GetProperty("allowed").GetBoolean());
        Assert.Equal(["connect_first"], Strings(plain.GetProperty("tips")));

        var careless = await PreflightAsync(me, ada, "hey. " + new string('x', 700));
        Assert.True(careless.GetProperty("allowed").GetBoolean());
        Assert.Equal(["not_personal", "no_reason_first", "too_long", "connect_first"], Strings(careless.GetProperty("tips")));

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(me, ada, "Hello, I'm writing about your work.")).StatusCode);
        var followUp = await PreflightAsync(me, ada, "Member, I'm writing again about your work.");
        Assert.Contains("follow_up_too_soon", Strings(followUp.GetProperty("tips")));

        await AssertProblemAsync(await me.Client.GetAsync(new Uri($"/api/reach/{ada.Handle}?body={new string('x', 8001)}", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "body");
    }

    [Fact]
    public async Task ABlockedPairGetsNoTips()
    {
        var (me, ada) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("ada"));
        await ada.Client.PutAsync(new Uri($"/api/me/blocks/{me.Handle}", UriKind.Relative), null);
        var decision = await PreflightAsync(me, ada, "hey");
        Assert.Equal(["unavailable"], Strings(decision.GetProperty("reasons")));
        Assert.Empty(Strings(decision.GetProperty("tips")));
    }

    private static async Task<JsonElement> PreflightAsync(TestMember me, TestMember to, string? body) =>
        await ReadAsync(await me.Client.GetAsync(new Uri($"/api/reach/{to.Handle}" + (body is null ? "" : "?body=" + Uri.EscapeDataString(body)), UriKind.Relative)));

    private static async Task<JsonElement> HintsAsync(TestMember viewer, TestMember member) =>
        (await ReadAsync(await viewer.Client.GetAsync(new Uri($"/api/members/{member.Handle}", UriKind.Relative)))).GetProperty("hints");

    private static async Task<int> ScoreAsync(TestMember viewer, TestMember member) => (await HintsAsync(viewer, member)).GetProperty("score").GetInt32();
}

public sealed class HintsAndAdviceApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : HintsAndAdviceApiTests<SqliteDatabase>(fixture);

public sealed class HintsAndAdviceApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : HintsAndAdviceApiTests<PostgresDatabase>(fixture);
