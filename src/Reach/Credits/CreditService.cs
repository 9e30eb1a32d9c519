using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Credits;

/// <summary>A member's credits as they see them: balance, ledger, next grant and what expires soon.</summary>
public sealed record CreditStatement(int Balance, IReadOnlyList<LedgerEntryRow> Entries, DateTimeOffset? NextGrantAt, int NextGrantAmount, int ExpiringWithin30Days);

public sealed class CreditService(ReachDb db, ReachPolicy policy, TimeProvider clock, CreditLedger ledger)
{
    public async Task<CreditStatement> StatementAsync(long memberId, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        var member = await db.InTransactionAsync(async c =>
        {
            var locked = (await db.LockMemberAsync(memberId, c))!;
            await ledger.UpkeepAsync(locked, now, c);
            await db.SaveChangesAsync(c);
            return locked;
        }, cancel);

        var entries = await db.Ledger.AsNoTracking()
            .Where(e => e.MemberId == memberId)
            .OrderByDescending(e => e.Id)
            .Take(200)
            .ToListAsync(cancel);
        var expiring = await db.CreditLots.AsNoTracking()
            .Where(l => l.MemberId == memberId && l.Remaining > 0 && l.ExpiresAt <= now.AddDays(30))
            .SumAsync(l => l.Remaining, cancel);
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return new CreditStatement(
            member.CreditBalance,
            entries,
            tier.HasInMail ? policy.Periods.Containing(now).End : null,
            tier.InMailCredits,
            expiring);
    }
}
