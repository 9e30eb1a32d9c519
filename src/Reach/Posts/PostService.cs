using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Posts;

public sealed record CommentView(long Id, Member Author, string Body, long? ReplyToId, DateTimeOffset CreatedAt);

public sealed record PostView(long Id, Member Author, string Body, DateTimeOffset CreatedAt, PostView? Shared, int ShareCount, IReadOnlyList<CommentView> Comments);

public sealed record CommentRequest(string? Body, long? ReplyToId);

public sealed record ShareRequest(string? Comment);

/// <summary>
/// Posts, comments, shares and the <c>@handle</c> mentions in them (SPEC §5). A member never sees, comments on or
/// shares the posts of a member they blocked or who blocked them: to them such a post does not exist.
/// </summary>
public sealed partial class PostService(ReachDb db, StaleReads reads, TimeProvider clock, Hints hints)
{
    public const int BodyMaxLength = 3000;

    public const int PageSize = 50;

    public async Task<Outcome<PostView>> CreateAsync(long authorId, string? body, CancellationToken cancel)
    {
        if (TextRules.Check("body", body, BodyMaxLength, required: true) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var post = new Post { AuthorId = authorId, Body = body!.Trim(), CreatedAt = now };
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancel);
        await NotifyMentionsAsync(authorId, post.Body, "a post", PostLink(post.Id), now, cancel);
        return (await ViewAsync(db, authorId, post.Id, cancel)).Value!;
    }

