namespace Reach.Messaging;

/// <summary>
/// The one conversation between two members, keyed by the pair in id order. It records, per side, whether that side
/// has written and how many of its cold messages and InMails wait for an answer.
/// </summary>
public sealed class Conversation
{
    public long Id { get; set; }

    public long LowId { get; set; }

    public long HighId { get; set; }

    /// <summary>The member whose Requests folder holds the conversation until they reply or accept; null once accepted.</summary>
    public long? RequestForId { get; set; }

    public bool Declined { get; set; }

    public bool LowHasWritten { get; set; }

    public bool HighHasWritten { get; set; }

    public int LowUnansweredCold { get; set; }

    public int HighUnansweredCold { get; set; }

    public int LowUnansweredInMail { get; set; }

    public int HighUnansweredInMail { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastMessageAt { get; set; }

    /// <summary>
    /// The other side's messages the low member has not read: counted up by each send in its own write of this row,
    /// set to zero when the member reads (or writes) — stored, so that a list of conversations counts nothing.
    /// </summary>
    public int LowUnread { get; set; }

    /// <inheritdoc cref="LowUnread"/>
    public int HighUnread { get; set; }

    /// <summary>The last message the low member has read (0: none): the other side sees "Seen" up to it.</summary>
    public long LowReadUpTo { get; set; }

    /// <inheritdoc cref="LowReadUpTo"/>
    public long HighReadUpTo { get; set; }

    public int Unread(long memberId) => memberId == LowId ? LowUnread : HighUnread;

    /// <summary>The last message that the other member of the conversation has read.</summary>
    public long ReadByOther(long memberId) => memberId == LowId ? HighReadUpTo : LowReadUpTo;

    public bool HasWritten(long memberId) => memberId == LowId ? LowHasWritten : HighHasWritten;

    public long Other(long memberId) => memberId == LowId ? HighId : LowId;
}

/// <summary>One message. InMail carries a subject and the credits it cost, and whether they were returned.</summary>
public sealed class Message
{
    public long Id { get; set; }

    public long ConversationId { get; set; }

    public long SenderId { get; set; }

    public long RecipientId { get; set; }

    public required string Body { get; set; }

    public string? Subject { get; set; }

    public required string Channel { get; set; }

    public int CreditsCharged { get; set; }

    public bool CreditReturned { get; set; }

    public DateTimeOffset SentAt { get; set; }
}

/// <summary>Cold messages a member received in one period: the row the receive cap is enforced on.</summary>
public sealed class ReceiveCounter
{
    public long MemberId { get; set; }

    public required string PeriodKey { get; set; }

    public int Used { get; set; }

    /// <summary>The cap the last place was taken under; a check constraint keeps <see cref="Used"/> within it.</summary>
    public int Cap { get; set; }
}
