using System.Collections.Immutable;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Credits;

/// <summary>
/// Stores the moves of <see cref="CreditAccount"/>: loads what an operation needs, runs the pure operation, and writes
/// its entries, lots and the member's balance. Callers hold the member's row lock (<see cref="Locks"/>) in the same
/// transaction, so two operations on one member never interleave; the ledger's unique keys and the balance's check
/// constraint are the last guards.
/// </summary>
public sealed class CreditLedger(ReachDb db, ReachPolicy policy)
{
    /// <summary>
    /// Brings a locked member's credits up to <paramref name="now"/>: the grant of each period the member has not had
    /// yet (as far back as a grant could still be alive), then every expiry that is due.
    /// </summary>
    public async Task UpkeepAsync(Member member, DateTimeOffset now, CancellationToken cancel)
    {
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        var current = policy.Periods.Containing(now);
        var grantDue = tier.HasInMail && member.CreditsGrantedFor != current.Key;
        var expiryDue = member.NextCreditExpiry is { } next && next <= now;
        if (!grantDue && !expiryDue)
        {
            return;
        }

        if (grantDue)
        {
            // Periods missed while nobody looked: each grant happens at its period's start; grants older than the
            // expiry window would be gone already, and none is due for a period that ended before the member joined.
            var periods = new List<Period>();
            for (var period = current;
                 period.Key != member.CreditsGrantedFor && period.Start > now.AddDays(-policy.CreditExpiryDays) && period.End > member.CreatedAt;
                 period = policy.Periods.Containing(period.Start.AddTicks(-1)))
            {
                periods.Add(period);
            }

            periods.Reverse();
            foreach (var period in periods)
            {
                await ApplyAsync(member, [$"grant:{period.Key}"], [], account => account.GrantForPeriod(policy, tier, period, period.Start), cancel);
            }

            member.CreditsGrantedFor = current.Key;
        }

        await ApplyAsync(member, [], [], account => account.ExpireDue(now), cancel);
    }

    /// <summary>Spends an InMail's cost from a locked member; refused when the balance is short.</summary>
    public Task<CreditChange> SpendAsync(Member member, int cost, string messageRef, DateTimeOffset now, CancellationToken cancel) =>
        ApplyAsync(member, ["spend:" + messageRef], [], account => account.Spend(cost, messageRef, now), cancel);

    /// <summary>Returns an InMail's credits to a locked member (the InMail's sender).</summary>
    public async Task<CreditChange> RefundAsync(Member member, string messageRef, DateTimeOffset sentAt, DateTimeOffset now, CancellationToken cancel)
    {
        var spentLots = await db.Ledger
            .Where(entry => entry.MemberId == member.Id && entry.Ref == "spend:" + messageRef)
            .Select(entry => entry.LotId)
            .ToListAsync(cancel);
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        string[] refs = ["spend:" + messageRef, "refund:" + messageRef, .. spentLots.Select(CreditAccount.ExpiryRef)];
        return await ApplyAsync(member, refs, spentLots,
            account => account.Refund(policy, tier, messageRef, sentAt, now), cancel);
    }

    /// <summary>Moves a locked member's credits from one tier to another (grant, or forfeit).</summary>
    public async Task MoveToTierAsync(Member member, Tier from, Tier to, string changeKey, DateTimeOffset now, CancellationToken cancel)
    {
        await ApplyAsync(member, ["tier:" + changeKey], [], account => account.MoveToTier(policy, from, to, changeKey, now), cancel);
        if (to.HasInMail)
        {
            member.CreditsGrantedFor = policy.Periods.Containing(now).Key;
        }
    }

    /// <summary>An operator's grant or correction on a locked member.</summary>
    public Task<CreditChange> AdjustAsync(Member member, int amount, string key, DateTimeOffset now, CancellationToken cancel)
    {
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return ApplyAsync(member, ["adjust:" + key], [], account => account.Adjust(policy, tier, amount, LedgerEntryKind.Adjust, key, now), cancel);
    }

