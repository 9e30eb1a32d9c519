using System.Collections.Immutable;
using System.Globalization;

namespace Reach.Policy;

/// <summary>The kinds of credit movement (SPEC §2.2).</summary>
public enum LedgerEntryKind
{
    /// <summary>Credits granted for a period or on moving to a tier with InMail.</summary>
    Grant,

    /// <summary>Credits spent on an InMail.</summary>
    Spend,

    /// <summary>An InMail's credits returned when the recipient answered.</summary>
    Refund,

    /// <summary>Credits gone: a lot reached its expiry, the rollover cap trimmed the balance, or a move to a tier without InMail forfeited it.</summary>
    Expire,

    /// <summary>Credits bought.</summary>
    Purchase,

    /// <summary>An operator's correction, up or down.</summary>
    Adjust,
}

/// <summary>The stable wire code of a <see cref="LedgerEntryKind"/>.</summary>
public static class LedgerEntryKinds
{
    /// <summary>The code, e.g. <c>refund</c>.</summary>
    public static string Code(this LedgerEntryKind kind) => kind switch
    {
        LedgerEntryKind.Grant => "grant",
        LedgerEntryKind.Spend => "spend",
        LedgerEntryKind.Refund => "refund",
        LedgerEntryKind.Expire => "expire",
        LedgerEntryKind.Purchase => "purchase",
        LedgerEntryKind.Adjust => "adjust",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>Credits that arrived together and expire together. Spending takes from the lot that expires first.</summary>
/// <param name="Id">A stable id, derived from the movement that created the lot.</param>
/// <param name="GrantedAt">When the credits arrived.</param>
/// <param name="ExpiresAt">When what is left of them expires.</param>
/// <param name="Amount">How many credits arrived.</param>
/// <param name="Remaining">How many are left.</param>
public sealed record CreditLot(string Id, DateTimeOffset GrantedAt, DateTimeOffset ExpiresAt, int Amount, int Remaining);

/// <summary>One movement of credits. The balance is the sum of every entry's <see cref="Amount"/>.</summary>
/// <param name="Key">Unique per entry: the idempotency key a store puts a unique constraint on.</param>
/// <param name="At">When the movement happened.</param>
/// <param name="Kind">What kind of movement.</param>
/// <param name="Amount">Credits added (positive) or taken (negative).</param>
/// <param name="BalanceAfter">The balance after this entry.</param>
/// <param name="LotId">The lot the credits went into or came out of.</param>
/// <param name="Ref">The operation the entry belongs to, e.g. <c>spend:m42</c> or <c>grant:2026-11</c>; one operation, one ref.</param>
public sealed record LedgerEntry(string Key, DateTimeOffset At, LedgerEntryKind Kind, int Amount, int BalanceAfter, string LotId, string Ref);

/// <summary>Why a credit operation changed nothing.</summary>
public enum CreditRefusal
{
    /// <summary>The balance is smaller than the amount to take.</summary>
    InsufficientCredits,

    /// <summary>The member's tier has no InMail, so it holds no credits.</summary>
    NoInMail,

    /// <summary>There is no spend with that reference.</summary>
    NothingToRefund,

    /// <summary>The credit-back window after the InMail has passed.</summary>
    RefundWindowClosed,

    /// <summary>An amount of zero or less where more was needed.</summary>
    InvalidAmount,
}

/// <summary>The result of a credit operation: the account after it and the entries it added (none when refused or already done).</summary>
/// <param name="Account">The account after the operation.</param>
/// <param name="Added">The entries the operation added, in order; due expiries come first.</param>
/// <param name="Refusal">Why the operation itself changed nothing, if it did not.</param>
public sealed record CreditChange(CreditAccount Account, ImmutableArray<LedgerEntry> Added, CreditRefusal? Refusal)
{
    /// <summary>Whether the operation was carried out (or had been already: operations are idempotent).</summary>
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// A member's InMail credits as pure functions over lots and ledger entries (SPEC §2.2). Every operation first
/// expires the lots that are due at <c>now</c>, is idempotent by its reference, and never takes the balance below zero.
/// </summary>
/// <param name="Balance">The balance: the sum of every entry the member has.</param>
/// <param name="Lots">The lots that may still matter: every lot with credits left, and the lots an operation refers to.</param>
/// <param name="Entries">The entries an operation consults for idempotency; the whole ledger, or those with the operation's references.</param>
public sealed record CreditAccount(int Balance, ImmutableArray<CreditLot> Lots, ImmutableArray<LedgerEntry> Entries)
{
    /// <summary>An account with no credits and no history.</summary>
    public static CreditAccount Empty { get; } = new(0, [], []);

    /// <summary>Credits left in lots that expire at or before <paramref name="when"/>.</summary>
    public int ExpiringBy(DateTimeOffset when) => Lots.Where(lot => lot.ExpiresAt <= when).Sum(lot => lot.Remaining);

    /// <summary>Expires every lot whose expiry has come.</summary>
    public CreditChange ExpireDue(DateTimeOffset now) => Run(now, static _ => null);

    /// <summary>The grant at the start of <paramref name="period"/> for a member of <paramref name="tier"/>, once per period.</summary>
    public CreditChange GrantForPeriod(ReachPolicy policy, Tier tier, Period period, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tier);
        return Run(now, ops =>
        {
            var reference = "grant:" + period.Key;
            if (!tier.HasInMail || ops.Has(reference))
            {
                return null;
            }

            ops.GrantWithRollover(policy, tier, reference, now);
            return null;
        });
    }

    /// <summary>
    /// A move from <paramref name="from"/> to <paramref name="to"/>: a tier with InMail grants its credits
    /// (held to its rollover cap); a tier without InMail forfeits the balance.
    /// </summary>
    public CreditChange MoveToTier(ReachPolicy policy, Tier from, Tier to, string changeKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return Run(now, ops =>
        {
            var reference = "tier:" + changeKey;
            if (from.Id == to.Id || ops.Has(reference))
            {
                return null;
            }

            if (to.HasInMail)
            {
                ops.GrantWithRollover(policy, to, reference, now);
            }
            else
            {
                ops.Take(ops.Balance, LedgerEntryKind.Expire, reference, now);
            }

            return null;
        });
    }

    /// <summary>Spends <paramref name="cost"/> credits on the InMail <paramref name="messageRef"/>, soonest-expiring lot first.</summary>
    public CreditChange Spend(int cost, string messageRef, DateTimeOffset now) => Run(now, ops =>
    {
        var reference = "spend:" + messageRef;
        if (ops.Has(reference))
        {
            return null;
        }

        if (cost <= 0)
        {
            return CreditRefusal.InvalidAmount;
        }

        if (ops.Balance < cost)
        {
            return CreditRefusal.InsufficientCredits;
        }

        ops.Take(cost, LedgerEntryKind.Spend, reference, now);
        return null;
    });

    /// <summary>
    /// Returns the credits of the InMail <paramref name="messageRef"/>, sent at <paramref name="sentAt"/>, when its
    /// recipient answered within the credit-back window. A credit goes back into its lot; if that lot has expired,
    /// into a new lot with a full expiry. Its references are the spend, the refund and the expiry of each spent lot
    /// (<see cref="ExpiryRef"/>).
    /// </summary>
    public CreditChange Refund(ReachPolicy policy, Tier currentTier, string messageRef, DateTimeOffset sentAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(currentTier);
        return Run(now, ops =>
        {
            var reference = "refund:" + messageRef;
            if (ops.Has(reference))
            {
                return null;
            }

            var spends = ops.EntriesOf("spend:" + messageRef);
            if (spends.Count == 0)
            {
                return CreditRefusal.NothingToRefund;
            }

            if (now > sentAt.AddDays(policy.CreditBackDays))
            {
                return CreditRefusal.RefundWindowClosed;
            }

            if (!currentTier.HasInMail)
            {
                return CreditRefusal.NoInMail;
            }

            foreach (var spend in spends)
            {
                ops.Return(-spend.Amount, spend.LotId, reference, now, policy.CreditExpiryDays);
            }

            return null;
        });
    }

    /// <summary>
    /// Adds (positive) or takes (negative) credits: an operator's adjustment or a purchase. Added credits form a lot
    /// with a full expiry; taken credits come from the soonest-expiring lots, never below zero. A member of a tier
    /// without InMail holds no credits, so none can be added to them.
    /// </summary>
    public CreditChange Adjust(ReachPolicy policy, Tier tier, int amount, LedgerEntryKind kind, string key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tier);
        if (kind is not (LedgerEntryKind.Adjust or LedgerEntryKind.Purchase))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only adjust and purchase entries are made by Adjust.");
        }

        return Run(now, ops =>
        {
            var reference = kind.Code() + ":" + key;
            if (ops.Has(reference))
            {
                return null;
            }

            if (amount == 0 || (amount < 0 && kind == LedgerEntryKind.Purchase))
            {
                return CreditRefusal.InvalidAmount;
            }

            if (amount > 0 && !tier.HasInMail)
            {
                return CreditRefusal.NoInMail;
            }

            if (amount > 0)
            {
                ops.AddLot(amount, kind, reference, reference, now, now.AddDays(policy.CreditExpiryDays));
                return null;
            }

            if (ops.Balance < -amount)
            {
                return CreditRefusal.InsufficientCredits;
            }

            ops.Take(-amount, kind, reference, now);
            return null;
        });
    }

