using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

/// <summary>A member's connections.</summary>
public sealed class ConnectionService(ReachDb db, Bookmarks.Reachability reachability, Hints hints)
{
    public async Task<IReadOnlyList<(Member Member, DateTimeOffset Since)>> ListAsync(long memberId, CancellationToken cancel)
    {
        var rows = await db.Connections.Where(c => c.MemberId == memberId)
            .Join(db.Members, c => c.OtherId, m => m.Id, (c, m) => new { Member = m, c.Since })
            .Where(x => x.Member.Status != AccountStatus.Deactivated)
            .OrderBy(x => x.Member.Handle)
            .AsNoTracking()
            .ToListAsync(cancel);
        return [.. rows.Select(x => (x.Member, x.Since))];
    }

    public async Task<Outcome<bool>> RemoveAsync(long memberId, string handle, CancellationToken cancel)
    {
        var other = await db.FindByHandleAsync(handle, cancel);
        if (other is null)
        {
            return Failure.NotFound("Member");
        }

        var removed = await db.InTransactionAsync(async c =>
        {
            var rows = await db.Connections
                .Where(x => (x.MemberId == memberId && x.OtherId == other.Id) || (x.MemberId == other.Id && x.OtherId == memberId))
                .ExecuteDeleteAsync(c);
            if (rows > 0)
            {
                await db.Members.Where(m => m.Id == memberId || m.Id == other.Id)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.ConnectionCount, m => m.ConnectionCount - 1), c);
                await MemberWord.SyncAsync(db, memberId, other.Id, c);
            }

            return rows;
        }, cancel);
        if (removed == 0)
        {
            return Failure.NotFound("Connection");
        }

        await reachability.RecheckPairAsync(memberId, other.Id, cancel);
        await hints.RefreshAsync(memberId, cancel);
        await hints.RefreshAsync(other.Id, cancel);
        return true;
    }
}
