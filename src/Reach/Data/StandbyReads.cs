using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace Reach.Data;

/// <summary>A read that may be a little stale, so that it may be served by a standby (<c>--db-read</c>).</summary>
public enum StaleRead
{
    /// <summary>Search of members: others' profiles, scores and counts (the decision per hit is read on the primary).</summary>
    Search,

    /// <summary>Another member's profile and receptiveness hints (the pre-flight's decision beside it: the primary).</summary>
    Profile,

    /// <summary>Posts, their comments and shares.</summary>
    Posts,

    /// <summary>The member's bookmarks (each one's decision: the primary).</summary>
    Bookmarks,
}

/// <summary>Where a read is served.</summary>
public enum ReadFrom
{
    Primary,
    Standby,
}

/// <summary>
/// Which read goes where: the one table of it (docs/DESIGN.md shows the same). A read named here goes to a standby when
/// <c>--db-read</c> names one and that standby has replayed the member's last write; every other read — a send's or a
/// pre-flight's decision, conversations, credits, settings, notifications, invitations, the operator's — runs on the
/// primary, in its use case's unit of work.
/// </summary>
public static class ReadRoutes
{
    public static readonly FrozenDictionary<StaleRead, ReadFrom> Table = new Dictionary<StaleRead, ReadFrom>
    {
        [StaleRead.Search] = ReadFrom.Standby,
        [StaleRead.Profile] = ReadFrom.Standby,
        [StaleRead.Posts] = ReadFrom.Standby,
        [StaleRead.Bookmarks] = ReadFrom.Standby,
    }.ToFrozenDictionary();
}

/// <summary>
/// Read-your-writes across a primary and its standbys: after a member's write, the primary's position in its write-ahead
/// log (at least that of the write's commit) is kept for the member, and a standby serves the member's stale-tolerant
/// reads only once it has replayed that far. Kept in this process: a member's requests that write and then read on
/// different Reach processes need the balancer to keep a member on one process (docs/DESIGN.md).
/// </summary>
public sealed class ReadYourWrites
{
    // Marks kept at most; past it the oldest half is dropped. A mark lives as long as a standby may plausibly lag.
    private const int MaxMarks = 200_000;

    /// <summary>How long a write is waited for: a standby further behind than this serves the member's reads anyway.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<long, (ulong Position, long At)> _marks = new();

    /// <summary>The member wrote; the primary's log had reached <paramref name="position"/> after it (ulong.MaxValue: unknown, read the primary).</summary>
    public void Wrote(long memberId, ulong position)
    {
        var at = Environment.TickCount64;
        _marks.AddOrUpdate(memberId, (position, at), (_, old) => (Math.Max(old.Position, position), at));
        if (_marks.Count > MaxMarks)
        {
            var cut = _marks.Values.Select(mark => mark.At).Order().ElementAt(MaxMarks / 2);
            foreach (var (member, mark) in _marks)
            {
                if (mark.At <= cut)
                {
                    _marks.TryRemove(member, out _);
                }
            }
        }
    }

    /// <summary>The position a standby must have replayed to serve the member, or null when any standby may.</summary>
    public ulong? MarkOf(long memberId) =>
        _marks.TryGetValue(memberId, out var mark) && Environment.TickCount64 - mark.At < Window.TotalMilliseconds ? mark.Position : null;
}

/// <summary>
/// The stale-tolerant reads of one unit of work (a request): each gets the standby's context when
/// <see cref="ReadRoutes"/> sends it there, a standby is configured and reachable, and it has replayed the member's last
/// write; otherwise the primary's context of the unit of work. Without <c>--db-read</c> (and always on SQLite) every
/// read is the primary's, as before.
/// </summary>
public sealed class StaleReads(ReachDatabase database, ReachDb primary, ReadYourWrites writes) : IAsyncDisposable
{
    private ReachDb? _standby;
    private bool? _standbyServes;

    /// <summary>The context <paramref name="read"/> for <paramref name="memberId"/> runs on.</summary>
    public async ValueTask<ReachDb> ForAsync(StaleRead read, long memberId, CancellationToken cancel)
    {
        if (!database.HasStandby || ReadRoutes.Table[read] == ReadFrom.Primary)
        {
            return primary;
        }

        _standbyServes ??= await StandbyServesAsync(memberId, cancel);
        return _standbyServes == true ? _standby! : primary;
    }

    // Whether the standby may serve this member: it answers, and it has replayed the member's last write (a node that is
    // not in recovery, a standby promoted in a failover, has everything).
    private async Task<bool> StandbyServesAsync(long memberId, CancellationToken cancel)
    {
        if (database.StandbyResting)
        {
            DataMetrics.StaleReads.Add(1, new KeyValuePair<string, object?>("from", "primary"), new KeyValuePair<string, object?>("why", "unavailable"));
            return false;
        }

        _standby = database.CreateStandbyContext();
        string why;
        try
        {
            await _standby.Database.OpenConnectionAsync(cancel);
            if (writes.MarkOf(memberId) is not { } mark)
            {
                why = "routed";
            }
            else
            {
                await using var command = _standby.Database.GetDbConnection().CreateCommand();
                command.CommandText = "SELECT pg_last_wal_replay_lsn()";
                var replayed = await command.ExecuteScalarAsync(cancel);
                why = replayed is NpgsqlLogSequenceNumber position && (ulong)position < mark ? "behind" : "routed";
            }
        }
        catch (Exception e) when (Transactions.IsUnavailable(e) || Transactions.IsConnectionLost(e))
        {
            // The standby is down or unreachable: the primary serves the reads meanwhile, and it is not tried again for a
            // few seconds (each try would wait for its connection timeout).
            database.StandbyLost();
            why = "unavailable";
        }

        var served = why == "routed";
        DataMetrics.StaleReads.Add(1, new KeyValuePair<string, object?>("from", served ? "standby" : "primary"), new KeyValuePair<string, object?>("why", why));
        return served;
    }

    public async ValueTask DisposeAsync()
    {
        if (_standby is not null)
        {
            await _standby.Database.CloseConnectionAsync();
            await _standby.DisposeAsync();
        }
    }
}
