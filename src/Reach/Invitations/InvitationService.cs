using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;
using Reach.Safety;

namespace Reach.Invitations;

public sealed record InvitationRequest(string? ToHandle, string? Note);

/// <summary>An invitation with both members' handles, as lists show it.</summary>
public sealed record InvitationView(long Id, string FromHandle, string ToHandle, string? Note, string State, DateTimeOffset SentAt, DateTimeOffset? RespondedAt);

/// <summary>
/// Connection requests (SPEC §2.4). The sender's row lock serializes the weekly count; the pending pair's primary key
/// makes a second pending invitation in either direction impossible, and a crossing one is accepted instead.
/// </summary>
public sealed class InvitationService(ReachDb db, ReachPolicy policy, TimeProvider clock, SafetyService safety, Bookmarks.Reachability reachability, Hints hints)
{
    public async Task<Outcome<InvitationView>> InviteAsync(long senderId, InvitationRequest request, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(request.ToHandle) || request.ToHandle.Length > 100)
        {
            return Failure.Invalid("toHandle", "toHandle is required.");
        }

        if (TextRules.Check("note", request.Note, policy.InvitationNoteMaxLength) is { } invalidNote)
        {
            return invalidNote;
        }

        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();

        var recipient = await db.FindByHandleAsync(request.ToHandle, cancel);
        if (recipient is null)
        {
            return Failure.NotFound("Member");
        }

        if (recipient.Id == senderId)
        {
            return Failure.Invalid("toHandle", "You cannot invite yourself.");
        }

        var invited = await db.InTransactionAsync<Outcome<InvitationView>>(async c =>
        {
            var now = clock.GetUtcNow();
            await db.LockPairAsync(senderId, recipient.Id, c);
            var sender = await db.Members.FirstAsync(m => m.Id == senderId, c);
            var (s, r) = (senderId, recipient.Id);
            var pendingFromRecipient = await db.Invitations.FirstOrDefaultAsync(i => i.FromId == r && i.ToId == s && i.State == InvitationState.Pending, c);
            var windowStart = InvitationRules.WindowStart(policy, now);
            var facts = new InvitationFacts
            {
                Sender = new Party(policy.FindTier(sender.TierId) ?? policy.DefaultTier, sender.Status, sender.RestrictedUntil),
                Recipient = new Party(policy.FindTier(recipient.TierId) ?? policy.DefaultTier, recipient.Status, recipient.RestrictedUntil),
                Now = now,
                Blocked = await db.Blocks.AnyAsync(b => (b.BlockerId == s && b.BlockedId == r) || (b.BlockerId == r && b.BlockedId == s), c),
                Connected = await db.Connections.AnyAsync(x => x.MemberId == s && x.OtherId == r, c),
                // An ignored invitation still looks pending to its sender (the recipient's choice is not told), so it
                // cannot be sent again at once, notifying each time.
                PendingFromSender = await db.Invitations.AnyAsync(i => i.FromId == s && i.ToId == r && (i.State == InvitationState.Pending || i.State == InvitationState.Ignored), c),
                PendingFromRecipient = pendingFromRecipient is not null,
                SentInWindow = await db.Invitations.CountAsync(i => i.FromId == s && i.SentAt > windowStart, c),
                LastWithdrawnAt = await db.Invitations
                    .Where(i => i.FromId == s && i.ToId == r && i.State == InvitationState.Withdrawn)
                    .OrderByDescending(i => i.RespondedAt)
                    .Select(i => i.RespondedAt)
                    .FirstOrDefaultAsync(c),
                NoteLength = note is null ? 0 : TextRules.Length(note),
            };

            var decision = InvitationRules.Decide(policy, facts);
            switch (decision.Action)
            {
                case InvitationAction.AcceptCrossing:
                    await AcceptInTransactionAsync(pendingFromRecipient!, now, c);
                    return View(pendingFromRecipient!, recipient.Handle, sender.Handle);
                case InvitationAction.Refused:
                    return Refusal(decision);
            }

            var invitation = new Invitation { FromId = s, ToId = r, Note = note, State = InvitationState.Pending, SentAt = now };
            db.Invitations.Add(invitation);
            await db.SaveChangesAsync(c);
            db.Notify(r, NotificationKinds.Invitation, now, $"{sender.DisplayName} invited you to connect.", s, "/network");
            var (low, high) = s < r ? (s, r) : (r, s);
            db.PendingPairs.Add(new PendingPair { LowId = low, HighId = high, InvitationId = invitation.Id });
            await db.SaveChangesAsync(c);
            return View(invitation, sender.Handle, recipient.Handle);
        }, cancel);
        if (invited.Value is { State: "accepted" })
        {
            await ConnectedAsync(senderId, recipient.Id, cancel);
        }

