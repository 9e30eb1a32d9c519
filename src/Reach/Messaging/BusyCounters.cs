using System.Collections.Concurrent;

namespace Reach.Messaging;

/// <summary>
/// The recipients whose cap counter sends of this process are writing now, with how many. On PostgreSQL a send that
/// finds another send to its recipient in flight commits without waiting for the disk and waits after the commit
/// (<see cref="MessagingSql.CommitWithoutFlush"/>), so that the counter's row goes to the next one as soon as the commit
/// is in the log; a send alone keeps the ordinary commit, which flushes once rather than twice.
/// </summary>
internal static class BusyCounters
{
    private static readonly ConcurrentDictionary<long, int> Writing = new();

    /// <summary>Counts a send to <paramref name="recipient"/> in; whether another was already in flight.</summary>
    public static bool Enter(long recipient) => Writing.AddOrUpdate(recipient, 1, static (_, n) => n + 1) > 1;

    /// <summary>Counts a send to <paramref name="recipient"/> out.</summary>
    public static void Leave(long recipient)
    {
        while (true)
        {
            var n = Writing[recipient];
            if (n == 1 ? Writing.TryRemove(new KeyValuePair<long, int>(recipient, 1)) : Writing.TryUpdate(recipient, n - 1, n))
            {
                return;
            }
        }
    }
}