    // Every operation refuses before it changes anything, so a refused one adds only the expiries that were due.
    private CreditChange Run(DateTimeOffset now, Func<Operations, CreditRefusal?> operation)
    {
        var ops = new Operations(this);
        ops.ExpireDue(now);
        var refusal = operation(ops);
        return new CreditChange(ops.ToAccount(), ops.Added, refusal);
    }

    /// <summary>The reference of the entry that expires lot <paramref name="lotId"/>.</summary>
    public static string ExpiryRef(string lotId) => "expire:" + lotId;

    // A mutable working copy for one operation: lots in spending order and the entries added so far.
    private sealed class Operations
    {
        private readonly List<CreditLot> _lots;
        private readonly List<LedgerEntry> _entries;
        private readonly int _firstAdded;

        public Operations(CreditAccount account)
        {
            _lots = [.. account.Lots];
            _entries = [.. account.Entries];
            _firstAdded = _entries.Count;
            Balance = account.Balance;
        }

        public int Balance { get; private set; }

        public ImmutableArray<LedgerEntry> Added => [.. _entries.Skip(_firstAdded)];

        public bool Has(string reference) => _entries.Exists(entry => entry.Ref == reference);

        public List<LedgerEntry> EntriesOf(string reference) => _entries.FindAll(entry => entry.Ref == reference);

