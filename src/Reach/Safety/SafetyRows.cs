namespace Reach.Safety;

/// <summary>One member blocking another.</summary>
public sealed class Block
{
    public long BlockerId { get; set; }

    public long BlockedId { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>A report of a message or an invitation (SPEC §7).</summary>
public sealed class Report
{
    public long Id { get; set; }

    public long ReporterId { get; set; }

    public long ReportedId { get; set; }

    public long? MessageId { get; set; }

    public long? InvitationId { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>Wrong-email attempts a sender made on one UTC day (SPEC §8).</summary>
public sealed class EmailAttempt
{
    public long SenderId { get; set; }

    public required string Day { get; set; }

    public int Count { get; set; }
}
