using Microsoft.AspNetCore.Mvc;
using Reach.Messaging;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Messages;

/// <summary>One conversation: read, reply, and for a request accept or decline (SPEC §3).</summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Web.RequestLimits.Sends)]
public sealed class ConversationModel(ConversationService conversations, SendMessage messaging, RespondToRequest requests, Preflight preflight, ReachPolicy policy) : MemberPage
{
    public ConversationDetail? Detail { get; private set; }

    public DecisionJson? Locked { get; private set; }

    public ReachPolicy Policy => policy;

    // Opening the conversation reads it: its unread count goes to zero, and the other side sees "Seen".
    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancel) =>
        (await conversations.MarkReadAsync(Me, id, cancel)).Succeeded && await LoadAsync(id, cancel) ? Page() : NotFound();

    public async Task<IActionResult> OnPostReplyAsync(long id, string? body, CancellationToken cancel)
    {
        var sent = await messaging.ReplyAsync(Me, id, body, cancel);
        if (sent is SendOutcome.Sent)
        {
            return Redirect($"/messages/{id}");
        }

        if (!await LoadAsync(id, cancel))
        {
            return NotFound();
        }

        switch (sent)
        {
            case SendOutcome.Locked locked:
                Locked = DecisionJson.From(locked.Decision, policy);
                break;
            case SendOutcome.Refused refused:
                ModelState.AddModelError(string.Empty, refused.Failure.Detail);
                break;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAcceptAsync(long id, CancellationToken cancel)
    {
        var outcome = await requests.AcceptAsync(Me, id, cancel);
        return BackTo($"/messages/{id}", outcome.Failure, "Accepted: the conversation is in your Inbox.");
    }

    public async Task<IActionResult> OnPostDeclineAsync(long id, CancellationToken cancel)
    {
        var outcome = await requests.DeclineAsync(Me, id, cancel);
        return outcome.Failure is { } failure ? BackTo($"/messages/{id}", failure, string.Empty) : BackTo("/messages?folder=requests", "Request declined.");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancel)
    {
        var outcome = await conversations.GetAsync(Me, id, cancel);
        Detail = outcome.Value;
        if (Detail is null)
        {
            return false;
        }

        // A reply that would be locked is said before it is written: the lock notice takes the reply box's place.
        var decided = await preflight.DecideAsync(Me, Detail.Summary.With.Handle, inMail: false, recipientEmail: null, cancel);
        if (decided.Value is { Decision.Allowed: false } locked)
        {
            Locked ??= DecisionJson.From(locked, policy);
        }

        return true;
    }
}
