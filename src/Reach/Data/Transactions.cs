using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reach.Data;

/// <summary>Runs a unit of work in one database transaction, again from the start when the database asks for a retry.</summary>
public static class Transactions
{
    private const int MaxAttempts = 8;

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it. A deadlock, a serialization failure, a busy SQLite
    /// file or a unique-key race (two first writes of one row) rolls back and runs the work again on a clean context.
    /// In a SQLite group commit, an <c>isolated</c> unit runs in a savepoint of its own so that its failure leaves the
    /// rest of its batch; the hot paths, which fail only in rare cases, run without (a savepoint copies every page it
    /// touches), and a failure there runs the whole batch again.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this ReachDb db, Func<CancellationToken, Task<T>> work, CancellationToken cancel, bool isolated = true)
    {
        if (db.GroupCommit is { } group && db.Database.CurrentTransaction is null && db.Database.GetDbConnection().State == System.Data.ConnectionState.Closed)
        {
            return await InGroupCommitAsync(db, group, work, isolated, cancel);
        }

        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction = null;
            try
            {
                transaction = await db.Database.BeginTransactionAsync(cancel);
                var result = await work(cancel);
                committing = true;
                if (db.CommittedInBatch)
                {
                    // The unit's last statements carried the commit (PostgreSQL): disposing the transaction ends it.
                    db.CommittedInBatch = false;
                    db.Publisher?.Committed(db);
                    return result;
                }

                await transaction.CommitAsync(cancel);
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts && (IsRetryable(e) || (IsConnectionLost(e) && !committing && !db.CommittedInBatch)))
            {
                // A connection lost before the commit was sent took its transaction with it: nothing was stored, so
                // the unit runs again, on a fresh connection (the pool's idle ones are dropped: they went with it). A
                // connection lost while committing leaves the outcome unknown: that is not retried here (503).
                DataMetrics.Retrying(Log(db), e, attempt, MaxAttempts);
                db.CommittedInBatch = false;
                if (IsConnectionLost(e))
                {
                    db.ConnectionLost?.Invoke();
                    await db.Database.CloseConnectionAsync();
                }
                else if (transaction is not null)
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                }

                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancel);
            }
            catch (Exception e)
            {
                // A commit that was added to a batch whose statements failed never ran.
                db.CommittedInBatch = false;
                if (IsConnectionLost(e))
                {
                    db.ConnectionLost?.Invoke();
                }

                throw;
            }
            finally
            {
                if (transaction is not null)
                {
                    await DisposeQuietlyAsync(transaction);
                }
            }
        }
    }

    // Disposing the transaction of a lost connection would throw what the unit already reported.
    private static async Task DisposeQuietlyAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction)
    {
        try
        {
            await transaction.DisposeAsync();
        }
        catch (Exception e) when (IsConnectionLost(e) || e is ObjectDisposedException)
        {
        }
    }

    // The same, as one unit of a group commit: a unit that fails for a retryable reason is queued again.
    private static async Task<T> InGroupCommitAsync<T>(ReachDb db, GroupCommit group, Func<CancellationToken, Task<T>> work, bool isolated, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await group.RunAsync(db, work, isolated, cancel);
            }
            catch (BatchRolledBackException e) when (attempt < MaxAttempts)
            {
                // Nothing of this unit was stored: run it again at once.
                DataMetrics.Retrying(Log(db), e, attempt, MaxAttempts);
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (attempt < MaxAttempts && IsRetryable(e))
            {
                DataMetrics.Retrying(Log(db), e, attempt, MaxAttempts);
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancel);
            }
        }
    }

    // The log of retries: the application's logger factory, which the contexts are given (ReachDatabase).
    private static ILogger Log(ReachDb db) => db.GetService<ILoggerFactory>().CreateLogger(typeof(Transactions).FullName!);

    /// <summary>Whether an exception means "run the transaction again".</summary>
    public static bool IsRetryable(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6 || sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>
    /// Whether an exception means the database cannot serve now rather than that the request is wrong: PostgreSQL out
    /// of connections or resources (class 53), starting, stopping or crashed (57P01–57P03), a connection lost or that
    /// could not be made (class 08, I/O), a formation failing over (no read-write host, or a demoted primary's 25006), a
    /// SQLite file still busy after every retry, or SQLite's group-commit queue full.
    /// </summary>
    public static bool IsUnavailable(Exception e) => Unwrap(e) switch
    {
        WriteQueueFullException => true,
        PostgresException pg => pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "57014" or PostgresErrorCodes.ReadOnlySqlTransaction,
        NpgsqlException npgsql => npgsql.IsTransient || IsNoSuitableHost(npgsql),
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6,
        _ => false,
    };

    /// <summary>
    /// Whether an exception means the connection to PostgreSQL is gone (the server killed, restarted, or the session
    /// ended by an administrator), so that its transaction went with it and the pool's idle connections likely too; or
    /// that it leads to the wrong node of a formation (a primary demoted to a standby refuses writes with 25006, and no
    /// host is read-write while a standby is being promoted). Nothing of the transaction was stored in either case.
    /// </summary>
    public static bool IsConnectionLost(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03"
            || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction,
        NpgsqlException npgsql => npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException || npgsql.IsTransient
            || IsNoSuitableHost(npgsql),
        _ => false,
    };

    // With several hosts (a formation: Host=a,b;Target Session Attributes=read-write), Npgsql found none it may use:
    // every host down, or none promoted yet during a failover. Npgsql has no type of its own for it; it throws a plain
    // NpgsqlException with the hosts' errors inside, or with none when it has ruled every host out in the last
    // "Host Recheck Seconds".
    private static bool IsNoSuitableHost(NpgsqlException e) =>
        e.GetType() == typeof(NpgsqlException)
        && (e.InnerException is AggregateException || e.Message.StartsWith("No suitable host", StringComparison.Ordinal));

    /// <summary>
    /// Whether an exception means the database's disk is full: SQLite's <c>SQLITE_FULL</c>, PostgreSQL's 53100, or a new
    /// PostgreSQL session refused because its backend could not write the relation cache's init file into the database's
    /// folder (a FATAL <c>XX000</c> "could not write init file" at connection start: PostgreSQL says no more, the cause
    /// is the full disk that the whole data folder shares).
    /// </summary>
    public static bool IsOutOfSpace(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.DiskFull
            || (pg.SqlState == PostgresErrorCodes.InternalError && pg.MessageText == "could not write init file"),
        SqliteException sqlite => sqlite.SqliteErrorCode == 13,
        _ => false,
    };

    /// <summary>Whether an exception is a unique-key violation.</summary>
    public static bool IsUniqueViolation(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    internal static Exception Unwrap(Exception e)
    {
        while (e is DbUpdateException or InvalidOperationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }
}
