namespace Reach.Posts;

/// <summary>A post, or a share of another post with an optional comment (SPEC §5).</summary>
public sealed class Post
{
    public long Id { get; set; }

    public long AuthorId { get; set; }

    /// <summary>The text; empty only for a share without a comment.</summary>
    public required string Body { get; set; }

    /// <summary>The post this one shares, when it is a share.</summary>
    public long? SharedPostId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A comment on a post; a comment may answer another comment of the same post.</summary>
public sealed class Comment
{
    public long Id { get; set; }

    public long PostId { get; set; }

    public long AuthorId { get; set; }

    public required string Body { get; set; }

    /// <summary>The comment this one answers, when it is an answer.</summary>
    public long? ReplyToId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
