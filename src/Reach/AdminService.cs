using Microsoft.EntityFrameworkCore;
using Reach.Credits;
using Reach.Data;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;

namespace Reach;

public sealed record TierRequest(string? Tier);

public sealed record StatusRequest(string? Status, DateTimeOffset? Until);

public sealed record CreditGrantRequest(int? Amount, string? Note);

/// <summary>A pair's decision as operators see it: every rule and its outcome.</summary>
public sealed record DecisionExplanation(Member Sender, Member Recipient, Decision Regular, Decision InMail);

/// <summary>Counts of locked decisions by reason and day.</summary>
public sealed record LockedCount(string Day, string Reason, int Count);

/// <summary>The operator's actions (SPEC §10): tier, status, credits, decision traces and counts.</summary>
public sealed class AdminService(
    ReachDb db, ReachPolicy policy, TimeProvider clock, CreditLedger ledger, FactsReader facts, Bookmarks.Reachability reachability, Hints hints, MemberSessions sessions,
    Microsoft.Extensions.Logging.ILogger<AdminService> log)
{
    public async Task<Outcome<Member>> SetTierAsync(string handle, TierRequest request, CancellationToken cancel)
    {
        var member = await FindAsync(handle, cancel);
        if (member is null)
        {
            return Failure.NotFound("Member");
        }

        if (request.Tier is null || policy.FindTier(request.Tier) is not { } to)
        {
            return Failure.Invalid("tier", $"tier must be one of: {string.Join(", ", policy.Tiers.Select(t => t.Id))}.");
        }

        var changed = await db.InTransactionAsync<Outcome<Member>>(async c =>
        {
            var now = clock.GetUtcNow();
            var locked = (await db.LockMemberAsync(member.Id, c))!;
            var from = policy.FindTier(locked.TierId) ?? policy.DefaultTier;
            await ledger.UpkeepAsync(locked, now, c);
            if (from.Id != to.Id)
            {
                locked.TierId = to.Id;
                if (!to.PremiumBadge)
                {
                    locked.OpenProfile = false;
                }

                await ledger.MoveToTierAsync(locked, from, to, $"{locked.Version}", now, c);
            }

            await db.SaveChangesAsync(c);
            await MemberWord.SyncAsync(db, locked.Id, null, c);
            return locked;
        }, cancel);
        await RecheckBothWaysAsync(member.Id, cancel);
        await hints.RefreshAsync(member.Id, cancel);
        return changed;
    }

    public async Task<Outcome<Member>> SetStatusAsync(string handle, StatusRequest request, CancellationToken cancel)
    {
        var normalized = MemberRules.NormalizeHandle(handle);
        var member = MemberRules.IsValidHandle(normalized) ? await db.Members.FirstOrDefaultAsync(m => m.Handle == normalized, cancel) : null;
        if (member is null)
        {
            return Failure.NotFound("Member");
        }

        if (request.Status is null || Codes.ParseStatus(request.Status) is not { } status)
        {
            return Failure.Invalid("status", "status must be 'active', 'restricted', 'suspended' or 'deactivated'.");
        }

        if (request.Until is not null && status != AccountStatus.Restricted)
        {
            return Failure.Invalid("until", "until is only for 'restricted'.");
        }

        if (request.Until is { } until && until <= clock.GetUtcNow())
        {
            return Failure.Invalid("until", "until must be in the future.");
        }

        // Changed on the locked row inside the transaction, so that a retried attempt changes it again.
        var changed = await db.InTransactionAsync(async c =>
        {
            var locked = (await db.LockMemberAsync(member.Id, c))!;
            if (locked.Status != status && status is AccountStatus.Suspended or AccountStatus.Deactivated)
            {
                // A member who loses the right to act is signed out of every token and cookie; one who only gains or
                // is restricted keeps the session (each request reads the new status anyway: MemberSessions).
                locked.SecurityStamp = MemberSessions.NewStamp();
            }

            locked.Status = status;
            locked.RestrictedUntil = status == AccountStatus.Restricted ? request.Until?.ToUniversalTime() : null;
            await db.SaveChangesAsync(c);
            await MemberWord.SyncAsync(db, locked.Id, null, c);
            return locked;
        }, cancel);
        sessions.Forget(member.Id);
        ReachLog.StatusSet(log, changed.Handle, status, changed.RestrictedUntil);
        await RecheckBothWaysAsync(member.Id, cancel);
        return changed;
    }

    public async Task<Outcome<CreditChange>> GrantCreditsAsync(string handle, CreditGrantRequest request, CancellationToken cancel)
    {
        var member = await FindAsync(handle, cancel);
        if (member is null)
        {
            return Failure.NotFound("Member");
        }

        if (request.Amount is not { } amount || amount is 0 or < -100_000 or > 100_000)
        {
            return Failure.Invalid("amount", "amount must be a whole number from -100000 to 100000, not 0.");
        }

        if (TextRules.Check("note", request.Note, 200) is { } invalidNote)
        {
            return invalidNote;
        }

        var granted = await db.InTransactionAsync<Outcome<CreditChange>>(async c =>
        {
            var now = clock.GetUtcNow();
            var locked = (await db.LockMemberAsync(member.Id, c))!;
            await ledger.UpkeepAsync(locked, now, c);
            var change = await ledger.AdjustAsync(locked, amount, $"{locked.Version}", now, c);
            return change.Refusal switch
            {
                null => change,
                CreditRefusal.NoInMail => new Failure(Failure.Codes.NotAllowed, "This member's tier has no InMail, so it holds no credits."),
                _ => new Failure(Failure.Codes.InsufficientCredits, "The balance is smaller than the amount to take."),
            };
        }, cancel);
        await reachability.RecheckHeldByAsync(member.Id, cancel);
        return granted;
    }

    public async Task<Outcome<DecisionExplanation>> ExplainAsync(string? senderHandle, string? recipientHandle, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(senderHandle))
        {
            return Failure.Invalid("sender", "sender is required.");
        }

        if (string.IsNullOrWhiteSpace(recipientHandle))
        {
            return Failure.Invalid("recipient", "recipient is required.");
        }

        var sender = await FindAsync(senderHandle, cancel);
        var recipient = await FindAsync(recipientHandle, cancel);
        if (sender is null || recipient is null)
        {
            return Failure.NotFound("Member");
        }

        var now = clock.GetUtcNow();
        var pair = (await facts.ReadPairAsync(sender.Id, RecipientKey.ById(recipient.Id), now, cancel, upkeep: false))!;
        var regular = MessageRules.Decide(policy, pair.Facts(policy, MessageKind.Regular, null, now));
        var inMail = MessageRules.Decide(policy, pair.Facts(policy, MessageKind.InMail, null, now));
        return new DecisionExplanation(sender, recipient, regular, inMail);
    }

    /// <summary>Locked send decisions by reason for each day from <paramref name="from"/> to <paramref name="to"/> (UTC days).</summary>
    public async Task<IReadOnlyList<LockedCount>> LockedCountsAsync(DateOnly from, DateOnly to, CancellationToken cancel)
    {
        var first = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = await db.DecisionLog
            .Where(e => !e.Allowed && e.At >= first && e.At < end)
            .GroupBy(e => new { e.Day, e.ReasonBits })
            .Select(g => new { g.Key.Day, g.Key.ReasonBits, Count = g.Count() })
            .ToListAsync(cancel);
        return [.. rows
            .SelectMany(row => new ReasonSet((uint)row.ReasonBits).ToList().Select(reason => (row.Day, Reason: reason.Code(), row.Count)))
            .GroupBy(x => (x.Day, x.Reason))
            .Select(g => new LockedCount(g.Key.Day, g.Key.Reason, g.Sum(x => x.Count)))
            .OrderBy(x => x.Day).ThenBy(x => x.Reason, StringComparer.Ordinal)];
    }

    private Task<Member?> FindAsync(string handle, CancellationToken cancel) => db.FindByHandleAsync(handle, cancel);

    // A member's plan or status decides both what they can reach and who can reach them.
    private async Task RecheckBothWaysAsync(long memberId, CancellationToken cancel)
    {
        await reachability.RecheckHeldByAsync(memberId, cancel);
        await reachability.RecheckTargetingAsync(memberId, cancel);
    }
}