        return invited;
    }

    public async Task<IReadOnlyList<InvitationView>> ListAsync(long memberId, bool received, CancellationToken cancel)
    {
        var query = received
            ? db.Invitations.Where(i => i.ToId == memberId && i.State == InvitationState.Pending)
            : db.Invitations.Where(i => i.FromId == memberId && (i.State == InvitationState.Pending || i.State == InvitationState.Ignored));
        var rows = await query
            .OrderByDescending(i => i.SentAt)
            .Take(500)
            .Join(db.Members, i => i.FromId, m => m.Id, (i, from) => new { Invitation = i, From = from.Handle })
            .Join(db.Members, x => x.Invitation.ToId, m => m.Id, (x, to) => new { x.Invitation, x.From, To = to.Handle })
            .ToListAsync(cancel);
        // The sender sees an ignored invitation as pending.
        return [.. rows.Select(row => View(row.Invitation, row.From, row.To) with { State = "pending", RespondedAt = null })];
    }

    public async Task<Outcome<InvitationView>> AcceptAsync(long memberId, long invitationId, CancellationToken cancel)
    {
        var accepted = await RespondAsync(memberId, invitationId, InvitationState.Accepted, cancel);
        if (accepted.Value is { } view)
        {
            var ids = await db.Members.Where(m => m.Handle == view.FromHandle || m.Handle == view.ToHandle).Select(m => m.Id).ToListAsync(cancel);
            await ConnectedAsync(ids[0], ids[^1], cancel);
        }

        return accepted;
    }

    public Task<Outcome<InvitationView>> IgnoreAsync(long memberId, long invitationId, CancellationToken cancel) =>
        RespondAsync(memberId, invitationId, InvitationState.Ignored, cancel);

    public Task<Outcome<InvitationView>> ReportAsync(long memberId, long invitationId, CancellationToken cancel) =>
        RespondAsync(memberId, invitationId, InvitationState.Reported, cancel);

    /// <summary>The sender withdraws a pending invitation; re-inviting the same member is blocked for a while.</summary>
    public async Task<Outcome<InvitationView>> WithdrawAsync(long memberId, long invitationId, CancellationToken cancel) =>
        await db.InTransactionAsync<Outcome<InvitationView>>(async c =>
        {
            var invitation = await LockedInvitationAsync(invitationId, i => i.FromId == memberId, c);
            if (invitation is null || invitation.State is not (InvitationState.Pending or InvitationState.Ignored))
            {
                return Failure.NotFound("Invitation");
            }

            invitation.State = InvitationState.Withdrawn;
            invitation.RespondedAt = clock.GetUtcNow();
            await db.PendingPairs.Where(p => p.InvitationId == invitation.Id).ExecuteDeleteAsync(c);
            await db.SaveChangesAsync(c);
            return await ViewAsync(invitation, c);
        }, cancel);

    private async Task<Outcome<InvitationView>> RespondAsync(long memberId, long invitationId, InvitationState response, CancellationToken cancel) =>
        await db.InTransactionAsync<Outcome<InvitationView>>(async c =>
        {
            var invitation = await LockedInvitationAsync(invitationId, i => i.ToId == memberId, c);
            if (invitation is null || invitation.State != InvitationState.Pending)
            {
                return Failure.NotFound("Invitation");
            }

            var now = clock.GetUtcNow();
            if (response == InvitationState.Accepted)
            {
                // Across a block, or from a member who is suspended or gone, the answer is the one an unavailable
                // member's invitation gets: no connection, and nothing that tells a block from a suspension.
                var (from, to) = (invitation.FromId, invitation.ToId);
                if (await db.Blocks.AnyAsync(b => (b.BlockerId == from && b.BlockedId == to) || (b.BlockerId == to && b.BlockedId == from), c)
                    || await db.Members.AnyAsync(m => m.Id == from && (m.Status == AccountStatus.Suspended || m.Status == AccountStatus.Deactivated), c))
                {
                    return new Failure(Failure.Codes.InvitationRefused, "This member is not available.") { Reason = "unavailable" };
                }

                await AcceptInTransactionAsync(invitation, now, c);
            }
            else
            {
                invitation.State = response;
                invitation.RespondedAt = now;
                await db.PendingPairs.Where(p => p.InvitationId == invitation.Id).ExecuteDeleteAsync(c);
                if (response == InvitationState.Reported)
                {
                    await safety.RecordReportAsync(memberId, invitation.FromId, null, invitation.Id, "dont_know", now, c);
                }
            }

            await db.SaveChangesAsync(c);
            return await ViewAsync(invitation, c);
        }, cancel);

    // The invitation with its pair locked, read after the lock so that its state is the latest; null when it is not
    // the member's to act on.
    private async Task<Invitation?> LockedInvitationAsync(long invitationId, System.Linq.Expressions.Expression<Func<Invitation, bool>> mine, CancellationToken cancel)
    {
        var pair = await db.Invitations.AsNoTracking().Where(i => i.Id == invitationId).Where(mine)
            .Select(i => new { i.FromId, i.ToId }).FirstOrDefaultAsync(cancel);
        if (pair is null)
        {
            return null;
        }

        await db.LockPairAsync(pair.FromId, pair.ToId, cancel);
        return await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId, cancel);
    }

    private async Task AcceptInTransactionAsync(Invitation invitation, DateTimeOffset now, CancellationToken cancel)
    {
        invitation.State = InvitationState.Accepted;
        invitation.RespondedAt = now;
        await db.PendingPairs.Where(p => p.InvitationId == invitation.Id).ExecuteDeleteAsync(cancel);
        if (!await db.Connections.AnyAsync(x => x.MemberId == invitation.FromId && x.OtherId == invitation.ToId, cancel))
        {
            db.Connections.Add(new Connection { MemberId = invitation.FromId, OtherId = invitation.ToId, Since = now });
            db.Connections.Add(new Connection { MemberId = invitation.ToId, OtherId = invitation.FromId, Since = now });
            await db.Members.Where(m => m.Id == invitation.FromId || m.Id == invitation.ToId)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.ConnectionCount, m => m.ConnectionCount + 1), cancel);
            await MemberWord.SyncAsync(db, invitation.FromId, invitation.ToId, cancel);
        }

        var accepter = await db.Members.Where(m => m.Id == invitation.ToId).Select(m => new { m.DisplayName, m.Handle }).FirstAsync(cancel);
        db.Notify(invitation.FromId, NotificationKinds.InvitationAccepted, now, $"{accepter.DisplayName} accepted your invitation.", invitation.ToId, "/m/" + accepter.Handle);

        await db.SaveChangesAsync(cancel);
    }

    // After a connection is committed: what it unlocks, and the two members' scores.
    private async Task ConnectedAsync(long first, long second, CancellationToken cancel)
    {
        await reachability.RecheckPairAsync(first, second, cancel);
        await hints.RefreshAsync(first, cancel);
        await hints.RefreshAsync(second, cancel);
    }

    private async Task<InvitationView> ViewAsync(Invitation invitation, CancellationToken cancel)
    {
        var handles = await db.Members
            .Where(m => m.Id == invitation.FromId || m.Id == invitation.ToId)
            .ToDictionaryAsync(m => m.Id, m => m.Handle, cancel);
        return View(invitation, handles[invitation.FromId], handles[invitation.ToId]);
    }

    private static InvitationView View(Invitation invitation, string fromHandle, string toHandle) =>
        new(invitation.Id, fromHandle, toHandle, invitation.Note, StateCode(invitation.State), invitation.SentAt, invitation.RespondedAt);

    public static string StateCode(InvitationState state) => state switch
    {
        InvitationState.Pending => "pending",
        InvitationState.Accepted => "accepted",
        InvitationState.Ignored => "ignored",
        InvitationState.Withdrawn => "withdrawn",
        _ => "reported",
    };

    private static Failure Refusal(InvitationDecision decision)
    {
        var (code, detail) = decision.Refusal switch
        {
            InvitationRefusal.Unavailable => ("unavailable", "This member is not available."),
            InvitationRefusal.SenderSuspended => ("sender_suspended", "Your account is suspended."),
            InvitationRefusal.SenderRestricted => ("sender_restricted", "Your account is restricted from sending invitations for now."),
            InvitationRefusal.AlreadyConnected => ("already_connected", "You are connected already."),
            InvitationRefusal.AlreadyPending => ("already_pending", "Your invitation is waiting for an answer."),
            InvitationRefusal.ReinviteBlocked => ("reinvite_blocked", "You withdrew an invitation to this member recently."),
            InvitationRefusal.WeeklyLimitReached => ("weekly_limit_reached", "You have sent as many invitations as a week allows."),
            _ => ("note_too_long", "The note is too long."),
        };
        return new Failure(Failure.Codes.InvitationRefused, detail) { Reason = code, Until = decision.Until };
    }
}
