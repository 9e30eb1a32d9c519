using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Reach.Bookmarks;
using Reach.Data;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Messages;

/// <summary>
/// Writing a first message or an InMail. The page asks the pre-flight first, so a locked message shows its notice
/// before anything is typed; the send decides again, and a form sent twice delivers once (its idempotency key).
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Web.RequestLimits.Sends)]
public sealed class ComposeModel(ReachDb db, SendMessage messaging, Preflight preflight, BookmarkService bookmarks, ReachPolicy policy) : MemberPage
{
    [BindProperty(SupportsGet = true, Name = "to")]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "inMail")]
    public bool InMail { get; set; }

    [BindProperty(SupportsGet = true, Name = "email")]
    public string? Email { get; set; }

    [BindProperty]
    public string? Subject { get; set; }

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public string? Key { get; set; }

    public Member? Recipient { get; private set; }

    public DecisionJson? Decision { get; private set; }

    /// <summary>Beside a locked message: the InMail decision, when InMail is locked too for a reason of its own.</summary>
    public DecisionJson? InMailDecision { get; private set; }

    public bool Bookmarked { get; private set; }

    public int Balance { get; private set; }

    public ReachPolicy Policy => policy;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(To))
        {
            return Page();
        }

        var found = await PreflightAsync(cancel);
        if (found is not null)
        {
            return found;
        }

        Key = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        var request = new SendRequest(To, Body, InMail ? Subject ?? string.Empty : null, InMail, string.IsNullOrWhiteSpace(Email) ? null : Email);
        switch (await messaging.SendAsync(Me, request, string.IsNullOrEmpty(Key) ? null : Key, cancel))
        {
            case SendOutcome.Sent sent:
                return BackTo($"/messages/{sent.Result.ConversationId}", InMail ? "InMail sent." : "Message sent.");
            case SendOutcome.Replayed:
                return Redirect("/messages?folder=sent");
            case SendOutcome.Locked locked:
                if (await PreflightAsync(cancel, decide: false) is { } gone)
                {
                    return gone;
                }

                Decision = DecisionJson.From(locked.Decision, policy);
                return Page();
            case SendOutcome.Refused { Failure: var failure }:
                if (await PreflightAsync(cancel) is { } elsewhere)
                {
                    return elsewhere;
                }

                ModelState.AddModelError(failure.Field == "body" ? "Body" : string.Empty, Say(failure));
                return Page();
            default:
                throw new InvalidOperationException("A send ends sent, replayed, locked or refused.");
        }
    }

    // A refused draft as the form says it.
    private string Say(Failure failure) => failure.Field switch
    {
        "body" when string.IsNullOrWhiteSpace(Body) => "Write your message first.",
        "body" => $"Your message can have at most {policy.MessageBodyMaxLength:N0} characters, without control characters.",
        "subject" => $"Give your InMail a subject of at most {policy.InMailSubjectMaxLength:N0} characters, without control characters.",
        _ => failure.Detail,
    };

    /// <summary>Whether the draft was just checked ("Check my message"): with no tips, the page says there is nothing to improve.</summary>
    public bool Checked { get; private set; }

    /// <summary>Re-reads the decision with the draft, for the tips; sends nothing.</summary>
    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancel)
    {
        Checked = true;
        var found = await PreflightAsync(cancel);
        return found ?? Page();
    }

    // Reads the recipient and (unless a send just decided) the decision for the form; a result when the page cannot
    // be shown.
    private async Task<IActionResult?> PreflightAsync(CancellationToken cancel, bool decide = true)
    {
        Recipient = await db.FindByHandleAsync(To, cancel);
        if (Recipient is null || Recipient.Status == AccountStatus.Deactivated)
        {
            return NotFound();
        }

        if (Recipient.Id == Me)
        {
            return Redirect("/m/" + Recipient.Handle);
        }

        Bookmarked = await bookmarks.HasAsync(Me, Recipient.Id, cancel);
        if (!decide)
        {
            return null;
        }

        var draft = Body is { Length: > 0 and <= 8000 } ? Body : null;
        var decided = await preflight.DecideAsync(Me, Recipient.Handle, InMail, string.IsNullOrWhiteSpace(Email) ? null : Email.Trim(), cancel, draft);
        if (decided.Failure is { } failure)
        {
            return BackTo("/m/" + Recipient.Handle, failure, string.Empty);
        }

        Decision = DecisionJson.From(decided.Value!, policy);
        if (!InMail && !Decision.Allowed
            && (await preflight.DecideAsync(Me, Recipient.Handle, inMail: true, recipientEmail: null, cancel)).Value is { } inMail
            && DecisionJson.From(inMail.Decision, policy) is var inMailDecision && Pages.Shared.LockPanel.Adds(Decision, inMailDecision))
        {
            InMailDecision = inMailDecision;
        }

        var me = Me;
        Balance = await db.Members.AsNoTracking().Where(m => m.Id == me).Select(m => m.CreditBalance).FirstAsync(cancel);
        return null;
    }
}