    public async Task<Outcome<PostView>> ShareAsync(long memberId, long postId, ShareRequest request, CancellationToken cancel)
    {
        if (TextRules.Check("comment", request.Comment, BodyMaxLength) is { } invalid)
        {
            return invalid;
        }

        if (await VisibleAsync(db, memberId, postId, cancel) is not { } shared)
        {
            return Failure.NotFound("Post");
        }

        var now = clock.GetUtcNow();
        var post = new Post { AuthorId = memberId, Body = request.Comment?.Trim() ?? string.Empty, SharedPostId = shared.SharedPostId ?? shared.Id, CreatedAt = now };
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancel);
        await NotifyMentionsAsync(memberId, post.Body, "a post", PostLink(post.Id), now, cancel);
        return (await ViewAsync(db, memberId, post.Id, cancel)).Value!;
    }

    public async Task<Outcome<CommentView>> CommentAsync(long memberId, long postId, CommentRequest request, CancellationToken cancel)
    {
        if (TextRules.Check("body", request.Body, BodyMaxLength, required: true) is { } invalid)
        {
            return invalid;
        }

        if (await VisibleAsync(db, memberId, postId, cancel) is not { } post)
        {
            return Failure.NotFound("Post");
        }

        if (request.ReplyToId is { } replyTo && !await db.Comments.AnyAsync(c => c.Id == replyTo && c.PostId == postId, cancel))
        {
            return Failure.Invalid("replyToId", "replyToId must be a comment of this post.");
        }

        var now = clock.GetUtcNow();
        var comment = new Comment { PostId = postId, AuthorId = memberId, Body = request.Body!.Trim(), ReplyToId = request.ReplyToId, CreatedAt = now };
        db.Comments.Add(comment);
        await db.SaveChangesAsync(cancel);
        await NotifyMentionsAsync(memberId, comment.Body, "a comment", PostLink(postId), now, cancel);
        // A comment on a post, and its author's answer, move the author's engagement signal.
        await hints.RefreshAsync(post.AuthorId, cancel);

        var author = await db.Members.AsNoTracking().FirstAsync(m => m.Id == memberId, cancel);
        return new CommentView(comment.Id, author, comment.Body, comment.ReplyToId, comment.CreatedAt);
    }

    /// <summary>A post with its comments and the post it shares, as the viewer may see it (a stale-tolerant read).</summary>
    public async Task<Outcome<PostView>> GetAsync(long viewerId, long postId, CancellationToken cancel) =>
        await ViewAsync(await reads.ForAsync(StaleRead.Posts, viewerId, cancel), viewerId, postId, cancel);

    private static async Task<Outcome<PostView>> ViewAsync(ReachDb source, long viewerId, long postId, CancellationToken cancel)
    {
        if (await VisibleAsync(source, viewerId, postId, cancel) is not { } post)
        {
            return Failure.NotFound("Post");
        }

        var author = await source.Members.AsNoTracking().FirstAsync(m => m.Id == post.AuthorId, cancel);
        var comments = await (from comment in source.Comments
                              where comment.PostId == postId
                              join member in source.Members on comment.AuthorId equals member.Id
                              where ((member.Status != AccountStatus.Deactivated && member.Status != AccountStatus.Suspended) || member.Id == viewerId) && !source.Blocks.Any(x => (x.BlockerId == viewerId && x.BlockedId == member.Id) || (x.BlockerId == member.Id && x.BlockedId == viewerId))
                              orderby comment.Id
                              select new { comment, member }).AsNoTracking().Take(500).ToListAsync(cancel);
        var shares = await source.Posts.CountAsync(p => p.SharedPostId == postId, cancel);
        PostView? shared = null;
        if (post.SharedPostId is { } sharedId)
        {
            shared = (await ViewAsync(source, viewerId, sharedId, cancel)).Value;
        }

        return new PostView(
            post.Id, author, post.Body, post.CreatedAt, shared, shares,
            [.. comments.Select(x => new CommentView(x.comment.Id, x.member, x.comment.Body, x.comment.ReplyToId, x.comment.CreatedAt))]);
    }

    /// <summary>The newest posts the viewer may see, from everyone or from one author.</summary>
    public async Task<IReadOnlyList<PostView>> ListAsync(long viewerId, long? authorId, CancellationToken cancel)
    {
        var source = await reads.ForAsync(StaleRead.Posts, viewerId, cancel);
        var query = from post in source.Posts
                    join author in source.Members on post.AuthorId equals author.Id
                    where ((author.Status != AccountStatus.Deactivated && author.Status != AccountStatus.Suspended) || author.Id == viewerId) && !source.Blocks.Any(x => (x.BlockerId == viewerId && x.BlockedId == author.Id) || (x.BlockerId == author.Id && x.BlockedId == viewerId))
                    select post;
        if (authorId is { } only)
        {
            query = query.Where(p => p.AuthorId == only);
        }

        var ids = await query.OrderByDescending(p => p.Id).Select(p => p.Id).Take(PageSize).ToListAsync(cancel);
        var posts = new List<PostView>();
        foreach (var id in ids)
        {
            if ((await ViewAsync(source, viewerId, id, cancel)).Value is { } view)
            {
                posts.Add(view);
            }
        }

        return posts;
    }

    /// <summary>The handles mentioned in a text, lower case, each once.</summary>
    public static IReadOnlyList<string> Mentions(string text) =>
        [.. MentionPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];

    private static string PostLink(long postId) => "/posts/" + postId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Task<Post?> VisibleAsync(ReachDb source, long viewerId, long postId, CancellationToken cancel) =>
        (from post in source.Posts
         join author in source.Members on post.AuthorId equals author.Id
         where post.Id == postId && ((author.Status != AccountStatus.Deactivated && author.Status != AccountStatus.Suspended) || author.Id == viewerId) && !source.Blocks.Any(x => (x.BlockerId == viewerId && x.BlockedId == author.Id) || (x.BlockerId == author.Id && x.BlockedId == viewerId))
         select post).AsNoTracking().FirstOrDefaultAsync(cancel);

    // Each mentioned member hears of it, unless either has blocked the other (SPEC §5).
    private async Task NotifyMentionsAsync(long authorId, string text, string where, string link, DateTimeOffset now, CancellationToken cancel)
    {
        var handles = Mentions(text);
        if (handles.Count == 0)
        {
            return;
        }

        var author = await db.Members.AsNoTracking().FirstAsync(m => m.Id == authorId, cancel);
        var mentioned = await db.Members.AsNoTracking()
            .Where(m => handles.Contains(m.Handle) && m.Id != authorId && m.Status != AccountStatus.Deactivated && m.Status != AccountStatus.Suspended)
            .Where(m => !db.Blocks.Any(b => (b.BlockerId == authorId && b.BlockedId == m.Id) || (b.BlockerId == m.Id && b.BlockedId == authorId)))
            .Select(m => m.Id)
            .ToListAsync(cancel);
        foreach (var memberId in mentioned)
        {
            db.Notify(memberId, NotificationKinds.Mention, now, $"{author.DisplayName} mentioned you in {where}.", authorId, link);
        }

        await db.SaveChangesAsync(cancel);
    }

    [GeneratedRegex(@"(?<![\w@])@([a-zA-Z0-9_-]{3,30})\b")]
    private static partial Regex MentionPattern();
}
