using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Reach.Bookmarks;
using Reach.Data;
using Reach.Invitations;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;
using Reach.Safety;
using Reach.Server.Api;
using Reach.Server.Pages.Shared;

namespace Reach.Server.Pages.Members;

/// <summary>A member's profile with the Message button, open or locked, and every way to unlock it (SPEC §2.3, §4).</summary>
public sealed class ProfileModel(ReachDb db, Preflight preflight, BookmarkService bookmarks, Reach.Posts.PostService posts, Hints hints, ReachPolicy policy) : MemberPage
{
    public Member? Member { get; private set; }

    public bool IsMe { get; private set; }

    public DecisionJson? Decision { get; private set; }

    /// <summary>The InMail decision, when the message is locked and InMail is locked too for a reason of its own.</summary>
    public DecisionJson? InMailDecision { get; private set; }

    public bool Bookmarked { get; private set; }

    public bool IBlocked { get; private set; }

    public IReadOnlyList<Reach.Posts.PostView> Posts { get; private set; } = [];

    public HintsJson? Hints { get; private set; }

    /// <summary>The conversation with this member, when there is one: "Message" opens it instead of a new message.</summary>
    public long? ConversationId { get; private set; }

    public ReachPolicy Policy => policy;

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken cancel)
    {
        Member = await db.FindByHandleAsync(handle, cancel);
        if (Member is null || Member.Status == AccountStatus.Deactivated)
        {
            return NotFound();
        }

        IsMe = Member.Id == Me;
        if (!IsMe)
        {
            var decided = await preflight.DecideAsync(Me, Member.Handle, inMail: false, recipientEmail: null, cancel);
            if (decided.Failure is not null)
            {
                return NotFound();
            }

            Decision = DecisionJson.From(decided.Value!.Decision, policy);
            if (!Decision.Allowed
                && (await preflight.DecideAsync(Me, Member.Handle, inMail: true, recipientEmail: null, cancel)).Value is { } inMail
                && DecisionJson.From(inMail.Decision, policy) is var inMailDecision && LockPanel.Adds(Decision, inMailDecision))
            {
                InMailDecision = inMailDecision;
            }

            Bookmarked = await bookmarks.HasAsync(Me, Member.Id, cancel);
            var (low, high) = Me < Member.Id ? (Me, Member.Id) : (Member.Id, Me);
            ConversationId = await db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancel);
            IBlocked = await db.Blocks.AnyAsync(b => b.BlockerId == Me && b.BlockedId == Member.Id, cancel);
        }

        Posts = await posts.ListAsync(Me, Member.Id, cancel);
        Hints = HintsJson.From(await hints.ForAsync(Member, cancel));
        return Page();
    }

    public async Task<IActionResult> OnPostInviteAsync(string handle, string? note, [FromServices] InvitationService invitations, CancellationToken cancel)
    {
        var outcome = await invitations.InviteAsync(Me, new InvitationRequest(handle, note), cancel);
        return BackTo("/m/" + handle, outcome.Failure, outcome.Value?.State == "accepted" ? "You are now connected." : "Invitation sent.");
    }

    public async Task<IActionResult> OnPostBookmarkAsync(string handle, CancellationToken cancel)
    {
        var outcome = await bookmarks.AddAsync(Me, handle, cancel);
        return BackTo("/m/" + handle, outcome.Failure, "Bookmarked. You'll get a notification when you can message them.");
    }

    public async Task<IActionResult> OnPostUnbookmarkAsync(string handle, CancellationToken cancel)
    {
        var outcome = await bookmarks.RemoveAsync(Me, handle, cancel);
        return BackTo("/m/" + handle, outcome.Failure, "Bookmark removed.");
    }

    public async Task<IActionResult> OnPostBlockAsync(string handle, [FromServices] SafetyService safety, CancellationToken cancel)
    {
        var outcome = await safety.BlockAsync(Me, handle, cancel);
        return BackTo("/m/" + handle, outcome.Failure, "Blocked.");
    }

    public async Task<IActionResult> OnPostUnblockAsync(string handle, [FromServices] SafetyService safety, CancellationToken cancel)
    {
        var outcome = await safety.UnblockAsync(Me, handle, cancel);
        return BackTo("/m/" + handle, outcome.Failure, "Unblocked.");
    }
}
