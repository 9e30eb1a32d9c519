using Microsoft.AspNetCore.Mvc;
using Reach.Messaging;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Messages;

/// <summary>One conversation: read, reply, and for a request accept or decline (SPEC §3).</summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Web.RequestLimits.Sends)]
public sealed class ConversationModel(ConversationService conversations, SendMessage messaging, RespondToRequest requests, ReachPolicy policy) : MemberPage
{
    public ConversationDetail? Detail { get; private set; }

    public DecisionJson? Locked { get; private set; }

    public ReachPolicy Policy => policy;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancel) =>
        await LoadAsync(id, cancel) ? Page() : NotFound();

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
        return outcome.Failure is { } failure ? BackTo($"/messages/{id}", failure.Detail) : BackTo($"/messages/{id}", "Accepted: the conversation is in your Inbox.");
    }

    public async Task<IActionResult> OnPostDeclineAsync(long id, CancellationToken cancel)
    {
        var outcome = await requests.DeclineAsync(Me, id, cancel);
        return outcome.Failure is { } failure ? BackTo($"/messages/{id}", failure.Detail) : BackTo("/messages?folder=requests", "Request declined.");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancel)
    {
        var outcome = await conversations.GetAsync(Me, id, cancel);
        Detail = outcome.Value;
        return outcome.Failure is null;
    }
}
