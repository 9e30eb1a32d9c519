using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Posts;

public sealed record PostView(long Id, Member Author, string Body, DateTimeOffset CreatedAt);

/// <summary>Posts and the <c>@handle</c> mentions in them (SPEC §5).</summary>
public sealed partial class PostService(ReachDb db, TimeProvider clock)
{
    public const int BodyMaxLength = 3000;

    public async Task<Outcome<Post>> CreateAsync(long authorId, string? body, CancellationToken cancel)
    {
        if (TextRules.Check("body", body, BodyMaxLength, required: true) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var post = new Post { AuthorId = authorId, Body = body!.Trim(), CreatedAt = now };
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancel);
        await NotifyMentionsAsync(authorId, post.Body, "/posts#post-" + post.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), now, cancel);
        return post;
    }

    /// <summary>The newest posts the viewer may see: none by members the viewer blocked or who blocked the viewer.</summary>
    public async Task<IReadOnlyList<PostView>> RecentAsync(long viewerId, CancellationToken cancel)
    {
        var rows = await (from post in db.Posts
                          join author in db.Members on post.AuthorId equals author.Id
                          where author.Status != AccountStatus.Deactivated
                             && !db.Blocks.Any(b => (b.BlockerId == viewerId && b.BlockedId == author.Id) || (b.BlockerId == author.Id && b.BlockedId == viewerId))
                          orderby post.Id descending
                          select new { post, author }).AsNoTracking().Take(50).ToListAsync(cancel);
        return [.. rows.Select(row => new PostView(row.post.Id, row.author, row.post.Body, row.post.CreatedAt))];
    }

    /// <summary>The handles mentioned in a text, lower case, each once.</summary>
    public static IReadOnlyList<string> Mentions(string text) =>
        [.. MentionPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];

    // Each mentioned member hears of it, unless either has blocked the other (SPEC §5).
    private async Task NotifyMentionsAsync(long authorId, string text, string link, DateTimeOffset now, CancellationToken cancel)
    {
        var handles = Mentions(text);
        if (handles.Count == 0)
        {
            return;
        }

        var author = await db.Members.AsNoTracking().FirstAsync(m => m.Id == authorId, cancel);
        var mentioned = await db.Members.AsNoTracking()
            .Where(m => handles.Contains(m.Handle) && m.Id != authorId && m.Status != AccountStatus.Deactivated)
            .Where(m => !db.Blocks.Any(b => (b.BlockerId == authorId && b.BlockedId == m.Id) || (b.BlockerId == m.Id && b.BlockedId == authorId)))
            .Select(m => m.Id)
            .ToListAsync(cancel);
        foreach (var memberId in mentioned)
        {
            db.Notify(memberId, NotificationKinds.Mention, now, $"{author.DisplayName} mentioned you in a post.", authorId, link);
        }

        await db.SaveChangesAsync(cancel);
    }

    [GeneratedRegex(@"(?<![\w@])@([a-zA-Z0-9_-]{3,30})\b")]
    private static partial Regex MentionPattern();
}
