using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Reach.Messaging;
using Reach.Notifications;

namespace Reach.Benchmarks.Run;

/// <summary>What one load run did: how many sends in how long, and what the database work of a send was.</summary>
public sealed record LoadResult(int Sends, int Workers, TimeSpan Elapsed, int Failed, double StatementsPerSend, double DatabaseShare)
{
    public double PerSecond => Sends / Elapsed.TotalSeconds;

    public double MillisecondsPerSend => Elapsed.TotalMilliseconds * Workers / Sends;
}

/// <summary>
/// Sends a list of (sender, recipient) pairs with a number of concurrent workers, either through Reach's send path
/// (<see cref="SendMessage.SendAsync"/>, in-process, a scope per send as a request has) or as hand-written SQL
/// doing exactly the writes of the same send, one transaction per send.
/// </summary>
public static class SendLoad
{
    public const string Body = "Hello, a first message from the benchmark.";

    /// <summary>Reach's send path: lookup, decision, counter, conversation, message, notification, decision log.</summary>
    public static async Task<LoadResult> ReachAsync(ServiceProvider services, (long Sender, long Recipient)[] pairs, int workers)
    {
        using var statements = StatementCounter.Start();
        StatementCounter.Trace = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1" && pairs.Length > 1000;
        var failed = 0;
        var elapsed = await RunAsync(pairs, workers, async pair =>
        {
            await using var scope = services.CreateAsyncScope();
            var messaging = scope.ServiceProvider.GetRequiredService<SendMessage>();
            var handle = "member" + pair.Recipient.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var outcome = await messaging.SendAsync(pair.Sender, new SendRequest(handle, Body, null, null, null), null, CancellationToken.None);
            if (outcome is not SendOutcome.Sent && Interlocked.Increment(ref failed) == 1)
            {
                Console.Error.WriteLine($"refused: m{pair.Sender} to {handle}: {outcome}");
            }
        });
        return new LoadResult(pairs.Length, workers, elapsed, failed, statements.Count / (double)pairs.Length, statements.Time.TotalMilliseconds / (elapsed.TotalMilliseconds * workers));
    }