        public void ExpireDue(DateTimeOffset now)
        {
            foreach (var index in SpendingOrder())
            {
                var lot = _lots[index];
                if (lot.ExpiresAt > now)
                {
                    break;
                }

                Record(lot.ExpiresAt, LedgerEntryKind.Expire, -lot.Remaining, lot.Id, ExpiryRef(lot.Id));
                _lots[index] = lot with { Remaining = 0 };
            }
        }

        public void GrantWithRollover(ReachPolicy policy, Tier tier, string reference, DateTimeOffset now)
        {
            var excess = Balance + tier.InMailCredits - Math.Max(tier.CreditRolloverCap, tier.InMailCredits);
            if (excess > 0)
            {
                Take(excess, LedgerEntryKind.Expire, reference, now);
            }

            AddLot(tier.InMailCredits, LedgerEntryKind.Grant, reference, reference, now, now.AddDays(policy.CreditExpiryDays));
        }

        public void AddLot(int amount, LedgerEntryKind kind, string lotId, string reference, DateTimeOffset now, DateTimeOffset expiresAt)
        {
            _lots.Add(new CreditLot(lotId, now, expiresAt, amount, amount));
            Record(now, kind, amount, lotId, reference);
        }

        public void Take(int amount, LedgerEntryKind kind, string reference, DateTimeOffset now)
        {
            foreach (var index in SpendingOrder())
            {
                if (amount == 0)
                {
                    break;
                }

                var lot = _lots[index];
                var taken = Math.Min(amount, lot.Remaining);
                _lots[index] = lot with { Remaining = lot.Remaining - taken };
                Record(now, kind, -taken, lot.Id, reference);
                amount -= taken;
            }

            if (amount != 0)
            {
                throw new InvalidOperationException("Credits were taken beyond the balance.");
            }
        }

        public void Return(int amount, string lotId, string reference, DateTimeOffset now, int expiryDays)
        {
            // A lot's expiry is final: once it is recorded, a clock that reads earlier (an operator's manual clock, or
            // another server a little behind) does not reopen the lot, or the lot would expire, and be keyed, twice.
            var index = _lots.FindIndex(lot => lot.Id == lotId);
            if (index >= 0 && _lots[index].ExpiresAt > now && !Has(ExpiryRef(lotId)))
            {
                _lots[index] = _lots[index] with { Remaining = _lots[index].Remaining + amount };
                Record(now, LedgerEntryKind.Refund, amount, lotId, reference);
                return;
            }

            var newLot = reference + ":" + lotId;
            _lots.Add(new CreditLot(newLot, now, now.AddDays(expiryDays), amount, amount));
            Record(now, LedgerEntryKind.Refund, amount, newLot, reference);
        }

        public CreditAccount ToAccount() => new(Balance, [.. _lots], [.. _entries]);

        private List<int> SpendingOrder() => Enumerable.Range(0, _lots.Count)
            .Where(index => _lots[index].Remaining > 0)
            .OrderBy(index => _lots[index].ExpiresAt)
            .ThenBy(index => _lots[index].GrantedAt)
            .ThenBy(index => _lots[index].Id, StringComparer.Ordinal)
            .ToList();

        private void Record(DateTimeOffset at, LedgerEntryKind kind, int amount, string lotId, string reference)
        {
            Balance += amount;
            if (Balance < 0)
            {
                throw new InvalidOperationException("A credit balance cannot go below zero.");
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"{reference}#{lotId}");
            _entries.Add(new LedgerEntry(key, at, kind, amount, Balance, lotId, reference));
        }
    }
}
