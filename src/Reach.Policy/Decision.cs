namespace Reach.Policy;

/// <summary>How an allowed message reaches the recipient (SPEC §2.1–§2.2).</summary>
public enum Channel : byte
{
    /// <summary>No channel: the message is locked.</summary>
    None,

    /// <summary><c>connection</c>: S and R are connected.</summary>
    Connection,

    /// <summary><c>conversation</c>: R has written in a conversation with S.</summary>
    Conversation,

    /// <summary><c>open</c>: R accepts cold messages from anyone.</summary>
    Open,

    /// <summary><c>knownContact</c>: S gave R's email or is in R's address book.</summary>
    KnownContact,

    /// <summary><c>openProfile</c>: R's premium open profile.</summary>
    OpenProfile,

    /// <summary><c>inMail</c>: a paid InMail.</summary>
    InMail,
}

/// <summary>Why a request could not be decided at all (SPEC §2.1 step 1).</summary>
public enum DecisionError : byte
{
    /// <summary>No error: the value is a decision.</summary>
    None,

    /// <summary>S or R is deactivated (or unknown to the caller): 404.</summary>
    MemberNotFound,

    /// <summary>S and R are the same member: 400.</summary>
    SameMember,
}

/// <summary>
/// The decision for one message: allowed with a channel, or locked with every reason and remedy.
/// A value type; deciding allocates nothing.
/// </summary>
public readonly record struct Decision
{
    /// <summary>Set when the request is not a decision at all.</summary>
    public DecisionError Error { get; init; }

    /// <summary>The kind of message decided.</summary>
    public MessageKind Kind { get; init; }

    /// <summary>How the message is delivered when allowed; <see cref="Channel.None"/> when locked.</summary>
    public Channel Channel { get; init; }

    /// <summary>Every reason that locks the message, in the spec's order. Empty when allowed, and in <see cref="ExplainMode.Minimal"/>.</summary>
    public ReasonSet Reasons { get; init; }

    /// <summary>What the sender can do. Empty when allowed or unavailable.</summary>
    public RemedySet Remedies { get; init; }

    /// <summary>With <see cref="Reason.MonthlyLimitReached"/>: the start of the next period (in UTC).</summary>
    public DateTimeOffset? ResetsAt
    {
        get => Instants.FromTicks(ResetsAtTicks);
        init => ResetsAtTicks = Instants.ToTicks(value);
    }

    /// <summary>With <see cref="Reason.SenderRestricted"/>: when the sender's restriction ends, if it has an end (in UTC).</summary>
    public DateTimeOffset? RestrictedUntil
    {
        get => Instants.FromTicks(RestrictedUntilTicks);
        init => RestrictedUntilTicks = Instants.ToTicks(value);
    }

    private long ResetsAtTicks { get; init; }

    private long RestrictedUntilTicks { get; init; }

    /// <summary>Credits the message costs when delivered (InMail only).</summary>
    public int Cost { get; init; }

    /// <summary>Every rule and its outcome, for operators. Empty in <see cref="ExplainMode.Minimal"/> views.</summary>
    public DecisionTrace Trace { get; init; }

    /// <summary>Whether the message may be delivered.</summary>
    public bool Allowed => Error == DecisionError.None && Channel != Channel.None;

    /// <summary>Whether the message is locked (a decision, not an error, and not allowed).</summary>
    public bool Locked => Error == DecisionError.None && Channel == Channel.None;

    /// <summary>Whether delivering the message counts against R's receive cap for the period.</summary>
    public bool CountsAgainstCap => Channel is Channel.Open or Channel.KnownContact or Channel.OpenProfile;

    /// <summary>
    /// The decision as the sender may see it under <paramref name="mode"/>: <see cref="ExplainMode.Minimal"/> keeps
    /// only allowed or locked, the channel and the remedies. The trace is for operators and is never part of it.
    /// </summary>
    public Decision ForSender(ExplainMode mode) => mode == ExplainMode.Minimal
        ? this with { Reasons = ReasonSet.None, ResetsAt = null, RestrictedUntil = null, Trace = default }
        : this with { Trace = default };
}
