using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Notifications (SPEC §9): each made where its event happens, listed, counted, read, and streamed live.</summary>
public abstract class NotificationsApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task MessagesAndInvitationsNotifyTheirRecipientOnce()
    {
        var (ada, bob, carl) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("carl"));

        var first = await ReadAsync(await SendAsync(bob, ada, "Hello Ada"));
        var conversation = first.GetProperty("conversationId").GetInt64();
        var request = Assert.Single(await ListAsync(ada));
        Assert.Equal("message_request", request.GetProperty("kind").GetString());
        Assert.Equal(bob.Handle, request.GetProperty("actorHandle").GetString());
        Assert.Equal($"/messages/{conversation}", request.GetProperty("link").GetString());
        Assert.False(request.GetProperty("read").GetBoolean());

        Assert.Equal(HttpStatusCode.Created, (await ada.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = "Hi Bob" })).StatusCode);
        Assert.Equal(["message"], Kinds(await ListAsync(bob)));

        var invitation = await ReadAsync(await carl.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle }));
        Assert.Equal(["invitation", "message_request"], Kinds(await ListAsync(ada)));
        await ada.Client.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null);
        var accepted = Assert.Single(await ListAsync(carl));
        Assert.Equal("invitation_accepted", accepted.GetProperty("kind").GetString());
        Assert.Equal(ada.Handle, accepted.GetProperty("actorHandle").GetString());
    }

    [Fact]
    public async Task AnAnsweredInMailTellsTheSenderTheCreditIsBack()
    {
        var ada = await Api.SignUpAsync("ada", settings: new { whoCanMessage = "connections", acceptInMail = true });
        var dan = await Api.SignUpAsync("dan", tier: "sales_navigator");
        var sent = await ReadAsync(await SendAsync(dan, ada, "An offer", inMail: true));
        Assert.Equal(["message_request"], Kinds(await ListAsync(ada)));

        await ada.Client.PostAsJsonAsync($"/api/conversations/{sent.GetProperty("conversationId").GetInt64()}/messages", new { body = "Tell me more" });
        Assert.Equal(["credit_returned", "credits_granted", "message"], Kinds(await ListAsync(dan)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARestrictionIsTold()
    {
        var spammer = await Api.SignUpAsync("spam");
        for (var i = 0; i < 3; i++)
        {
            var victim = await Api.SignUpAsync("vic");
            var message = await ReadAsync(await SendAsync(spammer, victim, "Buy now"));
            await victim.Client.PostAsJsonAsync("/api/reports", new { messageId = message.GetProperty("messageId").GetInt64(), reason = "spam" });
        }

        var restricted = Assert.Single(await ListAsync(spammer));
        Assert.Equal("restricted", restricted.GetProperty("kind").GetString());
        Assert.False(restricted.TryGetProperty("actorHandle", out _), "A restriction never says who reported.");
    }

    [Fact]
    public async Task NotificationsAreCountedAndMarkedReadByTheirOwnerOnly()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        await SendAsync(bob, ada, "One");
        await bob.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle });
        var list = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)));
        Assert.Equal(2, list.GetProperty("unreadCount").GetInt32());
        var ids = list.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).ToArray();

        // Eve names Ada's notifications: nothing changes.
        var eveMarks = await ReadAsync(await eve.Client.PostAsJsonAsync("/api/me/notifications/read", new { ids }));
        Assert.Equal(0, eveMarks.GetProperty("marked").GetInt32());

        var marked = await ReadAsync(await ada.Client.PostAsJsonAsync("/api/me/notifications/read", new { ids = new[] { ids[0] } }));
        Assert.Equal(1, marked.GetProperty("marked").GetInt32());
        Assert.Equal(1, marked.GetProperty("unreadCount").GetInt32());
        var unread = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/notifications?unread=true", UriKind.Relative)));
        Assert.Equal([ids[1]], unread.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()));

        var all = await ReadAsync(await ada.Client.PostAsJsonAsync("/api/me/notifications/read", new { }));
        Assert.Equal(0, all.GetProperty("unreadCount").GetInt32());
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri("/api/me/notifications?next=abc", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "next");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.Anonymous.GetAsync(new Uri("/api/me/notifications", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task TheStreamSendsTheCountAndThenEachNewNotification()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await ada.Client.GetAsync(new Uri("/api/me/notifications/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, guard.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));

        var initial = await NextEventAsync(reader, guard.Token);
        Assert.Equal(0, initial.GetProperty("unreadCount").GetInt32());

        await SendAsync(bob, ada, "Are you there?");
        var pushed = await NextEventAsync(reader, guard.Token);
        Assert.Equal(1, pushed.GetProperty("unreadCount").GetInt32());
        Assert.Equal("message_request", pushed.GetProperty("latest").GetProperty("kind").GetString());
    }

    private static async Task<JsonElement[]> ListAsync(TestMember member) =>
        [.. (await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)))).GetProperty("items").EnumerateArray()];

    private static string[] Kinds(IEnumerable<JsonElement> items) => [.. items.Select(n => n.GetProperty("kind").GetString()!)];
}

public sealed class NotificationsApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : NotificationsApiTests<SqliteDatabase>(fixture);

public sealed class NotificationsApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : NotificationsApiTests<PostgresDatabase>(fixture);
