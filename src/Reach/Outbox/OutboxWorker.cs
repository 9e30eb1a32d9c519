using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reach.Bookmarks;
using Reach.Data;

namespace Reach.Outbox;

/// <summary>Wakes the <see cref="OutboxWorker"/> of this process when a commit stored work for it.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Something was stored: the worker looks now rather than at its next poll.</summary>
    public void Raise()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Raised twice at once: once is enough.
            }
        }
    }

    /// <summary>Completes when raised, or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancel) => _signal.WaitAsync(timeout, cancel);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Does the work of the <see cref="OutboxItem"/>s after the requests that stored them have been answered: the
/// bookmarks a send or an answer may have changed are decided again. Items are claimed for a while by one worker of
/// one process at a time (a conditional update), done, then deleted; an item whose worker died is claimed again once
/// its claim runs out. Doing an item twice is harmless — a bookmark's flip to reachable is a conditional update, so it
/// notifies once — so the outbox needs only "at least once".
/// </summary>
public sealed class OutboxWorker(IServiceScopeFactory scopes, OutboxSignal signal, ILogger<OutboxWorker> log) : BackgroundService
{
    private const int Batch = 50;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    private static readonly Statement Insert = new("""
        INSERT INTO "Outbox" ("Kind", "MemberId", "OtherId", "At") VALUES (@kind, @member, @other, @at)
        """, "kind", "member", "other", "at");

    private static readonly Statement Claim = new($"""
        UPDATE "Outbox" SET "ClaimedUntil" = @until
        WHERE "Id" IN (SELECT "Id" FROM "Outbox" WHERE "ClaimedUntil" IS NULL OR "ClaimedUntil" < @now ORDER BY "Id" LIMIT {Batch})
            AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" < @now)
        RETURNING "Id", "Kind", "MemberId", "OtherId"
        """, "until", "now");

    private static readonly Statement Done = new("""DELETE FROM "Outbox" WHERE "Id" = @id""", "id");

    /// <summary>Adds an item to a batch of the transaction that calls for it; the worker is woken when it commits.</summary>
    public static void Add(StatementBatch batch, string kind, long memberId, long? otherId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Add(Insert).Set("kind", kind).Set("member", memberId).Set("other", otherId).Set("at", at);
    }

    /// <summary>Does every item that is due now; how many it did.</summary>
    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
            var items = await ClaimAsync(db, cancel);
            if (items.Count == 0)
            {
                return total;
            }

            var reachability = scope.ServiceProvider.GetRequiredService<Reachability>();
            foreach (var (id, kind, memberId, otherId) in items)
            {
                await (kind switch
                {
                    OutboxKinds.RecheckPair => reachability.RecheckPairAsync(memberId, otherId ?? 0, cancel),
                    OutboxKinds.RecheckTargeting => reachability.RecheckTargetingAsync(memberId, cancel),
                    OutboxKinds.RecheckHeldBy => reachability.RecheckHeldByAsync(memberId, cancel),
                    _ => Task.CompletedTask,
                });
                await db.InTransactionAsync(async c =>
                {
                    await using var batch = StatementBatch.On(db);
                    batch.Add(Done).Set("id", id);
                    await batch.ExecuteNonQueryAsync(c);
                    return true;
                }, cancel);
                total++;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReachLog.OutboxFailed(log, e, Poll.TotalSeconds);
            }

            await signal.WaitAsync(Poll, stoppingToken);
        }
    }

    private static Task<List<(long Id, string Kind, long MemberId, long? OtherId)>> ClaimAsync(ReachDb db, CancellationToken cancel) =>
        db.InTransactionAsync(async c =>
        {
            // Claims run on the system clock: the manual clock moves the rules, not the machinery.
            var now = DateTimeOffset.UtcNow;
            var items = new List<(long, string, long, long?)>();
            await using var batch = StatementBatch.On(db);
            batch.Add(Claim).Set("until", now + ClaimFor).Set("now", now);
            await using var reader = await batch.ExecuteAsync(c);
            while (await reader.ReadAsync())
            {
                items.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64OrNull(3)));
            }

            return items;
        }, cancel);
}
