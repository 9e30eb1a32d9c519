using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using Reach.Decisions;

namespace Reach.Tests;

/// <summary>
/// SQLite's group commit: concurrent write transactions share one commit, yet each stays atomic on its own — a unit
/// that fails is rolled back alone (or, without a savepoint, with its batch, whose other units run again) and its
/// caller sees the failure, the others of its batch are stored once.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly MigratedSqlite _sqlite = new();

    public ValueTask InitializeAsync() => _sqlite.InitializeAsync();

    public ValueTask DisposeAsync() => _sqlite.DisposeAsync();

    [Fact]
    public async Task UnitsQueuedTogetherShareOneCommitAndAFailingUnitIsRolledBackAlone()
    {
        var cancel = TestContext.Current.CancellationToken;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = WriteAsync(0, fail: false, gate.Task);

        // While the first unit holds its batch open, 39 more queue up; every third one fails after writing.
        var rest = Enumerable.Range(1, 39).Select(i => WriteAsync(i, fail: i % 3 == 0, Task.CompletedTask)).ToList();
        gate.SetResult();
        await first;
        foreach (var (unit, i) in rest.Select((unit, i) => (unit, i + 1)))
        {
            if (i % 3 == 0)
            {
                var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => unit);
                Assert.Equal($"unit {i}", failure.Message);
            }
            else
            {
                Assert.Equal(i, await unit);
            }
        }

        await using var scope = _sqlite.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        var stored = await db.DecisionLog.Select(e => e.SenderId).OrderBy(id => id).ToListAsync(cancel);
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i == 0 || i % 3 != 0).Select(i => (long)i), stored);
        // Forty units, one or two commits (the first unit's batch may have started alone before the others queued).
        Assert.InRange(db.GroupCommit!.Batches, 1, 2);
    }

    [Fact]
    public async Task AFailingUnitWithoutASavepointRollsItsBatchBackAndTheOthersAreStoredOnce()
    {
        var cancel = TestContext.Current.CancellationToken;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = WriteAsync(0, fail: false, gate.Task, isolated: false);

        // A hot-path unit (no savepoint) fails in the middle of its batch: it fails alone, every other unit is run again.
        var rest = Enumerable.Range(1, 19).Select(i => WriteAsync(i, fail: i == 10, Task.CompletedTask, isolated: i % 2 == 0)).ToList();
        gate.SetResult();
        await first;
        for (var i = 1; i < 20; i++)
        {
            if (i == 10)
            {
                Assert.Equal("unit 10", (await Assert.ThrowsAsync<InvalidOperationException>(() => rest[i - 1])).Message);
            }
            else
            {
                Assert.Equal(i, await rest[i - 1]);
            }
        }

        await using var scope = _sqlite.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        var stored = await db.DecisionLog.Select(e => e.SenderId).OrderBy(id => id).ToListAsync(cancel);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 10).Select(i => (long)i), stored);
    }

    [Fact]
    public async Task AUnitSeesTheWritesOfTheUnitsBeforeItInItsBatch()
    {
        var cancel = TestContext.Current.CancellationToken;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = WriteAsync(100, fail: false, gate.Task);
        var counts = Enumerable.Range(0, 10).Select(_ => CountThenWriteAsync(cancel)).ToList();
        gate.SetResult();
        await first;

        // Serialized as one writer at a time would be: each unit counted the rows of every unit committed or run before it.
        Assert.Equal(Enumerable.Range(1, 10), (await Task.WhenAll(counts)).Order());
    }

    private async Task<int> WriteAsync(int id, bool fail, Task gate, bool isolated = true)
    {
        await using var scope = _sqlite.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        return await db.InTransactionAsync(async cancel =>
        {
            db.DecisionLog.Add(Entry(id));
            await db.SaveChangesAsync(cancel);
            await gate;
            return fail ? throw new InvalidOperationException($"unit {id}") : id;
        }, CancellationToken.None, isolated);
    }

    private async Task<int> CountThenWriteAsync(CancellationToken cancel)
    {
        await using var scope = _sqlite.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        return await db.InTransactionAsync(async c =>
        {
            var before = await db.DecisionLog.CountAsync(c);
            db.DecisionLog.Add(Entry(before + 1000));
            await db.SaveChangesAsync(c);
            return before;
        }, cancel);
    }

    private static DecisionLogEntry Entry(long senderId) => new()
    {
        At = DateTimeOffset.UnixEpoch,
        Day = "1970-01-01",
        SenderId = senderId,
        RecipientId = 1,
        Source = "test",
    };
}
