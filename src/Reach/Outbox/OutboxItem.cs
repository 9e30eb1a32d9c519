namespace Reach.Outbox;

/// <summary>
/// Work that follows a commit, stored in the same transaction as the change that calls for it and done by
/// <see cref="OutboxWorker"/> after the request has been answered: at least once, by any process.
/// </summary>
public sealed class OutboxItem
{
    public long Id { get; set; }

    /// <summary>One of <see cref="OutboxKinds"/>.</summary>
    public required string Kind { get; set; }

    public long MemberId { get; set; }

    public long? OtherId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Until when a worker holds it (system time); an item whose claim ran out is taken again.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}

/// <summary>What an <see cref="OutboxItem"/> asks for: bookmarks to decide again (SPEC §4).</summary>
public static class OutboxKinds
{
    /// <summary>The bookmarks between the member and the other, either way (a message, an answer).</summary>
    public const string RecheckPair = "recheck_pair";

    /// <summary>The bookmarks of the member (their cap for the period filled).</summary>
    public const string RecheckTargeting = "recheck_targeting";

    /// <summary>The bookmarks the member holds (their credits came back).</summary>
    public const string RecheckHeldBy = "recheck_held_by";
}
