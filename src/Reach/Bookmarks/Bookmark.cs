namespace Reach.Bookmarks;

/// <summary>A member keeps a profile to come back to, and to hear when its owner becomes reachable (SPEC §4).</summary>
public sealed class Bookmark
{
    public long MemberId { get; set; }

    public long TargetId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Whether the member could message the target when last checked (a regular message or an InMail). A change from
    /// false to true is the one moment that notifies, taken by a conditional update so that it notifies once.
    /// </summary>
    public bool Reachable { get; set; }
}
