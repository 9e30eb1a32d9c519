namespace Reach.Policy;

/// <summary>A member's account status (SPEC §1).</summary>
public enum AccountStatus
{
    /// <summary>May do everything.</summary>
    Active,

    /// <summary>Until a time: no cold messages, no InMail, no invitations; replies still allowed.</summary>
    Restricted,

    /// <summary>May do nothing, and cannot be reached.</summary>
    Suspended,

    /// <summary>Not reachable and not shown: to others the member does not exist.</summary>
    Deactivated,
}

/// <summary>Who may cold-message a member (<c>whoCanMessage</c>, SPEC §2).</summary>
public enum WhoCanMessage
{
    /// <summary>Everyone.</summary>
    Anyone,

    /// <summary>Nobody cold: connections and open conversations only.</summary>
    Connections,

    /// <summary>Senders who give the member's email, or whose account email is in the member's address book.</summary>
    KnownContacts,
}

/// <summary>Whether a message is a regular message or an InMail (SPEC §2.2).</summary>
public enum MessageKind : byte
{
    /// <summary>A regular message, free, under the recipient's preferences and cap.</summary>
    Regular,

    /// <summary>An InMail: costs credits, skips preference, premium-only, cap and cold pacing.</summary>
    InMail,
}

/// <summary>What the sender said of the recipient's email address when writing.</summary>
public enum GivenEmail
{
    /// <summary>No email given.</summary>
    None,

    /// <summary>The sender gave the recipient's email address.</summary>
    Matches,

    /// <summary>The sender gave an address that is not the recipient's.</summary>
    DoesNotMatch,
}

/// <summary>One side of a decision: the member's tier and status.</summary>
/// <param name="Tier">The member's tier, from the same policy the decision uses.</param>
/// <param name="Status">The member's account status.</param>
/// <param name="RestrictedUntil">With <see cref="AccountStatus.Restricted"/>: the end of the restriction.</param>
public readonly record struct Party(Tier Tier, AccountStatus Status = AccountStatus.Active, DateTimeOffset? RestrictedUntil = null)
{
    /// <summary>Whether a restriction is in force at <paramref name="now"/>; a restriction whose end has passed is not.</summary>
    public bool IsRestrictedAt(DateTimeOffset now) =>
        Status == AccountStatus.Restricted && (RestrictedUntil is not { } until || now < until);
}

/// <summary>A recipient's messaging settings (SPEC §2).</summary>
/// <param name="WhoCanMessage">Who may cold-message the recipient.</param>
/// <param name="AcceptInMail">Whether the recipient accepts InMail.</param>
/// <param name="OpenProfile">Premium tiers only: anyone may cold-message for free.</param>
public readonly record struct MessagingSettings(WhoCanMessage WhoCanMessage, bool AcceptInMail, bool OpenProfile)
{
    /// <summary>The settings of a new member: anyone, InMail accepted, open profile off.</summary>
    public static MessagingSettings Default => new(WhoCanMessage.Anyone, AcceptInMail: true, OpenProfile: false);
}

/// <summary>
/// Everything the rules need to decide one message from S to R. The caller gathers these facts from storage;
/// the decision reads nothing else, so the same facts always give the same decision.
/// </summary>
public readonly record struct DecisionFacts
{
    /// <summary>The sender, S.</summary>
    public required Party Sender { get; init; }

    /// <summary>The recipient, R.</summary>
    public required Party Recipient { get; init; }

    /// <summary>R's messaging settings.</summary>
    public required MessagingSettings Settings { get; init; }

    /// <summary>The time of the decision.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>A regular message or an InMail.</summary>
    public MessageKind Kind { get; init; }

    /// <summary>S and R are the same member: an error, not a decision.</summary>
    public bool SameMember { get; init; }

    /// <summary>Either member has blocked the other.</summary>
    public bool Blocked { get; init; }

    /// <summary>S and R are connected.</summary>
    public bool Connected { get; init; }

    /// <summary>A conversation between S and R in which R has written at least once.</summary>
    public bool OpenConversation { get; init; }

    /// <summary>When S's pending invitation to R was sent, if there is one.</summary>
    public DateTimeOffset? PendingInvitationSentAt { get; init; }

    /// <summary>What S said of R's email address.</summary>
    public GivenEmail Email { get; init; }

    /// <summary>S's account email is in R's imported address book.</summary>
    public bool InAddressBook { get; init; }

    /// <summary>Cold messages R has received in the current period.</summary>
    public int ColdMessagesReceived { get; init; }

    /// <summary>S's cold messages to R that R has not answered.</summary>
    public int UnansweredColdMessages { get; init; }

    /// <summary>S's InMails to R that R has not answered.</summary>
    public int UnansweredInMails { get; init; }

    /// <summary>S's InMail credit balance.</summary>
    public int CreditBalance { get; init; }

    /// <summary>Invitations S may still send in the rolling window.</summary>
    public int InvitationsLeft { get; init; }

    /// <summary>Until when S may not invite R again after withdrawing an invitation, if S did.</summary>
    public DateTimeOffset? ReinviteBlockedUntil { get; init; }

    /// <summary>Wrong-email attempts S has left today.</summary>
    public int EmailAttemptsLeft { get; init; }
}
