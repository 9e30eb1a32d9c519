using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Messaging;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Bookmarks;

/// <summary>
/// Tells a member when a bookmarked member becomes reachable (SPEC §4): after each event that can change a decision
/// (settings, a connection, a tier, a status, credits, a block, a send) the bookmarks it touches are decided again,
/// and time-driven changes (a new period, an ended restriction) are found by <see cref="SweepAsync"/>. Each bookmark
/// keeps its last state; the change from locked to reachable is a conditional update, so one flip notifies once
/// however many processes see it.
/// </summary>
public sealed class Reachability(ReachDb db, ReachPolicy policy, TimeProvider clock, FactsReader facts)
{
    /// <summary>How far ahead a member is told that credits expire.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);

    /// <summary>The bookmarks the member holds: their own plan, credits or status changed.</summary>
    public Task RecheckHeldByAsync(long memberId, CancellationToken cancel) =>
        RecheckAsync(db.Bookmarks.Where(b => b.MemberId == memberId), cancel);

    /// <summary>The bookmarks of the member: their settings, plan or status changed.</summary>
    public Task RecheckTargetingAsync(long memberId, CancellationToken cancel) =>
        RecheckAsync(db.Bookmarks.Where(b => b.TargetId == memberId), cancel);

    /// <summary>The bookmarks between two members, either way: a connection, a block, a conversation changed.</summary>
    public Task RecheckPairAsync(long first, long second, CancellationToken cancel) =>
        RecheckAsync(db.Bookmarks.Where(b => (b.MemberId == first && b.TargetId == second) || (b.MemberId == second && b.TargetId == first)), cancel);

    /// <summary>Every bookmark, and every credit lot about to expire: what time alone changes.</summary>
    public async Task SweepAsync(CancellationToken cancel)
    {
        await WarnExpiringCreditsAsync(cancel);
        await RecheckAsync(db.Bookmarks, cancel);
    }

    /// <summary>Whether the member can message the target now, by a regular message or by InMail.</summary>
    public async Task<bool> IsReachableAsync(long memberId, long targetId, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        var pair = await facts.ReadPairAsync(memberId, RecipientKey.ById(targetId), now, cancel);
        return pair is not null
            && (MessageRules.Decide(policy, pair.Facts(policy, MessageKind.Regular, null, now)).Allowed
                || MessageRules.Decide(policy, pair.Facts(policy, MessageKind.InMail, null, now)).Allowed);
    }

    private async Task RecheckAsync(IQueryable<Bookmark> bookmarks, CancellationToken cancel)
    {
        var rows = await bookmarks.AsNoTracking().Select(b => new { b.MemberId, b.TargetId, b.Reachable }).ToListAsync(cancel);
        foreach (var row in rows)
        {
            var reachable = await IsReachableAsync(row.MemberId, row.TargetId, cancel);
            if (reachable == row.Reachable)
            {
                continue;
            }

            await db.InTransactionAsync(async c =>
            {
                var flipped = await db.Bookmarks
                    .Where(b => b.MemberId == row.MemberId && b.TargetId == row.TargetId && b.Reachable == row.Reachable)
                    .ExecuteUpdateAsync(set => set.SetProperty(b => b.Reachable, reachable), c);
                if (flipped == 1 && reachable)
                {
                    var target = await db.Members.AsNoTracking().Where(m => m.Id == row.TargetId).Select(m => new { m.DisplayName, m.Handle }).FirstAsync(c);
                    db.Notify(row.MemberId, NotificationKinds.Reachable, clock.GetUtcNow(), $"You can message {target.DisplayName} now.", row.TargetId, "/m/" + target.Handle);
                    await db.SaveChangesAsync(c);
                }

                return flipped;
            }, cancel);
        }
    }

    // Each lot with credits left that expires within the warning window tells its member once.
    private async Task WarnExpiringCreditsAsync(CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        var horizon = now + ExpiryWarning;
        var lots = await db.CreditLots.AsNoTracking()
            .Where(l => l.Remaining > 0 && !l.ExpiryWarned && l.ExpiresAt > now && l.ExpiresAt <= horizon)
            .Select(l => new { l.MemberId, l.LotId, l.Remaining, l.ExpiresAt })
            .ToListAsync(cancel);
        foreach (var lot in lots)
        {
            await db.InTransactionAsync(async c =>
            {
                var warned = await db.CreditLots
                    .Where(l => l.MemberId == lot.MemberId && l.LotId == lot.LotId && !l.ExpiryWarned)
                    .ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiryWarned, true), c);
                if (warned == 1)
                {
                    db.Notify(
                        lot.MemberId, NotificationKinds.CreditsExpiring, now,
                        $"{lot.Remaining} InMail {(lot.Remaining == 1 ? "credit expires" : "credits expire")} on {lot.ExpiresAt.UtcDateTime:d MMMM yyyy}.",
                        link: "/plan");
                    await db.SaveChangesAsync(c);
                }

                return warned;
            }, cancel);
        }
    }
}
