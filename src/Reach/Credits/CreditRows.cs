using Reach.Policy;

namespace Reach.Credits;

/// <summary>A stored <see cref="CreditLot"/>.</summary>
public sealed class CreditLotRow
{
    public long MemberId { get; set; }

    public required string LotId { get; set; }

    public DateTimeOffset GrantedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public int Amount { get; set; }

    public int Remaining { get; set; }

    /// <summary>Whether the member was told that this lot's credits expire soon.</summary>
    public bool ExpiryWarned { get; set; }

    public CreditLot ToLot() => new(LotId, GrantedAt, ExpiresAt, Amount, Remaining);
}

/// <summary>A stored <see cref="LedgerEntry"/>; (member, key) is unique, so no movement is ever written twice.</summary>
public sealed class LedgerEntryRow
{
    public long Id { get; set; }

    public long MemberId { get; set; }

    public required string Key { get; set; }

    public DateTimeOffset At { get; set; }

    public LedgerEntryKind Kind { get; set; }

    public int Amount { get; set; }

    public int BalanceAfter { get; set; }

    public required string LotId { get; set; }

    public required string Ref { get; set; }

    public LedgerEntry ToEntry() => new(Key, At, Kind, Amount, BalanceAfter, LotId, Ref);
}
