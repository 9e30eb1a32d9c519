namespace Reach.Decisions;

/// <summary>One decision as operators see it: who, when, the outcome, every reason and the rule trace.</summary>
public sealed class DecisionLogEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The UTC day, <c>2026-11-27</c>, for counts per day.</summary>
    public required string Day { get; set; }

    public long SenderId { get; set; }

    public long RecipientId { get; set; }

    public bool InMail { get; set; }

    public bool Allowed { get; set; }

    /// <summary>The <see cref="Policy.ReasonSet"/> bits.</summary>
    public int ReasonBits { get; set; }

    /// <summary>The <see cref="Policy.DecisionTrace"/> bits.</summary>
    public long TraceBits { get; set; }

    /// <summary>The sender's tier then (null for decisions logged before facts were kept).</summary>
    public string? SenderTier { get; set; }

    /// <summary>The recipient's tier then.</summary>
    public string? RecipientTier { get; set; }

    /// <summary>The facts it was decided on (<see cref="Policy.LoggedFacts"/>), for what-if replays.</summary>
    public long? Facts { get; set; }

    /// <summary><c>preflight</c> or <c>send</c>.</summary>
    public required string Source { get; set; }
}
