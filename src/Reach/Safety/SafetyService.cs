using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Safety;

public sealed record ReportRequest(long? MessageId, long? InvitationId, string? Reason);

/// <summary>Blocks and reports (SPEC §7), and the restriction that enough reports bring.</summary>
public sealed class SafetyService(ReachDb db, ReachPolicy policy, TimeProvider clock, Bookmarks.Reachability reachability)
{
    public static readonly string[] ReportReasons = ["spam", "harassment", "dont_know"];

    public async Task<Outcome<bool>> BlockAsync(long memberId, string handle, CancellationToken cancel)
    {
        var other = await FindAsync(handle, cancel);
        if (other is null)
        {
            return Failure.NotFound("Member");
        }

        if (other.Id == memberId)
        {
            return Failure.Invalid("handle", "You cannot block yourself.");
        }

        if (await db.Blocks.AnyAsync(b => b.BlockerId == memberId && b.BlockedId == other.Id, cancel))
        {
            return true;
        }

        db.Blocks.Add(new Block { BlockerId = memberId, BlockedId = other.Id, At = Now() });
        try
        {
            await db.SaveChangesAsync(cancel);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            // The same block, made twice at once: it stands.
            db.ChangeTracker.Clear();
        }

        await reachability.RecheckPairAsync(memberId, other.Id, cancel);
        return true;
    }

    public async Task<Outcome<bool>> UnblockAsync(long memberId, string handle, CancellationToken cancel)
    {
        var other = await FindAsync(handle, cancel);
        if (other is null)
        {
            return Failure.NotFound("Member");
        }

        await db.Blocks.Where(b => b.BlockerId == memberId && b.BlockedId == other.Id).ExecuteDeleteAsync(cancel);
        await reachability.RecheckPairAsync(memberId, other.Id, cancel);
        return true;
    }

    public async Task<IReadOnlyList<Member>> ListBlockedAsync(long memberId, CancellationToken cancel) =>
        await db.Blocks.Where(b => b.BlockerId == memberId)
            .Join(db.Members, b => b.BlockedId, m => m.Id, (b, m) => m)
            .OrderBy(m => m.Handle)
            .AsNoTracking()
            .ToListAsync(cancel);

    /// <summary>Reports a message the member received or an invitation sent to them.</summary>
    public async Task<Outcome<bool>> ReportAsync(long memberId, ReportRequest request, CancellationToken cancel)
    {
        if (request.Reason is null || !ReportReasons.Contains(request.Reason))
        {
            return Failure.Invalid("reason", "reason must be 'spam', 'harassment' or 'dont_know'.");
        }

        if ((request.MessageId is null) == (request.InvitationId is null))
        {
            return Failure.Invalid("messageId", "Give exactly one of messageId and invitationId.");
        }

        long? reportedId = request.MessageId is { } messageId
            ? await db.Messages.Where(m => m.Id == messageId && m.RecipientId == memberId).Select(m => (long?)m.SenderId).FirstOrDefaultAsync(cancel)
            : await db.Invitations.Where(i => i.Id == request.InvitationId && i.ToId == memberId).Select(i => (long?)i.FromId).FirstOrDefaultAsync(cancel);
        if (reportedId is null)
        {
            return Failure.NotFound(request.MessageId is null ? "Invitation" : "Message");
        }

        return await db.InTransactionAsync<Outcome<bool>>(async c =>
        {
            await RecordReportAsync(memberId, reportedId.Value, request.MessageId, request.InvitationId, request.Reason, Now(), c);
            return true;
        }, cancel);
    }

    /// <summary>
    /// Stores a report and restricts the reported member once reports from enough distinct members fall within the
    /// window. The reported member's row lock makes the count and the restriction one step.
    /// </summary>
    public async Task RecordReportAsync(long reporterId, long reportedId, long? messageId, long? invitationId, string reason, DateTimeOffset now, CancellationToken cancel)
    {
        db.Reports.Add(new Report { ReporterId = reporterId, ReportedId = reportedId, MessageId = messageId, InvitationId = invitationId, Reason = reason, At = now });
        await db.SaveChangesAsync(cancel);

        var reported = await db.LockMemberAsync(reportedId, cancel);
        var since = SafetyRules.ReportWindowStart(policy, now);
        var reporters = await db.Reports.Where(r => r.ReportedId == reportedId && r.At > since).Select(r => r.ReporterId).Distinct().CountAsync(cancel);
        if (reported is not null
            && reported.Status == AccountStatus.Active
            && SafetyRules.RestrictionUntil(policy, reporters, now) is { } until)
        {
            reported.Status = AccountStatus.Restricted;
            reported.RestrictedUntil = until;
            db.Notify(
                reportedId, NotificationKinds.Restricted, now,
                $"Members reported messages or invitations of yours. Until {until.UtcDateTime:d MMMM yyyy HH:mm} UTC you can reply, but not write first or invite.");
            await db.SaveChangesAsync(cancel);
        }
    }

    private DateTimeOffset Now() => clock.GetUtcNow();

    private Task<Member?> FindAsync(string handle, CancellationToken cancel) => db.FindByHandleAsync(handle, cancel);
}
