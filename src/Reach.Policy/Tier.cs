namespace Reach.Policy;

/// <summary>
/// An account tier (SPEC §1). The tier set is data in the policy file; <see cref="ReachPolicy.Default"/>
/// holds the spec's five tiers.
/// </summary>
public sealed record Tier
{
    /// <summary>The stable id used in the API and the policy file, e.g. <c>basic</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The name members see, e.g. <c>Basic (free)</c>.</summary>
    public required string DisplayName { get; init; }

    /// <summary>How many cold messages a member of this tier receives per period before <see cref="Reason.MonthlyLimitReached"/>.</summary>
    public required int ReceiveCap { get; init; }

    /// <summary>InMail credits granted at each period start and on moving to this tier; 0 means the tier cannot send InMail.</summary>
    public required int InMailCredits { get; init; }

    /// <summary>The largest balance a grant may leave: unused credits roll over up to this cap.</summary>
    public required int CreditRolloverCap { get; init; }

    /// <summary>Whether members of this tier show a premium badge; only badge tiers may turn on <c>openProfile</c>.</summary>
    public required bool PremiumBadge { get; init; }

    /// <summary>Whether members of this tier may cold-message premium-only recipients.</summary>
    public required bool PremiumSender { get; init; }

    /// <summary>Whether members of this tier can be cold-messaged only by premium senders (the policy's <c>premiumOnlyRecipients</c>).</summary>
    public required bool PremiumOnlyRecipient { get; init; }

    /// <summary>The tier's position in <see cref="ReachPolicy.Tiers"/>; set by the policy that owns it.</summary>
    public int Index { get; internal init; }

    /// <summary>Whether members of this tier may send InMail.</summary>
    public bool HasInMail => InMailCredits > 0;
}

/// <summary>A set of tiers of one policy, as a bit per <see cref="Tier.Index"/>. A value type: building one allocates nothing.</summary>
public readonly record struct TierSet(ulong Bits)
{
    /// <summary>The most tiers a policy may define.</summary>
    public const int Capacity = 64;

    /// <summary>The empty set.</summary>
    public static TierSet Empty => default;

    /// <summary>Whether the set has no tier.</summary>
    public bool IsEmpty => Bits == 0;

    /// <summary>Whether <paramref name="tier"/> is in the set.</summary>
    public bool Contains(Tier tier) => (Bits & (1UL << tier.Index)) != 0;

    /// <summary>The set with <paramref name="tier"/> added.</summary>
    public TierSet With(Tier tier) => new(Bits | (1UL << tier.Index));

    /// <summary>The tiers of <paramref name="policy"/> in this set, in the policy's order.</summary>
    public IEnumerable<Tier> In(ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var tier in policy.Tiers)
        {
            if (Contains(tier))
            {
                yield return tier;
            }
        }
    }
}
