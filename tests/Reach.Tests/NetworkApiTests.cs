using System.Net;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Invitations, connections, blocks and reports (SPEC §2.4, §7).</summary>
public abstract class NetworkApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task AnInvitationIsListedAcceptedAndMakesAConnection()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var invitation = await ReadAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle, note = "Hi Bob" }));
        Assert.Equal("pending", invitation.GetProperty("state").GetString());

        var received = await ReadAsync(await bob.Client.GetAsync(new Uri("/api/invitations?box=received", UriKind.Relative)));
        Assert.Equal(ada.Handle, received.GetProperty("items")[0].GetProperty("fromHandle").GetString());
        var sent = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=sent", UriKind.Relative)));
        Assert.Equal(1, sent.GetProperty("items").GetArrayLength());

        var id = invitation.GetProperty("id").GetInt64();
        await AssertProblemAsync(await ada.Client.PostAsync(new Uri($"/api/invitations/{id}/accept", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.PostAsync(new Uri($"/api/invitations/{id}/accept", UriKind.Relative), null)).StatusCode);

        var connections = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/connections", UriKind.Relative)));
        Assert.Equal(bob.Handle, connections.GetProperty("items")[0].GetProperty("member").GetProperty("handle").GetString());
        var again = await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }), HttpStatusCode.Forbidden, "invitation_refused");
        Assert.Equal("already_connected", again.GetProperty("reason").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync(new Uri($"/api/me/connections/{ada.Handle}", UriKind.Relative))).StatusCode);
        Assert.Equal(0, (await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/connections", UriKind.Relative)))).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ACrossingInvitationIsAcceptedInstead()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        Assert.Equal(HttpStatusCode.Created, (await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle })).StatusCode);

        var crossing = await bob.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle });

        Assert.Equal(HttpStatusCode.OK, crossing.StatusCode);
        Assert.Equal("accepted", (await ReadAsync(crossing)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AWithdrawnInvitationBlocksReinvitingForThreeWeeks()
    {
        await Api.SetClockAsync(new DateTimeOffset(2033, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var id = (await ReadAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }))).GetProperty("id").GetInt64();
        await AssertProblemAsync(await bob.Client.DeleteAsync(new Uri($"/api/invitations/{id}", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.DeleteAsync(new Uri($"/api/invitations/{id}", UriKind.Relative))).StatusCode);

        var blocked = await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }), HttpStatusCode.Forbidden, "invitation_refused");
        Assert.Equal("reinvite_blocked", blocked.GetProperty("reason").GetString());

        await Api.SetClockAsync(new DateTimeOffset(2033, 5, 22, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.Created, (await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle })).StatusCode);
    }

    [Fact]
    public async Task AnIgnoredInvitationLeavesSilentlyAndAReportedOneCountsTowardsRestriction()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var ignored = (await ReadAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }))).GetProperty("id").GetInt64();

        var ignore = await ReadAsync(await bob.Client.PostAsync(new Uri($"/api/invitations/{ignored}/ignore", UriKind.Relative), null));
        Assert.Equal("ignored", ignore.GetProperty("state").GetString());
        Assert.Equal(0, (await ReadAsync(await bob.Client.GetAsync(new Uri("/api/invitations?box=received", UriKind.Relative)))).GetProperty("items").GetArrayLength());

        var stranger = await Api.SignUpAsync("str");
        for (var i = 0; i < 3; i++)
        {
            var reporter = await Api.SignUpAsync("rep");
            var id = (await ReadAsync(await stranger.Client.PostAsJsonAsync("/api/invitations", new { toHandle = reporter.Handle }))).GetProperty("id").GetInt64();
            var report = await ReadAsync(await reporter.Client.PostAsync(new Uri($"/api/invitations/{id}/report", UriKind.Relative), null));
            Assert.Equal("reported", report.GetProperty("state").GetString());
        }

        var refused = await AssertProblemAsync(await stranger.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle }), HttpStatusCode.Forbidden, "invitation_refused");
        Assert.Equal("sender_restricted", refused.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AnIgnoredInvitationStillLooksPendingToItsSenderAndIsNotSentAgain()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var id = (await ReadAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }))).GetProperty("id").GetInt64();
        await bob.Client.PostAsync(new Uri($"/api/invitations/{id}/ignore", UriKind.Relative), null);
        var notified = (await ReadAsync(await bob.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)))).GetProperty("items").GetArrayLength();

        var sent = (await ReadAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=sent", UriKind.Relative)))).GetProperty("items");
        Assert.Equal(id, sent[0].GetProperty("id").GetInt64());
        Assert.Equal("pending", sent[0].GetProperty("state").GetString());
        var again = await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle }), HttpStatusCode.Forbidden, "invitation_refused");
        Assert.Equal("already_pending", again.GetProperty("reason").GetString());
        Assert.Equal(notified, (await ReadAsync(await bob.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)))).GetProperty("items").GetArrayLength());

        // Its sender may still withdraw it.
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.DeleteAsync(new Uri($"/api/invitations/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task BadInvitationsAre400()
    {
        var ada = await Api.SignUpAsync("ada");
        var bob = await Api.SignUpAsync("bob");

        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle, note = new string('n', 301) }), HttpStatusCode.BadRequest, "validation_failed", "note");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { note = "hi" }), HttpStatusCode.BadRequest, "validation_failed", "toHandle");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle }), HttpStatusCode.BadRequest, "validation_failed", "toHandle");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = "no_such_member" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=trash", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "box");
    }

    [Fact]
    public async Task ThreeReportsFromDistinctMembersRestrictTheSender()
    {
        var spammer = await Api.SignUpAsync("spam");
        for (var i = 0; i < 3; i++)
        {
            var victim = await Api.SignUpAsync("v");
            var message = await ReadAsync(await SendAsync(spammer, victim, body: "Buy now"));
            var report = await victim.Client.PostAsJsonAsync("/api/reports", new { messageId = message.GetProperty("messageId").GetInt64(), reason = "spam" });
            Assert.Equal(HttpStatusCode.NoContent, report.StatusCode);
        }

        var next = await Api.SignUpAsync("n");
        var problem = await AssertProblemAsync(await SendAsync(spammer, next), HttpStatusCode.Forbidden, "message_locked");
        Assert.Equal(["sender_restricted"], Strings(problem.GetProperty("reasons")));
        Assert.True(problem.TryGetProperty("restrictedUntil", out _));
    }

    [Fact]
    public async Task OnlyTheRecipientCanReportAMessage()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        var message = (await ReadAsync(await SendAsync(ada, bob))).GetProperty("messageId").GetInt64();

        await AssertProblemAsync(await eve.Client.PostAsJsonAsync("/api/reports", new { messageId = message, reason = "spam" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/reports", new { messageId = message, reason = "rude" }), HttpStatusCode.BadRequest, "validation_failed", "reason");
        await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/reports", new { reason = "spam" }), HttpStatusCode.BadRequest, "validation_failed", "messageId");
    }

    [Fact]
    public async Task BlocksAreListedAndHideMembersFromInvitations()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        await ada.Client.PutAsync(new Uri($"/api/me/blocks/{bob.Handle}", UriKind.Relative), null);

        var blocks = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/blocks", UriKind.Relative)));
        Assert.Equal(bob.Handle, blocks.GetProperty("items")[0].GetProperty("handle").GetString());
        var refused = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle }), HttpStatusCode.Forbidden, "invitation_refused");
        Assert.Equal("unavailable", refused.GetProperty("reason").GetString());
        await AssertProblemAsync(await ada.Client.PutAsync(new Uri("/api/me/blocks/no_such_member", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
    }
}

public sealed class NetworkApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : NetworkApiTests<SqliteDatabase>(fixture);

public sealed class NetworkApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : NetworkApiTests<PostgresDatabase>(fixture);
