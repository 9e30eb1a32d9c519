using System.Numerics;

namespace Reach.Policy;

/// <summary>Why a message is locked. The values are in the spec's order, which is the order reasons are reported in.</summary>
public enum Reason
{
    /// <summary><c>unavailable</c>: a block either way, or a recipient who cannot be reached. Shown alone.</summary>
    Unavailable,

    /// <summary><c>sender_suspended</c>.</summary>
    SenderSuspended,

    /// <summary><c>sender_restricted</c>: no cold messages until the restriction ends.</summary>
    SenderRestricted,

    /// <summary><c>connections_only</c>.</summary>
    ConnectionsOnly,

    /// <summary><c>known_contacts_only</c>: no matching email and not in R's address book.</summary>
    KnownContactsOnly,

    /// <summary><c>premium_required</c>: R is premium-only and S is not a premium sender.</summary>
    PremiumRequired,

    /// <summary><c>monthly_limit_reached</c>: R's receive cap for the period is used up.</summary>
    MonthlyLimitReached,

    /// <summary><c>awaiting_reply</c>: too many unanswered cold messages or InMails to R.</summary>
    AwaitingReply,

    /// <summary><c>inmail_not_accepted</c>.</summary>
    InMailNotAccepted,

    /// <summary><c>inmail_requires_premium</c>: S's tier has no InMail.</summary>
    InMailRequiresPremium,

    /// <summary><c>insufficient_credits</c>.</summary>
    InsufficientCredits,
}

/// <summary>A set of <see cref="Reason"/>s, enumerated in the spec's order. A value type: building one allocates nothing.</summary>
public readonly record struct ReasonSet(uint Bits)
{
    /// <summary>No reason: the message is allowed.</summary>
    public static ReasonSet None => default;

    /// <summary>Whether the set is empty.</summary>
    public bool IsEmpty => Bits == 0;

    /// <summary>How many reasons the set holds.</summary>
    public int Count => BitOperations.PopCount(Bits);

    /// <summary>Whether <paramref name="reason"/> is in the set.</summary>
    public bool Contains(Reason reason) => (Bits & (1u << (int)reason)) != 0;

    /// <summary>The set with <paramref name="reason"/> added.</summary>
    public ReasonSet With(Reason reason) => new(Bits | (1u << (int)reason));

    /// <summary>The set with <paramref name="reason"/> added when <paramref name="applies"/>.</summary>
    public ReasonSet With(Reason reason, bool applies) => applies ? With(reason) : this;

    /// <summary>The reasons of both sets.</summary>
    public ReasonSet Union(ReasonSet other) => new(Bits | other.Bits);

    /// <summary>Whether every reason of this set is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(ReasonSet other) => (Bits & ~other.Bits) == 0;

    /// <summary>Enumerates the reasons in the spec's order without allocating.</summary>
    public Enumerator GetEnumerator() => new(Bits);

    /// <summary>The reasons as a list, in the spec's order.</summary>
    public IReadOnlyList<Reason> ToList()
    {
        var list = new List<Reason>(Count);
        foreach (var reason in this)
        {
            list.Add(reason);
        }

        return list;
    }

    /// <summary>Enumerates a <see cref="ReasonSet"/> lowest bit first.</summary>
    public struct Enumerator(uint bits)
    {
        private uint _rest = bits;

        /// <summary>The current reason.</summary>
        public Reason Current { get; private set; }

        /// <summary>Moves to the next reason.</summary>
        public bool MoveNext()
        {
            if (_rest == 0)
            {
                return false;
            }

            Current = (Reason)BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            return true;
        }
    }
}
