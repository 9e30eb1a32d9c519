using System.Numerics;

namespace Reach.Policy;

/// <summary>What a sender can do about a locked message (SPEC §2.3), in the spec's order.</summary>
public enum Remedy
{
    /// <summary><c>send_invitation</c>: carries <see cref="RemedySet.InvitationsLeft"/>.</summary>
    SendInvitation,

    /// <summary><c>invitation_pending</c>: carries <see cref="RemedySet.InvitationSentAt"/>.</summary>
    InvitationPending,

    /// <summary><c>provide_email</c>.</summary>
    ProvideEmail,

    /// <summary><c>use_inmail</c>: carries <see cref="RemedySet.InMailCost"/> and <see cref="RemedySet.CreditBalance"/>.</summary>
    UseInMail,

    /// <summary><c>upgrade</c>: carries <see cref="RemedySet.UpgradeTiers"/>.</summary>
    Upgrade,

    /// <summary><c>wait_until</c>: carries <see cref="RemedySet.ResetsAt"/>.</summary>
    WaitUntil,

    /// <summary><c>mention_in_post</c>.</summary>
    MentionInPost,

    /// <summary><c>bookmark</c>.</summary>
    Bookmark,
}

/// <summary>The remedies of a locked decision with the facts each carries. A value type: building one allocates nothing.</summary>
public readonly record struct RemedySet
{
    /// <summary>No remedy.</summary>
    public static RemedySet None => default;

    private uint Bits { get; init; }

    /// <summary>Whether there is no remedy.</summary>
    public bool IsEmpty => Bits == 0;

    /// <summary>How many remedies the set holds.</summary>
    public int Count => BitOperations.PopCount(Bits);

    /// <summary>With <see cref="Remedy.SendInvitation"/>: invitations S may still send this week.</summary>
    public int InvitationsLeft { get; private init; }

    /// <summary>With <see cref="Remedy.InvitationPending"/>: when S's invitation was sent (in UTC).</summary>
    public DateTimeOffset? InvitationSentAt
    {
        get => Instants.FromTicks(InvitationSentAtTicks);
        private init => InvitationSentAtTicks = Instants.ToTicks(value);
    }

    /// <summary>With <see cref="Remedy.UseInMail"/>: the credits an InMail costs.</summary>
    public int InMailCost { get; private init; }

    /// <summary>With <see cref="Remedy.UseInMail"/>: S's credit balance.</summary>
    public int CreditBalance { get; private init; }

    /// <summary>With <see cref="Remedy.Upgrade"/>: the tiers that would unlock the message.</summary>
    public TierSet UpgradeTiers { get; private init; }

    /// <summary>With <see cref="Remedy.WaitUntil"/>: when R's receive cap resets (in UTC).</summary>
    public DateTimeOffset? ResetsAt
    {
        get => Instants.FromTicks(ResetsAtTicks);
        private init => ResetsAtTicks = Instants.ToTicks(value);
    }

    // Instants are kept as UTC ticks (0 for none): 8 bytes instead of the 24 of a nullable DateTimeOffset, which keeps
    // a decision small enough to return without a copy that costs more than the rules.
    private long InvitationSentAtTicks { get; init; }

    private long ResetsAtTicks { get; init; }

    /// <summary>Whether <paramref name="remedy"/> is in the set.</summary>
    public bool Contains(Remedy remedy) => (Bits & (1u << (int)remedy)) != 0;

    /// <summary>Enumerates the remedies in the spec's order without allocating.</summary>
    public Enumerator GetEnumerator() => new(Bits);

    // Built once per decision, every remedy's condition and data at hand; mention_in_post and bookmark apply to every
    // locked decision that offers remedies at all.
    internal RemedySet(
        bool sendInvitation, int invitationsLeft,
        DateTimeOffset? invitationSentAt,
        bool provideEmail,
        bool useInMail, int inMailCost, int creditBalance,
        TierSet upgradeTiers,
        DateTimeOffset? resetsAt)
    {
        var bits = Bit(Remedy.MentionInPost) | Bit(Remedy.Bookmark);
        if (sendInvitation)
        {
            bits |= Bit(Remedy.SendInvitation);
            InvitationsLeft = invitationsLeft;
        }

        if (invitationSentAt is not null)
        {
            bits |= Bit(Remedy.InvitationPending);
            InvitationSentAt = invitationSentAt;
        }

        if (provideEmail)
        {
            bits |= Bit(Remedy.ProvideEmail);
        }

        if (useInMail)
        {
            bits |= Bit(Remedy.UseInMail);
            InMailCost = inMailCost;
            CreditBalance = creditBalance;
        }

        if (!upgradeTiers.IsEmpty)
        {
            bits |= Bit(Remedy.Upgrade);
            UpgradeTiers = upgradeTiers;
        }

        if (resetsAt is not null)
        {
            bits |= Bit(Remedy.WaitUntil);
            ResetsAt = resetsAt;
        }

        Bits = bits;
    }

    private static uint Bit(Remedy remedy) => 1u << (int)remedy;

    /// <summary>Enumerates a <see cref="RemedySet"/> in the spec's order.</summary>
    public struct Enumerator(uint bits)
    {
        private uint _rest = bits;

        /// <summary>The current remedy.</summary>
        public Remedy Current { get; private set; }

        /// <summary>Moves to the next remedy.</summary>
        public bool MoveNext()
        {
            if (_rest == 0)
            {
                return false;
            }

            Current = (Remedy)BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            return true;
        }
    }
}
