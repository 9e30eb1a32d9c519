using Microsoft.EntityFrameworkCore;
using Reach.Data;

namespace Reach.Notifications;

public sealed record NotificationView(long Id, string Kind, DateTimeOffset At, bool Read, string? ActorHandle, string Text, string? Link);

/// <summary>A member's notifications: listed newest first, counted, marked read (SPEC §9).</summary>
public sealed class NotificationService(ReachDb db)
{
    public const int PageSize = 50;

    public async Task<IReadOnlyList<NotificationView>> ListAsync(long memberId, bool unreadOnly, long? before, CancellationToken cancel)
    {
        var query = db.Notifications.AsNoTracking().Where(n => n.MemberId == memberId);
        if (unreadOnly)
        {
            query = query.Where(n => !n.Read);
        }

        if (before is { } cursor)
        {
            query = query.Where(n => n.Id < cursor);
        }

        return await query
            .OrderByDescending(n => n.Id)
            .Take(PageSize)
            .Select(n => new NotificationView(
                n.Id, n.Kind, n.At, n.Read,
                db.Members.Where(m => m.Id == n.ActorId).Select(m => m.Handle).FirstOrDefault(),
                n.Text, n.Link))
            .ToListAsync(cancel);
    }

    public Task<int> UnreadCountAsync(long memberId, CancellationToken cancel) =>
        db.Notifications.CountAsync(n => n.MemberId == memberId && !n.Read, cancel);

    /// <summary>Marks the given notifications read, or all of them when <paramref name="ids"/> is null; returns how many changed.</summary>
    public Task<int> MarkReadAsync(long memberId, IReadOnlyCollection<long>? ids, CancellationToken cancel)
    {
        var query = db.Notifications.Where(n => n.MemberId == memberId && !n.Read);
        if (ids is not null)
        {
            query = query.Where(n => ids.Contains(n.Id));
        }

        return query.ExecuteUpdateAsync(set => set.SetProperty(n => n.Read, true), cancel);
    }
}

public static class NotificationStaging
{
    /// <summary>
    /// Adds a notification to the unit of work: it is stored by the caller's next save, in the same commit as the
    /// event it tells of, and pushed to the member's open pages once that commit is done.
    /// </summary>
    public static void Notify(this ReachDb db, long memberId, string kind, DateTimeOffset at, string text, long? actorId = null, string? link = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Notifications.Add(new Notification { MemberId = memberId, Kind = kind, At = at, Text = text, ActorId = actorId, Link = link });
    }
}
