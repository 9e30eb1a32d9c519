using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reach.Data;

/// <summary>
/// The data layer's metrics (meter <c>Reach.Data</c>): hot-path statements and how long their batches take, the
/// size of SQLite's group-commit batches, and the transactions run again, by reason.
/// </summary>
public static class DataMetrics
{
    public const string MeterName = "Reach.Data";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Statements = Meter.CreateCounter<long>("reach.db.statements", "{statement}", "Hot-path statements run.");

    internal static readonly Histogram<double> BatchDurations = Meter.CreateHistogram(
        "reach.db.batch.duration", "s", "From running a batch of hot-path statements to the end of reading its results.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    internal static readonly Histogram<int> GroupCommitBatches = Meter.CreateHistogram(
        "reach.db.group_commit.size", "{unit}", "Units of work committed together by one commit of SQLite's group commit.", tags: null,
        new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    internal static readonly Counter<long> WriteQueueFull = Meter.CreateCounter<long>(
        "reach.db.group_commit.refused", "{unit}", "Write transactions refused because SQLite's group-commit queue was full.");

    internal static readonly Counter<long> StaleReads = Meter.CreateCounter<long>(
        "reach.db.stale_reads", "{read}", "Stale-tolerant reads (StandbyReads), by where they were served (standby, primary) and why (routed, behind, unavailable).");

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "reach.db.retries", "{retry}", "Transactions run again, by reason (deadlock, serialization, unique, busy, locked, batch).");

    /// <summary>The reason a transaction is run again, in one word (a metric's tag and the log's).</summary>
    internal static string RetryReason(Exception e) => Transactions.Unwrap(e) switch
    {
        BatchRolledBackException => "batch",
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } => "deadlock",
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure } => "serialization",
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => "unique",
        SqliteException { SqliteErrorCode: 5 } => "busy",
        SqliteException { SqliteErrorCode: 6 } => "locked",
        SqliteException => "unique",
        _ => "other",
    };

    /// <summary>Counts and logs a transaction about to run again.</summary>
    internal static void Retrying(ILogger logger, Exception e, int attempt, int maxAttempts)
    {
        var reason = RetryReason(e);
        Retries.Add(1, new KeyValuePair<string, object?>("reason", reason));
        DataLog.Retrying(logger, reason, attempt + 1, maxAttempts);
    }
}

/// <summary>The data layer's log lines, written by source-generated code.</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "A transaction is run again after a {Reason} (attempt {Attempt} of {MaxAttempts}).")]
    public static partial void Retrying(ILogger logger, string reason, int attempt, int maxAttempts);
}
