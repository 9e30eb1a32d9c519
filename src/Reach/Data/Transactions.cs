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
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            try
            {
                var result = await work(cancel);
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
            catch (Exception e) when (attempt < MaxAttempts && IsRetryable(e))
            {
                DataMetrics.Retrying(Log(db), e, attempt, MaxAttempts);
                db.CommittedInBatch = false;
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancel);
            }
            catch
            {
                // A commit that was added to a batch whose statements failed never ran.
                db.CommittedInBatch = false;
                throw;
            }
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
    /// of connections or resources (class 53) or starting or stopping (57P03, 57P01), a connection that could not be
    /// made, or a SQLite file still busy after every retry.
    /// </summary>
    public static bool IsUnavailable(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P03",
        NpgsqlException npgsql => npgsql.IsTransient,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6,
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
