using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Reach.Notifications;

namespace Reach.Data;

/// <summary>
/// Group commit for SQLite: the write transactions of concurrent requests share one commit, and so one fsync of the
/// write-ahead log, instead of one each. SQLite admits one writer at a time anyway; here the writers of this process
/// queue, and one loop runs whatever has queued as one transaction on one connection, each unit of work inside a
/// savepoint of its own:
/// <list type="bullet">
/// <item>a unit that fails is rolled back to its savepoint alone, and its caller sees the exception (and retries);
/// a hot-path unit runs without a savepoint (SQLite copies every page a savepoint touches), so when one of those fails
/// the whole batch is rolled back: it fails with its error, and the other units are run again in a later batch;</item>
/// <item>every unit sees the writes of the units before it, so they are serialized exactly as one writer at a time
/// would be;</item>
/// <item>no caller hears of success before the commit is durable (<c>synchronous=FULL</c>); if the commit fails, every
/// unit of the batch fails and is run again by its caller.</item>
/// </list>
/// A unit runs on its caller's own context and services, whose connection is pointed at the batch's for the time of
/// the unit, so the use cases are the same code on both databases. PostgreSQL does not need this: concurrent
/// transactions there run in parallel and their commits already share WAL flushes.
/// <para>
/// The queue is bounded (<paramref name="limit"/> units waiting): when the writer stalls (a disk that hangs, a lock held
/// by another program) a unit past the limit fails at once with <see cref="WriteQueueFullException"/>, 503 to the caller,
/// instead of every request of the stall waiting in memory.
/// </para>
/// </summary>
internal sealed class GroupCommit(string connectionString, NotificationPublisher publisher, int limit = DatabaseOptions.DefaultWriteQueue) : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly Channel<Unit> _queue = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = true });
    private int _waiting;
    private readonly Lock _start = new();
    private Task? _loop;
    private SqliteConnection? _connection;
    private long _batches;

    /// <summary>How many batches have run (each one transaction and one commit).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// Runs <paramref name="work"/> in the next batch; completes once the batch has committed. With
    /// <paramref name="isolated"/> the unit runs in a savepoint, so that its failure leaves the rest of the batch.
    /// </summary>
    public Task<T> RunAsync<T>(ReachDb db, Func<CancellationToken, Task<T>> work, bool isolated, CancellationToken cancel)
    {
        if (Interlocked.Increment(ref _waiting) > limit)
        {
            Interlocked.Decrement(ref _waiting);
            DataMetrics.WriteQueueFull.Add(1);
            return Task.FromException<T>(new WriteQueueFullException(limit));
        }

        var unit = new Unit<T>(db, work, isolated, cancel);
        lock (_start)
        {
            _loop ??= Task.Run(LoopAsync, CancellationToken.None);
        }

        if (!_queue.Writer.TryWrite(unit))
        {
            unit.Fail(new ObjectDisposedException(nameof(GroupCommit)));
        }

        return unit.Done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Unit>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var unit))
            {
                Interlocked.Decrement(ref _waiting);
                if (unit.Cancel.IsCancellationRequested)
                {
                    unit.Fail(new OperationCanceledException(unit.Cancel));
                }
                else
                {
                    batch.Add(unit);
                }
            }

            if (batch.Count > 0)
            {
                try
                {
                    await RunBatchAsync(batch);
                }
                catch (Exception e)
                {
                    // Whatever went wrong, no caller waits forever and the loop goes on with the next batch.
                    foreach (var unit in batch)
                    {
                        unit.Fail(e);
                    }
                }

                batch.Clear();
            }
        }
    }

    private async Task RunBatchAsync(List<Unit> batch)
    {
        Interlocked.Increment(ref _batches);
        var done = new List<Unit>(batch.Count);
        (Unit Unit, Exception Error)? unsaved = null;
        try
        {
            var connection = await ConnectionAsync();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            foreach (var unit in batch)
            {
                var failed = await RunUnitAsync(unit, connection, transaction);
                if (failed is null)
                {
                    done.Add(unit);
                }
                else if (!unit.Isolated)
                {
                    unsaved = (unit, failed);
                    break;
                }
            }

            if (unsaved is null)
            {
                await transaction.CommitAsync();
                DataMetrics.GroupCommitBatches.Record(done.Count);
            }
            else
            {
                await transaction.RollbackAsync();
            }
        }
        catch (Exception e)
        {
            // The batch could not begin, roll a unit back, or commit: nothing of it is stored, and every unit is told so.
            await DropConnectionAsync();
            foreach (var unit in batch)
            {
                NotificationPublisher.Discard(unit.Db);
                unit.Fail(e);
            }

            return;
        }

        if (unsaved is { } culprit)
        {
            // A unit without a savepoint failed, and the batch was rolled back with it: it fails with its error, the
            // others are run again by their callers (nothing of theirs was stored or acknowledged).
            foreach (var unit in batch)
            {
                NotificationPublisher.Discard(unit.Db);
                unit.Fail(unit == culprit.Unit ? culprit.Error : new BatchRolledBackException());
            }

            return;
        }

        foreach (var unit in done)
        {
            publisher.Committed(unit.Db);
            unit.Succeed();
        }
    }

    // Runs one unit on the batch's connection, in a savepoint when it is isolated; the error when it threw. An isolated
    // unit that threw is rolled back alone and told so here; the batch decides about one that is not.
    private static async Task<Exception?> RunUnitAsync(Unit unit, SqliteConnection connection, SqliteTransaction transaction)
    {
        var database = unit.Db.Database;
        var own = database.GetConnectionString();
        try
        {
            database.SetDbConnection(connection);
        }
        catch (InvalidOperationException e)
        {
            // The caller's context holds its own connection open: it cannot join the batch.
            unit.Fail(e);
            return e;
        }

        await database.UseTransactionAsync(transaction);
        try
        {
            if (unit.Isolated)
            {
                await transaction.SaveAsync("unit");
            }

            await unit.RunAsync();
            if (unit.Isolated)
            {
                await transaction.ReleaseAsync("unit");
            }

            return null;
        }
        catch (Exception e)
        {
            if (unit.Isolated)
            {
                await transaction.RollbackAsync("unit");
                await transaction.ReleaseAsync("unit");
                NotificationPublisher.Discard(unit.Db);
                unit.Fail(e);
            }

            return e;
        }
        finally
        {
            await database.UseTransactionAsync(null);
            database.SetDbConnection(null);
            database.SetConnectionString(own);
        }
    }

    private async Task<SqliteConnection> ConnectionAsync()
    {
        if (_connection is null)
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var pragmas = connection.CreateCommand();
            // The savepoints of a batch keep their page copies in memory.
            pragmas.CommandText = SqlitePragmas.Pragmas + " PRAGMA temp_store=MEMORY;";
            await pragmas.ExecuteNonQueryAsync();
            StatementBatch.KeepPrepared(connection);
            _connection = connection;
        }

        return _connection;
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    /// <summary>Lets the queued units finish, then closes the batch's connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        Task? loop;
        lock (_start)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        await DropConnectionAsync();
    }

    private abstract class Unit(ReachDb db, bool isolated, CancellationToken cancel)
    {
        public ReachDb Db { get; } = db;

        public bool Isolated { get; } = isolated;

        public CancellationToken Cancel { get; } = cancel;

        public abstract Task RunAsync();

        public abstract void Succeed();

        public abstract void Fail(Exception e);
    }

    private sealed class Unit<T>(ReachDb db, Func<CancellationToken, Task<T>> work, bool isolated, CancellationToken cancel) : Unit(db, isolated, cancel)
    {
        private T? _result;

        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync() => _result = await work(Cancel);

        public override void Succeed() => Done.TrySetResult(_result!);

        public override void Fail(Exception e) => Done.TrySetException(e);
    }
}

/// <summary>
/// The group commit's queue is full (its writer is stalled or far behind): the unit was not run, nothing of it is
/// stored, and the request answers 503 <c>unavailable</c> so that its sender tries again later.
/// </summary>
public sealed class WriteQueueFullException(int limit)
    : Exception($"{limit} write transactions are already waiting for the database; this one was not run.");

/// <summary>The batch a unit ran in was rolled back because another unit of it failed: run the unit again.</summary>
internal sealed class BatchRolledBackException : Exception
{
    public BatchRolledBackException()
        : base("Another unit of the group commit's batch failed; this one was rolled back with it and runs again.")
    {
    }
}
