namespace Reach.Members;

/// <summary>One direction of a connection; every connection is stored as two rows, so "my connections" is one index scan.</summary>
public sealed class Connection
{
    public long MemberId { get; set; }

    public long OtherId { get; set; }

    public DateTimeOffset Since { get; set; }
}
