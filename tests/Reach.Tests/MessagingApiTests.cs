using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Reach.Members;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Pre-flight, sending, every locked reason over HTTP, and the unlocks (SPEC §2–§3, §11).</summary>
public abstract class MessagingApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task PreflightAndSendAgreeForAnOpenRecipient()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));

        var preflight = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative)));
        var send = await SendAsync(ada, bob);

        Assert.True(preflight.GetProperty("allowed").GetBoolean());
        Assert.Equal("open", preflight.GetProperty("channel").GetString());
        Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        var result = await ReadAsync(send);
        Assert.Equal("open", result.GetProperty("channel").GetString());
        Assert.Equal(0, result.GetProperty("creditsCharged").GetInt32());
    }

    public static TheoryData<string> LockedCases =>
    [
        "connections_only", "known_contacts_only", "premium_required", "awaiting_reply", "inmail_not_accepted",
        "inmail_requires_premium", "insufficient_credits", "unavailable", "sender_suspended", "sender_restricted",
    ];

    [Theory]
    [MemberData(nameof(LockedCases))]
    public async Task EachLockedReasonIsA403ProblemWithReasonsAndRemedies(string reason)
    {
        var sender = await Api.SignUpAsync("s", tier: reason is "inmail_not_accepted" or "insufficient_credits" ? "premium_business" : null);
        var recipient = await Api.SignUpAsync("r", tier: reason == "premium_required" ? "sales_navigator" : null, settings: reason switch
        {
            "connections_only" => new { whoCanMessage = "connections", acceptInMail = true },
            "known_contacts_only" => new { whoCanMessage = "knownContacts", acceptInMail = true },
            "inmail_not_accepted" => new { whoCanMessage = "anyone", acceptInMail = false },
            _ => null,
        });
        var inMail = reason is "inmail_not_accepted" or "inmail_requires_premium" or "insufficient_credits";
        switch (reason)
        {
            case "awaiting_reply":
                Assert.Equal(HttpStatusCode.Created, (await SendAsync(sender, recipient)).StatusCode);
                Assert.Equal(HttpStatusCode.Created, (await SendAsync(sender, recipient)).StatusCode);
                break;
            case "insufficient_credits":
                await Api.GrantCreditsAsync(sender.Handle, -await BalanceAsync(sender));
                break;
            case "unavailable":
                await recipient.Client.PutAsync(new Uri($"/api/me/blocks/{sender.Handle}", UriKind.Relative), null);
                break;
            case "sender_suspended":
                await Api.Admin.PutAsJsonAsync($"/api/admin/members/{sender.Handle}/status", new { status = "suspended" });
                // The suspension ended the sender's sign-in; signed in again, the member may read, not write.
                sender = sender with { Client = await Api.SignInAsync(sender.Email) };
                break;
            case "sender_restricted":
                await Api.Admin.PutAsJsonAsync($"/api/admin/members/{sender.Handle}/status", new { status = "restricted", until = DateTimeOffset.UtcNow.AddYears(5) });
                break;
        }

        var preflight = await ReadAsync(await sender.Client.GetAsync(new Uri($"/api/reach/{recipient.Handle}?inMail={(inMail ? "true" : "false")}", UriKind.Relative)));
        if (reason == "sender_suspended")
        {
            // The pre-flight explains the lock; the send itself is a write, refused for the account's status before
            // any rule runs (docs/SECURITY.md).
            Assert.Equal([reason], Strings(preflight.GetProperty("reasons")));
            var refused = await AssertProblemAsync(await SendAsync(sender, recipient, inMail: inMail), HttpStatusCode.Forbidden, "not_allowed");
            Assert.Equal("suspended", refused.GetProperty("reason").GetString());
            return;
        }

        var problem = await AssertProblemAsync(await SendAsync(sender, recipient, inMail: inMail), HttpStatusCode.Forbidden, "message_locked");

        Assert.Equal([reason], Strings(problem.GetProperty("reasons")));
        Assert.Equal([reason], Strings(preflight.GetProperty("reasons")));
        Assert.Equal(RemedyCodes(preflight), RemedyCodes(problem));
        if (reason == "unavailable")
        {
            Assert.Empty(RemedyCodes(problem));
        }
        else
        {
            Assert.Contains("bookmark", RemedyCodes(problem));
        }
    }

    [Fact]
    public async Task TheSixteenthColdMessageToABasicMemberIsLockedUntilNextMonth()
    {
        await Api.SetClockAsync(new DateTimeOffset(2031, 3, 10, 9, 0, 0, TimeSpan.Zero));
        var recipient = await Api.SignUpAsync("cap");
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(await Api.SignUpAsync("c"), recipient)).StatusCode);
        }

        var late = await Api.SignUpAsync("late");
        var problem = await AssertProblemAsync(await SendAsync(late, recipient), HttpStatusCode.Forbidden, "message_locked");

        Assert.Equal(["monthly_limit_reached"], Strings(problem.GetProperty("reasons")));
        Assert.Equal(new DateTimeOffset(2031, 4, 1, 0, 0, 0, TimeSpan.Zero), problem.GetProperty("resetsAt").GetDateTimeOffset());
        Assert.Contains("wait_until", RemedyCodes(problem));

        await Api.SetClockAsync(new DateTimeOffset(2031, 4, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(late, recipient)).StatusCode);
    }

    [Fact]
    public async Task AConnectionsOnlyMemberOpensAfterTheInvitationIsAccepted()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob", settings: new { whoCanMessage = "connections", acceptInMail = true }));
        await AssertProblemAsync(await SendAsync(ada, bob), HttpStatusCode.Forbidden, "message_locked");

        var invite = await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle, note = "We met at the conference." });
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);
        var pending = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative)));
        Assert.Contains("invitation_pending", RemedyCodes(pending));

        var id = (await ReadAsync(invite)).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.PostAsync(new Uri($"/api/invitations/{id}/accept", UriKind.Relative), null)).StatusCode);

        var send = await SendAsync(ada, bob);
        Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        Assert.Equal("connection", (await ReadAsync(send)).GetProperty("channel").GetString());
    }

    [Fact]
    public async Task AKnownContactsMemberOpensWithTheirEmailOrAnAddressBookEntry()
    {
        var recipient = await Api.SignUpAsync("kc", settings: new { whoCanMessage = "knownContacts", acceptInMail = true });
        var (stranger, friend) = (await Api.SignUpAsync("st"), await Api.SignUpAsync("fr"));

        var wrong = await AssertProblemAsync(await SendAsync(stranger, recipient, email: "someone@example.com"), HttpStatusCode.Forbidden, "message_locked");
        Assert.Equal(["known_contacts_only"], Strings(wrong.GetProperty("reasons")));
        Assert.Contains("provide_email", RemedyCodes(wrong));

        var right = await SendAsync(stranger, recipient, email: recipient.Email.ToUpperInvariant());
        Assert.Equal("knownContact", (await ReadAsync(right)).GetProperty("channel").GetString());

        var book = await recipient.Client.PutAsJsonAsync("/api/me/address-book", new { emails = new[] { friend.Email } });
        Assert.Equal(1, (await ReadAsync(book)).GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(friend, recipient)).StatusCode);
    }

    [Fact]
    public async Task WrongEmailAttemptsAreLimitedPerDay()
    {
        var recipient = await Api.SignUpAsync("kc", settings: new { whoCanMessage = "knownContacts", acceptInMail = true });
        var guesser = await Api.SignUpAsync("g");
        for (var i = 0; i < 5; i++)
        {
            await AssertProblemAsync(await SendAsync(guesser, recipient, email: $"guess{i}@example.com"), HttpStatusCode.Forbidden, "message_locked");
        }

        // The sixth attempt is not checked at all, even with the right address, and the remedy is gone.
        var problem = await AssertProblemAsync(await SendAsync(guesser, recipient, email: recipient.Email), HttpStatusCode.Forbidden, "message_locked");
        Assert.DoesNotContain("provide_email", RemedyCodes(problem));
    }

    [Fact]
    public async Task AnInMailSpendsACreditThatComesBackWhenTheRecipientReplies()
    {
        var sender = await Api.SignUpAsync("in", tier: "premium_business");
        var recipient = await Api.SignUpAsync("r", settings: new { whoCanMessage = "connections", acceptInMail = true });
        var before = await BalanceAsync(sender);

        var preflight = await ReadAsync(await sender.Client.GetAsync(new Uri($"/api/reach/{recipient.Handle}", UriKind.Relative)));
        var useInMail = preflight.GetProperty("remedies").EnumerateArray().Single(r => r.GetProperty("code").GetString() == "use_inmail");
        Assert.Equal(1, useInMail.GetProperty("cost").GetInt32());
        Assert.Equal(before, useInMail.GetProperty("balance").GetInt32());

        var send = await SendAsync(sender, recipient, inMail: true);
        Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        var result = await ReadAsync(send);
        Assert.Equal("inMail", result.GetProperty("channel").GetString());
        Assert.Equal(before - 1, await BalanceAsync(sender));

        var conversation = result.GetProperty("conversationId").GetInt64();
        var reply = await recipient.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = "Thanks, happy to talk." });
        Assert.Equal(HttpStatusCode.Created, reply.StatusCode);
        Assert.Equal(before, await BalanceAsync(sender));

        var credits = await ReadAsync(await sender.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative)));
        Assert.Contains("refund", credits.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task ColdConversationsWaitInRequestsUntilAccepted()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var conversation = (await ReadAsync(await SendAsync(ada, bob))).GetProperty("conversationId").GetInt64();

        Assert.Equal([conversation], await FolderAsync(bob, "requests"));
        Assert.Equal([conversation], await FolderAsync(ada, "sent"));
        Assert.Empty(await FolderAsync(bob, "inbox"));

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsync(new Uri($"/api/conversations/{conversation}/accept", UriKind.Relative), null)).StatusCode);
        Assert.Equal([conversation], await FolderAsync(bob, "inbox"));
        Assert.Equal([conversation], await FolderAsync(ada, "inbox"));

        // An accepted conversation is open: Ada may write again and again.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("conversation", (await ReadAsync(await SendAsync(ada, bob))).GetProperty("channel").GetString());
        }

        await AssertProblemAsync(await bob.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = " " }), HttpStatusCode.BadRequest, "validation_failed", "body");
        var reply = await bob.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = "Likewise." });
        Assert.Equal("conversation", (await ReadAsync(reply)).GetProperty("channel").GetString());

        var detail = await ReadAsync(await bob.Client.GetAsync(new Uri($"/api/conversations/{conversation}", UriKind.Relative)));
        Assert.Equal(6, detail.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task DecliningAnInMailReturnsTheCredit()
    {
        var sender = await Api.SignUpAsync("in", tier: "sales_navigator");
        var recipient = await Api.SignUpAsync("r");
        var before = await BalanceAsync(sender);
        var conversation = (await ReadAsync(await SendAsync(sender, recipient, inMail: true))).GetProperty("conversationId").GetInt64();

        Assert.Equal(HttpStatusCode.NoContent, (await recipient.Client.PostAsync(new Uri($"/api/conversations/{conversation}/decline", UriKind.Relative), null)).StatusCode);

        Assert.Equal(before, await BalanceAsync(sender));
        Assert.Empty(await FolderAsync(recipient, "requests"));
    }

    [Fact]
    public async Task AReplayedIdempotencyKeyReturnsTheFirstResultAndSendsNothingMore()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));

        var first = await ReadAsync(await SendAsync(ada, bob, key: "k-1"));
        var again = await SendAsync(ada, bob, key: "k-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(first.GetProperty("messageId").GetInt64(), (await ReadAsync(again)).GetProperty("messageId").GetInt64());

        await AssertProblemAsync(await SendAsync(ada, bob, body: "another text", key: "k-1"), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var conversation = await ReadAsync(await bob.Client.GetAsync(new Uri($"/api/conversations/{first.GetProperty("conversationId").GetInt64()}", UriKind.Relative)));
        Assert.Equal(1, conversation.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task AKeyWhoseFirstSendIsStillRunningIsBusy()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));
        var hash = await FirstAttemptInFlightAsync(ada, bob, "busy-key");

        await AssertProblemAsync(await SendAsync(ada, bob, body: "Busy", key: "busy-key"), HttpStatusCode.Conflict, "idempotency_key_in_flight");

        // Two minutes later the first attempt counts as dead, and the key is taken over.
        await Api.SetClockAsync(DateTimeOffset.UtcNow.AddMinutes(3));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(ada, bob, body: "Busy", key: "busy-key")).StatusCode);
        Assert.NotEmpty(hash);
    }

    [Fact]
    public async Task BadInputIsA400NamingTheFieldAndChangesNothing()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"));

        await AssertProblemAsync(await ada.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent("{\"toHandle\": ", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = 42 }), HttpStatusCode.BadRequest, "validation_failed", "body");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = "hi", inMail = "yes" }), HttpStatusCode.BadRequest, "validation_failed", "inMail");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle }), HttpStatusCode.BadRequest, "validation_failed", "body");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { body = "hi" }), HttpStatusCode.BadRequest, "validation_failed", "toHandle");
        await AssertProblemAsync(await SendAsync(ada, bob, body: new string('x', 8001)), HttpStatusCode.BadRequest, "validation_failed", "body");
        await AssertProblemAsync(await SendAsync(ada, bob, body: "   "), HttpStatusCode.BadRequest, "validation_failed", "body");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = "hi", subject = "s" }), HttpStatusCode.BadRequest, "validation_failed", "subject");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = "hi", inMail = true, subject = new string('s', 201) }), HttpStatusCode.BadRequest, "validation_failed", "subject");
        await AssertProblemAsync(await SendAsync(ada, bob, email: "not an email"), HttpStatusCode.BadRequest, "validation_failed", "recipientEmail");
        await AssertProblemAsync(await SendAsync(ada, ada), HttpStatusCode.BadRequest, "validation_failed", "toHandle");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = "nobody_here", body = "hi" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}?inMail=maybe", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", "inMail");

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(ada, bob, body: new string('x', 8000))).StatusCode);
        Assert.Single(await FolderAsync(bob, "requests"));
    }

    [Fact]
    public async Task WithoutATokenEveryMemberCallIs401()
    {
        var bob = await Api.SignUpAsync("bob");
        var anonymous = Api.NewClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = "hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/me/credits", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/conversations", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task AnotherMembersConversationIsNotFound()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        var conversation = (await ReadAsync(await SendAsync(ada, bob))).GetProperty("conversationId").GetInt64();

        await AssertProblemAsync(await eve.Client.GetAsync(new Uri($"/api/conversations/{conversation}", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await eve.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = "hi" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await eve.Client.PostAsync(new Uri($"/api/conversations/{conversation}/accept", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await eve.Client.PostAsync(new Uri($"/api/conversations/{conversation}/decline", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheBlockedMemberSeesOnlyUnavailable()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob", settings: new { whoCanMessage = "connections", acceptInMail = true }));
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsync(new Uri($"/api/me/blocks/{ada.Handle}", UriKind.Relative), null)).StatusCode);

        var decision = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative)));
        Assert.Equal(["unavailable"], Strings(decision.GetProperty("reasons")));
        Assert.Empty(RemedyCodes(decision));

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync(new Uri($"/api/me/blocks/{ada.Handle}", UriKind.Relative))).StatusCode);
        var after = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative)));
        Assert.Equal(["connections_only"], Strings(after.GetProperty("reasons")));
    }

    // Claims the key as a first attempt that has not finished, exactly as a send in progress would have it.
    private async Task<string> FirstAttemptInFlightAsync(TestMember sender, TestMember recipient, string key)
    {
        await Api.SetClockAsync(DateTimeOffset.UtcNow);
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Reach.Data.ReachDb>();
        var senderId = (await db.FindByHandleAsync(sender.Handle, default))!.Id;
        var request = new Reach.Messaging.SendRequest(recipient.Handle, "Busy", null, false, null);
        var hash = Reach.Messaging.IdempotencyKeys.RequestHash(request);
        db.IdempotencyRecords.Add(new Reach.Messaging.IdempotencyRecord
        {
            SenderId = senderId,
            Key = key,
            RequestHash = hash,
            CreatedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
        });
        await db.SaveChangesAsync();
        return hash;
    }

    private static async Task<long[]> FolderAsync(TestMember member, string folder)
    {
        var list = await ReadAsync(await member.Client.GetAsync(new Uri($"/api/conversations?folder={folder}", UriKind.Relative)));
        return [.. list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64())];
    }
}

public sealed class MessagingApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : MessagingApiTests<SqliteDatabase>(fixture);

public sealed class MessagingApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : MessagingApiTests<PostgresDatabase>(fixture);