    private async Task<CreditChange> ApplyAsync(
        Member member, string[] refs, List<string> lotIds, Func<CreditAccount, CreditChange> operation, CancellationToken cancel)
    {
        var lotRows = await db.CreditLots
            .Where(lot => lot.MemberId == member.Id && (lot.Remaining > 0 || lotIds.Contains(lot.LotId)))
            .ToListAsync(cancel);
        var entries = refs.Length == 0
            ? []
            : await db.Ledger.Where(entry => entry.MemberId == member.Id && refs.Contains(entry.Ref)).ToListAsync(cancel);

        var before = new CreditAccount(member.CreditBalance, [.. lotRows.Select(row => row.ToLot())], [.. entries.Select(row => row.ToEntry())]);
        var change = operation(before);

        foreach (var entry in change.Added)
        {
            db.Ledger.Add(new LedgerEntryRow
            {
                MemberId = member.Id,
                Key = entry.Key,
                At = entry.At,
                Kind = entry.Kind,
                Amount = entry.Amount,
                BalanceAfter = entry.BalanceAfter,
                LotId = entry.LotId,
                Ref = entry.Ref,
            });
        }

        var rowsById = lotRows.ToDictionary(row => row.LotId, StringComparer.Ordinal);
        foreach (var lot in change.Account.Lots)
        {
            if (rowsById.TryGetValue(lot.Id, out var row))
            {
                row.Remaining = lot.Remaining;
            }
            else
            {
                db.CreditLots.Add(new CreditLotRow
                {
                    MemberId = member.Id,
                    LotId = lot.Id,
                    GrantedAt = lot.GrantedAt,
                    ExpiresAt = lot.ExpiresAt,
                    Amount = lot.Amount,
                    Remaining = lot.Remaining,
                });
            }
        }

        var added = 0;
        var addedAt = DateTimeOffset.MinValue;
        foreach (var entry in change.Added)
        {
            if (entry.Kind is LedgerEntryKind.Grant or LedgerEntryKind.Purchase || (entry.Kind == LedgerEntryKind.Adjust && entry.Amount > 0))
            {
                added += entry.Amount;
                addedAt = entry.At > addedAt ? entry.At : addedAt;
            }
        }

        if (added > 0)
        {
            db.Notify(member.Id, NotificationKinds.CreditsGranted, addedAt, $"{added} InMail {(added == 1 ? "credit was" : "credits were")} added to your balance.", link: "/plan");
        }

        member.CreditBalance = change.Account.Balance;
        member.NextCreditExpiry = NextExpiry(change.Account.Lots);
        await db.SaveChangesAsync(cancel);
        return change;
    }

    /// <summary>Whether the member's credits need <see cref="UpkeepAsync"/> before they are read: a grant or an expiry is due.</summary>
    public bool UpkeepDue(Member member, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(member);
        return UpkeepDue(policy, member.TierId, member.CreditsGrantedFor, member.NextCreditExpiry, now);
    }

    /// <summary>The same, from the member's tier, last granted period and next expiry.</summary>
    public static bool UpkeepDue(ReachPolicy policy, string tierId, string? creditsGrantedFor, DateTimeOffset? nextCreditExpiry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tier = policy.FindTier(tierId) ?? policy.DefaultTier;
        return (tier.HasInMail && creditsGrantedFor != policy.Periods.Containing(now).Key)
            || (nextCreditExpiry is { } next && next <= now);
    }

    private static DateTimeOffset? NextExpiry(ImmutableArray<CreditLot> lots)
    {
        DateTimeOffset? next = null;
        foreach (var lot in lots)
        {
            if (lot.Remaining > 0 && (next is null || lot.ExpiresAt < next))
            {
                next = lot.ExpiresAt;
            }
        }

        return next;
    }
}
