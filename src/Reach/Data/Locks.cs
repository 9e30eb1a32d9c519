using Microsoft.EntityFrameworkCore;
using Reach.Members;

namespace Reach.Data;

/// <summary>
/// Row locks for writes that must be serialized per member. The lock is an update of the member's version: on
/// PostgreSQL it holds the row lock until the transaction ends, on SQLite the write transaction is exclusive anyway.
/// </summary>
public static class Locks
{
    /// <summary>Locks the member and loads them afresh, or returns null when there is no such member.</summary>
    public static async Task<Member?> LockMemberAsync(this ReachDb db, long memberId, CancellationToken cancel)
    {
        var tracked = db.Members.Local.FirstOrDefault(member => member.Id == memberId);
        if (tracked is null)
        {
            // One statement: the update takes the lock and returns the row as it is now.
            var locked = await db.Members
                .FromSql($"""UPDATE "Members" SET "Version" = "Version" + 1 WHERE "Id" = {memberId} RETURNING *""")
                .AsAsyncEnumerable()
                .ToListAsync(cancel);
            return locked.Count == 0 ? null : locked[0];
        }

        if (await db.Members
                .Where(member => member.Id == memberId)
                .ExecuteUpdateAsync(set => set.SetProperty(member => member.Version, member => member.Version + 1), cancel) == 0)
        {
            return null;
        }

        await db.Entry(tracked).ReloadAsync(cancel);
        return tracked;
    }

    /// <summary>
    /// Locks both members of a pair, the lower id first so that two transactions on one pair never wait on each other
    /// crosswise. Whatever concerns the pair (an invitation each way, an accept) then happens one at a time.
    /// </summary>
    public static async Task LockPairAsync(this ReachDb db, long firstId, long secondId, CancellationToken cancel)
    {
        await db.LockMemberAsync(Math.Min(firstId, secondId), cancel);
        await db.LockMemberAsync(Math.Max(firstId, secondId), cancel);
    }
}
