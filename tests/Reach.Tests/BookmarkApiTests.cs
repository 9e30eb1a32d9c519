using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Bookmarks (SPEC §4): listed with their decision, and one notification each time a bookmarked member becomes reachable.</summary>
public abstract class BookmarkApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private static readonly object ConnectionsOnly = new { whoCanMessage = "connections", acceptInMail = true };
    private static readonly object ConnectionsOnlyNoInMail = new { whoCanMessage = "connections", acceptInMail = false };
    private static readonly object Anyone = new { whoCanMessage = "anyone", acceptInMail = true };

    private Api Api => fixture.Api;

    [Fact]
    public async Task TheListShowsEachBookmarksDecision()
    {
        var (me, open, closed) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("open"), await Api.SignUpAsync("shut", settings: ConnectionsOnlyNoInMail));
        await BookmarkAsync(me, open);
        await BookmarkAsync(me, closed);
        var list = (await ReadAsync(await me.Client.GetAsync(new Uri("/api/me/bookmarks", UriKind.Relative)))).GetProperty("items");
        var byHandle = list.EnumerateArray().ToDictionary(b => b.GetProperty("member").GetProperty("handle").GetString()!, b => b.GetProperty("decision"));
        Assert.True(byHandle[open.Handle].GetProperty("allowed").GetBoolean());
        Assert.Equal(["connections_only"], Strings(byHandle[closed.Handle].GetProperty("reasons")));

        Assert.Equal(HttpStatusCode.NoContent, (await me.Client.DeleteAsync(new Uri($"/api/me/bookmarks/{open.Handle}", UriKind.Relative))).StatusCode);
        Assert.Equal(1, (await ReadAsync(await me.Client.GetAsync(new Uri("/api/me/bookmarks", UriKind.Relative)))).GetProperty("items").GetArrayLength());
        await AssertProblemAsync(await me.Client.PutAsync(new Uri("/api/me/bookmarks/nobody_here", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await me.Client.PutAsync(new Uri($"/api/me/bookmarks/{me.Handle}", UriKind.Relative), null), HttpStatusCode.BadRequest, "validation_failed", "handle");
    }

    [Fact]
    public async Task ASettingsChangeNotifiesOncePerFlip()
    {
        var (me, target) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("tgt", settings: ConnectionsOnlyNoInMail));
        await BookmarkAsync(me, target);
        Assert.Equal(0, await ReachableCountAsync(me));

        await SettingsAsync(target, Anyone);
        Assert.Equal(1, await ReachableCountAsync(me));
        await SettingsAsync(target, Anyone);
        Assert.Equal(1, await ReachableCountAsync(me));

        await SettingsAsync(target, ConnectionsOnlyNoInMail);
        Assert.Equal(1, await ReachableCountAsync(me));
        await SettingsAsync(target, Anyone);
        Assert.Equal(2, await ReachableCountAsync(me));
        var notification = (await NotificationsAsync(me)).First(n => n.GetProperty("kind").GetString() == "reachable");
        Assert.Equal(target.Handle, notification.GetProperty("actorHandle").GetString());
        Assert.Equal($"/m/{target.Handle}", notification.GetProperty("link").GetString());
    }

    [Fact]
    public async Task AnAcceptedInvitationNotifiesOnce()
    {
        var (me, target) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("tgt", settings: ConnectionsOnlyNoInMail));
        await BookmarkAsync(me, target);
        var invitation = await ReadAsync(await me.Client.PostAsJsonAsync("/api/invitations", new { toHandle = target.Handle }));
        Assert.Equal(0, await ReachableCountAsync(me));
        await target.Client.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null);
        Assert.Equal(1, await ReachableCountAsync(me));
    }

    [Fact]
    public async Task AnUpgradeOfTheSenderNotifiesOnce()
    {
        var (me, target) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("tgt", tier: "premium_business"));
        await BookmarkAsync(me, target);
        await Api.SetTierAsync(me.Handle, "sales_navigator");
        Assert.Equal(1, await ReachableCountAsync(me));
        Assert.Contains(await NotificationsAsync(me), n => n.GetProperty("kind").GetString() == "credits_granted");
    }

    [Fact]
    public async Task CreditsReceivedNotifyOnce()
    {
        var me = await Api.SignUpAsync("me", tier: "sales_navigator");
        var target = await Api.SignUpAsync("tgt", settings: ConnectionsOnly);
        await Api.GrantCreditsAsync(me.Handle, -50);
        await BookmarkAsync(me, target);
        Assert.Equal(0, await ReachableCountAsync(me));
        await Api.GrantCreditsAsync(me.Handle, 3);
        Assert.Equal(1, await ReachableCountAsync(me));
    }

    [Fact]
    public async Task ALiftedBlockNotifiesOnce()
    {
        var (me, target) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("tgt"));
        await target.Client.PutAsync(new Uri($"/api/me/blocks/{me.Handle}", UriKind.Relative), null);
        await BookmarkAsync(me, target);
        Assert.Equal(0, await ReachableCountAsync(me));
        await target.Client.DeleteAsync(new Uri($"/api/me/blocks/{me.Handle}", UriKind.Relative));
        Assert.Equal(1, await ReachableCountAsync(me));
    }

    [Fact]
    public async Task AMessageThatOpensTheConversationNotifiesTheBookmarkAfterTheSend()
    {
        var (me, target) = (await Api.SignUpAsync("me"), await Api.SignUpAsync("tgt", settings: ConnectionsOnlyNoInMail));
        await BookmarkAsync(me, target);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await me.Client.GetAsync(new Uri("/api/me/notifications/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, guard.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(guard.Token));
        await NextEventAsync(reader, guard.Token);

        // The target writes first: the conversation is open for me now. The send is answered first; the bookmark is
        // decided again after its commit (the outbox), and its flip comes to my open page like any notification.
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(target, me, "Hello, I saw your bookmark")).StatusCode);
        while ((await NextEventAsync(reader, guard.Token)).GetProperty("latest").GetProperty("kind").GetString() != "reachable")
        {
        }

        Assert.Equal(1, await ReachableCountAsync(me));
    }

    [Fact]
    public async Task ANewPeriodNotifiesOnceAndCreditsAboutToExpireAreTold()
    {
        await Api.SetClockAsync(new DateTimeOffset(2027, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var target = await Api.SignUpAsync("tgt");
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(await Api.SignUpAsync("s"), target)).StatusCode);
        }

        var me = await Api.SignUpAsync("me");
        await BookmarkAsync(me, target);
        var premium = await Api.SignUpAsync("prem", tier: "premium_business");
        await Api.SetClockAsync(new DateTimeOffset(2027, 3, 20, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, await ReachableCountAsync(me));

        await Api.SetClockAsync(new DateTimeOffset(2027, 4, 1, 0, 0, 1, TimeSpan.Zero));
        Assert.Equal(1, await ReachableCountAsync(me));
        await Api.SetClockAsync(new DateTimeOffset(2027, 4, 1, 0, 0, 2, TimeSpan.Zero));
        Assert.Equal(1, await ReachableCountAsync(me));

        // The grant of 10 March expires on 8 June: seven days before, its owner is told, once.
        await Api.SetClockAsync(new DateTimeOffset(2027, 6, 2, 0, 0, 0, TimeSpan.Zero));
        await Api.SetClockAsync(new DateTimeOffset(2027, 6, 3, 0, 0, 0, TimeSpan.Zero));
        Assert.Single(await NotificationsAsync(premium), n => n.GetProperty("kind").GetString() == "credits_expiring");
    }

    private static async Task BookmarkAsync(TestMember member, TestMember target) =>
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.PutAsync(new Uri($"/api/me/bookmarks/{target.Handle}", UriKind.Relative), null)).StatusCode);

    private static async Task SettingsAsync(TestMember member, object settings) =>
        Assert.Equal(HttpStatusCode.OK, (await member.Client.PutAsJsonAsync("/api/me/settings", settings)).StatusCode);

    private static async Task<JsonElement[]> NotificationsAsync(TestMember member) =>
        [.. (await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)))).GetProperty("items").EnumerateArray()];

    private static async Task<int> ReachableCountAsync(TestMember member) =>
        (await NotificationsAsync(member)).Count(n => n.GetProperty("kind").GetString() == "reachable");
}

public sealed class BookmarkApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : BookmarkApiTests<SqliteDatabase>(fixture);

public sealed class BookmarkApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : BookmarkApiTests<PostgresDatabase>(fixture);
