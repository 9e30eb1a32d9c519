using System.Collections.Concurrent;
using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Reach.Data;

namespace Reach.Notifications;

/// <summary>
/// Wakes the open pages of a member when something new is stored for them. A wake-up carries no data: a woken page
/// reads the unread count again, so wake-ups may merge but are never wrong.
/// </summary>
public sealed class LiveNotifications
{
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<Channel<bool>, byte>> _listeners = new();

    /// <summary>Listens for the member's notifications until the subscription is disposed.</summary>
    public Subscription Subscribe(long memberId)
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        _listeners.GetOrAdd(memberId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, memberId, channel);
    }

    /// <summary>Wakes every listener of the member.</summary>
    public void Publish(long memberId)
    {
        if (_listeners.TryGetValue(memberId, out var channels))
        {
            foreach (var channel in channels.Keys)
            {
                channel.Writer.TryWrite(true);
            }
        }
    }

    private void Remove(long memberId, Channel<bool> channel)
    {
        if (_listeners.TryGetValue(memberId, out var channels))
        {
            channels.TryRemove(channel, out _);
        }
    }

    public sealed class Subscription(LiveNotifications owner, long memberId, Channel<bool> channel) : IDisposable
    {
        /// <summary>Completes when something new may be there.</summary>
        public ValueTask<bool> WaitAsync(CancellationToken cancel) => channel.Reader.ReadAsync(cancel);

        public void Dispose() => owner.Remove(memberId, channel);
    }
}

/// <summary>
/// Pushes stored notifications once they are committed: after a save outside a transaction, or when the transaction
/// around the save commits. A rolled-back transaction pushes nothing. Wakes the outbox worker likewise when the
/// transaction stored work for it.
/// </summary>
public sealed class NotificationPublisher(LiveNotifications live, Outbox.OutboxSignal outbox, PostgresWakeups wakeups) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>The PostgreSQL channel on which every process hears of new notifications (the payload is the member's id).</summary>
    public const string PostgresChannel = "reach_notifications";

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Publish(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Publish(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A group commit (SQLite), or a <c>COMMIT</c> sent with the last statements (PostgreSQL), stored this context's unit
    /// of work: its notifications are pushed.
    /// </summary>
    internal void Committed(ReachDb db) => Publish(db);

    /// <summary>A group commit (SQLite) rolled this context's unit of work back: its notifications are dropped.</summary>
    internal static void Discard(ReachDb db) => Discard((DbContext)db);

    private static void Collect(DbContext? context)
    {
        if (context is ReachDb db)
        {
            db.NotifySaved.Clear();
            foreach (EntityEntry<Notification> entry in db.ChangeTracker.Entries<Notification>())
            {
                if (entry.State == EntityState.Added)
                {
                    db.NotifySaved.Add(entry.Entity.MemberId);
                }
            }

            if (db.ChangeTracker.Entries<Outbox.OutboxItem>().Any(entry => entry.State == EntityState.Added))
            {
                db.OutboxAfterCommit = true;
            }
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is not ReachDb db)
        {
            return;
        }

        db.NotifyAfterCommit.UnionWith(db.NotifySaved);
        db.NotifySaved.Clear();
        if (db.Database.CurrentTransaction is null)
        {
            Publish(db);
        }
    }

    private void Publish(DbContext? context)
    {
        if (context is not ReachDb db)
        {
            return;
        }

        foreach (var memberId in db.NotifyAfterCommit)
        {
            live.Publish(memberId);
            wakeups.Add(memberId);
        }

        db.NotifyAfterCommit.Clear();
        if (db.OutboxAfterCommit)
        {
            db.OutboxAfterCommit = false;
            outbox.Raise();
        }
    }

    private static void Discard(DbContext? context)
    {
        if (context is ReachDb db)
        {
            db.NotifyAfterCommit.Clear();
            db.OutboxAfterCommit = false;
        }
    }
}
