namespace Reach.Invitations;

public enum InvitationState
{
    Pending,
    Accepted,
    Ignored,
    Withdrawn,
    Reported,
}

/// <summary>A connection request (SPEC §2.4).</summary>
public sealed class Invitation
{
    public long Id { get; set; }

    public long FromId { get; set; }

    public long ToId { get; set; }

    public string? Note { get; set; }

    public InvitationState State { get; set; }

    public DateTimeOffset SentAt { get; set; }

    public DateTimeOffset? RespondedAt { get; set; }
}

/// <summary>
/// The one pending invitation a pair may have, keyed by the pair in id order: its primary key is what makes a
/// second pending invitation, in either direction, impossible.
/// </summary>
public sealed class PendingPair
{
    public long LowId { get; set; }

    public long HighId { get; set; }

    public long InvitationId { get; set; }
}
