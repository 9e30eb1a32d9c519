using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reach.Messaging;
using Reach.Policy;

using Reach.Server.Web;

namespace Reach.Server.Api;

public sealed record ReplyRequest(string? Body);

/// <summary>A conversation in a list: the other member, the last message's first words, and how many are unread.</summary>
public sealed record ConversationJson(long Id, string Folder, MemberJson With, DateTimeOffset LastMessageAt, LastMessageJson? LastMessage, int UnreadCount);

public sealed record LastMessageJson(string FromHandle, string Preview, DateTimeOffset SentAt);

public sealed record MessageJson(long Id, string From, string Body, string? Subject, string Channel, int CreditsCharged, DateTimeOffset SentAt);

/// <summary>
/// A conversation with its messages; <c>unreadCount</c> is the caller's, and <c>seenUpTo</c> the last message the other
/// member has read (0: none): "Seen" on the caller's messages up to it.
/// </summary>
public sealed record ConversationDetailJson(long Id, string Folder, MemberJson With, IReadOnlyList<MessageJson> Messages, int UnreadCount, long SeenUpTo);

/// <summary>Pre-flight, sending, and conversations (SPEC §2–§4, §11).</summary>
public static class MessagesApi
{
    public static void MapMessages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/reach/{handle}", async Task<Results<PipeJson<DecisionJson>, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, Preflight preflight, ReachPolicy policy,
            [FromQuery] string? inMail, [FromQuery] string? recipientEmail, [FromQuery] string? body, CancellationToken cancel) =>
        {
            if (inMail is not (null or "true" or "false"))
            {
                return Problems.Invalid("inMail", "inMail must be true or false.", policy);
            }

            var outcome = await preflight.DecideAsync(user.MemberId(), handle, inMail == "true", recipientEmail, cancel, draft: body);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            // Written by the generated serializer's own options: code that writes the object directly, not through
            // per-property metadata (the API's options, with their converters, can only use the metadata).
            return new PipeJson<DecisionJson>(DecisionJson.From(outcome.Value!, policy), ApiJson.Default.DecisionJson);
        }).WithTags("Messages").RequireAuthorization().RequireRateLimiting(RequestLimits.Preflights).Produces<DecisionJson>()
            .Describe("preflight", "Can I message this member?", "The decision a send would get now, without sending: allowed or locked, the channel and cost, every reason and every remedy, and outreach tips. `inMail=true` asks about an InMail; `recipientEmail` about the known-contacts rule.");

        var messages = app.MapGroup("/api/messages").WithTags("Messages").RequireAuthorization();
        messages.MapPost("/", async Task<Results<Created<SendResult>, ContentHttpResult, ProblemHttpResult>> (
            SendRequest request, ClaimsPrincipal user, SendMessage messaging, ReachPolicy policy,
            [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancel) =>
        {
            var outcome = await messaging.SendAsync(user.MemberId(), request, idempotencyKey, cancel);
            return Respond(outcome, policy);
        }).RequireRateLimiting(RequestLimits.Sends)
            .Describe("sendMessage", "Send a message", "Sends a first message (or one in an existing conversation) to a member by handle, as a regular message or an InMail. 201 with the message; 403 `message_locked` with every reason and remedy; an `Idempotency-Key` makes a retry safe.").CanLock().CanAnswer(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        var conversations = app.MapGroup("/api/conversations").WithTags("Conversations").RequireAuthorization();
        conversations.MapGet("/", async Task<Results<Ok<ListJson<ConversationJson>>, ProblemHttpResult>> (
            ClaimsPrincipal user, ConversationService service, ReachPolicy policy,
            [FromQuery] string? folder, [FromQuery] string? page, CancellationToken cancel) =>
        {
            folder ??= "inbox";
            if (!ConversationService.Folders.Contains(folder))
            {
                return Problems.Invalid("folder", "folder must be 'inbox', 'requests' or 'sent'.", policy);
            }

            if (!Paging.TryParse(page, out var pageNumber))
            {
                return Problems.Invalid("page", "page must be a whole number from 0 to 100000.", policy);
            }

            var list = await service.ListAsync(user.MemberId(), folder, pageNumber, cancel);
            var items = list.Select(c => new ConversationJson(
                c.Id, c.Folder, MemberJson.From(c.With, policy), c.LastMessageAt,
                c.Last is { } last ? new LastMessageJson(last.FromHandle, last.Preview, last.SentAt) : null, c.Unread)).ToList();
            return TypedResults.Ok(new ListJson<ConversationJson>(items, Paging.Next(items.Count, ConversationService.PageSize, pageNumber)));
        })
            .Describe("listConversations", "List conversations", "The caller's conversations in a folder (`inbox`, `requests`, `sent`), newest first, a page at a time.");

        conversations.MapGet("/{id:long}", async Task<Results<Ok<ConversationDetailJson>, ProblemHttpResult>> (
            long id, ClaimsPrincipal user, ConversationService service, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await service.GetAsync(user.MemberId(), id, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            var detail = outcome.Value!;
            return TypedResults.Ok(new ConversationDetailJson(
                detail.Summary.Id, detail.Summary.Folder, MemberJson.From(detail.Summary.With, policy),
                [.. detail.Messages.Select(m => new MessageJson(m.Message.Id, m.FromHandle, m.Message.Body, m.Message.Subject, m.Message.Channel, m.Message.CreditsCharged, m.Message.SentAt))],
                detail.Summary.Unread, detail.ReadByOther));
        })
            .Describe("getConversation", "A conversation", "The conversation with its messages, how many are unread, and how far the other member has read.");

        // A client says its member has read the conversation (the page does so when it opens it).
        conversations.MapPost("/{id:long}/read", async Task<Results<NoContent, ProblemHttpResult>> (
            long id, ClaimsPrincipal user, ConversationService service, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await service.MarkReadAsync(user.MemberId(), id, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("markConversationRead", "Mark a conversation read", "Mark a conversation read.");

        conversations.MapPost("/{id:long}/messages", async Task<Results<Created<SendResult>, ContentHttpResult, ProblemHttpResult>> (
            long id, ReplyRequest request, ClaimsPrincipal user, SendMessage messaging, ReachPolicy policy, CancellationToken cancel) =>
            Respond(await messaging.ReplyAsync(user.MemberId(), id, request.Body, cancel), policy))
            .RequireRateLimiting(RequestLimits.Sends)
            .Describe("reply", "Reply in a conversation", "Writes in a conversation; decided by the same rules as a first message (403 `message_locked`).").CanLock();

        conversations.MapPost("/{id:long}/accept", async Task<Results<NoContent, ProblemHttpResult>> (
            long id, ClaimsPrincipal user, RespondToRequest requests, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await requests.AcceptAsync(user.MemberId(), id, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("acceptRequest", "Accept a message request", "Moves a message request to the inbox; the sender may write again.");

        conversations.MapPost("/{id:long}/decline", async Task<Results<NoContent, ProblemHttpResult>> (
            long id, ClaimsPrincipal user, RespondToRequest requests, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await requests.DeclineAsync(user.MemberId(), id, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("declineRequest", "Decline a message request", "The sender may not write again in this conversation.");
    }

    private static Results<Created<SendResult>, ContentHttpResult, ProblemHttpResult> Respond(SendOutcome outcome, ReachPolicy policy)
    {
        switch (outcome)
        {
            case SendOutcome.Sent { Result: var sent }:
                return TypedResults.Created($"/api/conversations/{sent.ConversationId}", sent);
            case SendOutcome.Replayed { Response: var response }:
                // The stored response of the first send with this Idempotency-Key.
                return TypedResults.Content(response, "application/json", statusCode: StatusCodes.Status201Created);
            case SendOutcome.Locked { Decision: var decision }:
                return Problems.For(Failure.Locked(decision), policy);
            case SendOutcome.Refused { Failure: var failure }:
                return Problems.For(failure, policy);
            default:
                throw new InvalidOperationException("A send ends sent, replayed, locked or refused.");
        }
    }
}

/// <summary>Page numbers of lists: <c>page=0</c> is the first; <c>next</c> names the following page while there may be one.</summary>
public static class Paging
{
    public static bool TryParse(string? page, out int value)
    {
        value = 0;
        return page is null || (int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value <= 100_000);
    }

    public static string? Next(int count, int pageSize, int page) =>
        count == pageSize ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}
