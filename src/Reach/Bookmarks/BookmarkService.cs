using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;

namespace Reach.Bookmarks;

/// <summary>Bookmarks: add, remove, list (SPEC §4).</summary>
public sealed class BookmarkService(ReachDb db, StaleReads reads, TimeProvider clock, Reachability reachability, Messaging.FactsReader facts, Policy.ReachPolicy policy)
{
    public async Task<Outcome<bool>> AddAsync(long memberId, string handle, CancellationToken cancel)
    {
        var target = await db.FindByHandleAsync(handle, cancel);
        if (target is null)
        {
            return Failure.NotFound("Member");
        }

        if (target.Id == memberId)
        {
            return Failure.Invalid("handle", "You cannot bookmark yourself.");
        }

        if (await db.Bookmarks.AnyAsync(b => b.MemberId == memberId && b.TargetId == target.Id, cancel))
        {
            return true;
        }

        // A bookmark starts in the state it is in, so that only a later change notifies.
        var reachable = await reachability.IsReachableAsync(memberId, target.Id, cancel);
        db.Bookmarks.Add(new Bookmark { MemberId = memberId, TargetId = target.Id, CreatedAt = clock.GetUtcNow(), Reachable = reachable });
        try
        {
            await db.SaveChangesAsync(cancel);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
        }

        return true;
    }

    public async Task<Outcome<bool>> RemoveAsync(long memberId, string handle, CancellationToken cancel)
    {
        var target = await db.FindByHandleAsync(handle, cancel);
        if (target is null)
        {
            return Failure.NotFound("Member");
        }

        await db.Bookmarks.Where(b => b.MemberId == memberId && b.TargetId == target.Id).ExecuteDeleteAsync(cancel);
        return true;
    }

    public Task<bool> HasAsync(long memberId, long targetId, CancellationToken cancel) =>
        db.Bookmarks.AnyAsync(b => b.MemberId == memberId && b.TargetId == targetId, cancel);

    /// <summary>The bookmarked members, newest first; deactivated members are left out (a stale-tolerant read).</summary>
    public async Task<IReadOnlyList<Member>> ListAsync(long memberId, CancellationToken cancel)
    {
        var source = await reads.ForAsync(StaleRead.Bookmarks, memberId, cancel);
        return await (from bookmark in source.Bookmarks
                      where bookmark.MemberId == memberId
                      join member in source.Members.AsNoTracking() on bookmark.TargetId equals member.Id
                      where member.Status != Policy.AccountStatus.Deactivated
                      orderby bookmark.CreatedAt descending
                      select member).ToListAsync(cancel);
    }

    /// <summary>The bookmarked members with each one's current decision for the member, decided for the whole list at once.</summary>
    public async Task<IReadOnlyList<(Member Member, Policy.Decision Decision)>> ListWithDecisionsAsync(long memberId, CancellationToken cancel)
    {
        var targets = await ListAsync(memberId, cancel);
        if (targets.Count == 0)
        {
            return [];
        }

        var all = await facts.ReadManyAsync(memberId, [.. targets.Select(target => target.Id)], Policy.MessageKind.Regular, clock.GetUtcNow(), cancel);
        return [.. targets.Select((target, i) => (target, Policy.MessageRules.Decide(policy, all[i])))];
    }
}
