namespace Reach.Bookmarks;

/// <summary>A member keeps a profile to come back to, and to hear when its owner becomes reachable (SPEC §4).</summary>
public sealed class Bookmark
{
    public long MemberId { get; set; }

    public long TargetId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