    /// <summary>
    /// The same writes as Reach's first cold message, as hand-written SQL, one transaction per send: the sender's row
    /// lock, the conditional counter upsert, the conversation, the message, the notification and the decision log.
    /// </summary>
    public static async Task<LoadResult> SqlAsync(BenchDatabase database, (long Sender, long Recipient)[] pairs, int workers)
    {
        var postgres = database.IsPostgres;
        var cap = BenchDatabase.Policy.DefaultTier.ReceiveCap;
        var converter = new DateTimeOffsetToBinaryConverter();
        var pool = new System.Collections.Concurrent.ConcurrentBag<DbConnection>();
        var failed = 0;
        var elapsed = await RunAsync(pairs, workers, async pair =>
        {
            if (!pool.TryTake(out var connection))
            {
                connection = await database.OpenAsync();
            }

            var now = DateTimeOffset.UtcNow;
            object at = postgres ? now : converter.ConvertToProvider(now)!;
            var period = BenchDatabase.Policy.Periods.Containing(now).Key;
            var (low, high) = pair.Sender < pair.Recipient ? (pair.Sender, pair.Recipient) : (pair.Recipient, pair.Sender);
            var senderIsLow = pair.Sender == low;
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                Parameter(command, "s", pair.Sender);
                Parameter(command, "r", pair.Recipient);
                Parameter(command, "low", low);
                Parameter(command, "high", high);
                Parameter(command, "at", at);
                Parameter(command, "period", period);
                Parameter(command, "cap", cap);
                Parameter(command, "day", PairFacts.Day(now));
                Parameter(command, "body", Body);
                Parameter(command, "lowWritten", senderIsLow);
                Parameter(command, "highWritten", !senderIsLow);
                Parameter(command, "lowCold", senderIsLow ? 1 : 0);
                Parameter(command, "highCold", senderIsLow ? 0 : 1);
                Parameter(command, "kind", NotificationKinds.MessageRequest);
                Parameter(command, "text", "Member sent you a message request.");

                command.CommandText = """UPDATE "Members" SET "Version" = "Version" + 1 WHERE "Id" = @s""";
                await command.ExecuteNonQueryAsync();
                command.CommandText = """
                    INSERT INTO "ReceiveCounters" ("MemberId", "PeriodKey", "Used") VALUES (@r, @period, 1)
                    ON CONFLICT ("MemberId", "PeriodKey") DO UPDATE SET "Used" = "ReceiveCounters"."Used" + 1
                    WHERE "ReceiveCounters"."Used" < @cap RETURNING "Used"
                    """;
                if (await command.ExecuteScalarAsync() is null)
                {
                    Interlocked.Increment(ref failed);
                }

                command.CommandText = """
                    INSERT INTO "DecisionLog" ("At", "Day", "SenderId", "RecipientId", "InMail", "Allowed", "ReasonBits", "TraceBits", "Source")
                    VALUES (@at, @day, @s, @r, @false, @true, 0, 0, 'send')
                    """;
                Parameter(command, "false", false);
                Parameter(command, "true", true);
                await command.ExecuteNonQueryAsync();
                command.CommandText = """
                    INSERT INTO "Conversations" ("LowId", "HighId", "RequestForId", "Declined", "LowHasWritten", "HighHasWritten",
                        "LowUnansweredCold", "HighUnansweredCold", "LowUnansweredInMail", "HighUnansweredInMail", "CreatedAt", "LastMessageAt")
                    VALUES (@low, @high, @r, @false, @lowWritten, @highWritten, @lowCold, @highCold, 0, 0, @at, @at) RETURNING "Id"
                    """;
                var conversation = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                Parameter(command, "c", conversation);
                command.CommandText = """
                    INSERT INTO "Messages" ("ConversationId", "SenderId", "RecipientId", "Body", "Channel", "CreditsCharged", "CreditReturned", "SentAt")
                    VALUES (@c, @s, @r, @body, 'open', 0, @false, @at)
                    """;
                await command.ExecuteNonQueryAsync();
                command.CommandText = """
                    INSERT INTO "Notifications" ("MemberId", "Kind", "At", "Read", "ActorId", "Text", "Link")
                    VALUES (@r, @kind, @at, @false, @s, @text, '/messages/' || @c)
                    """;
                await command.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            pool.Add(connection);
        });
        foreach (var connection in pool)
        {
            await connection.DisposeAsync();
        }

        return new LoadResult(pairs.Length, workers, elapsed, failed, 8, 1);
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        foreach (DbParameter existing in command.Parameters)
        {
            if (existing.ParameterName == name)
            {
                existing.Value = value;
                return;
            }
        }

        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task<TimeSpan> RunAsync((long Sender, long Recipient)[] pairs, int workers, Func<(long Sender, long Recipient), Task> send)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < pairs.Length; i = Interlocked.Increment(ref next))
            {
                await send(pairs[i]);
            }
        })));
        return clock.Elapsed;
    }
}

/// <summary>
/// Counts the SQL statements a send runs, and their time: the hot path's prepared statements from the
/// <c>Reach.Data</c> meter (a batch's time runs from sending it to reading its last result), EF Core's from its
/// diagnostic events.
/// </summary>
public sealed class StatementCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly System.Diagnostics.Metrics.MeterListener _meters = new();
    private long _count;
    private long _ticks;

    private StatementCounter()
    {
    }

    public static bool Trace { get; set; }

    public long Count => Interlocked.Read(ref _count);

    public TimeSpan Time => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public static StatementCounter Start()
    {
        var counter = new StatementCounter();
        counter._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(counter));
        counter._meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Reach.Data.DataMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        counter._meters.SetMeasurementEventCallback<long>((_, statements, _, _) => Interlocked.Add(ref counter._count, statements));
        counter._meters.SetMeasurementEventCallback<double>((_, seconds, _, _) => Interlocked.Add(ref counter._ticks, TimeSpan.FromSeconds(seconds).Ticks));
        counter._meters.Start();
        return counter;
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandExecutedEventData executed)
        {
            if (Trace)
            {
                Console.Error.WriteLine($"{executed.StartTime:HH:mm:ss.ffff} {executed.Duration.TotalMilliseconds,6:0.000} {executed.Command.CommandText.ReplaceLineEndings(" ")[..Math.Min(90, executed.Command.CommandText.Length)]}");
            }

            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ticks, executed.Duration.Ticks);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _meters.Dispose();
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}
