using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reach.Data;
using Reach.Members;
using static Reach.Tests.Api;

namespace Reach.Tests.Reliability;

/// <summary>
/// The Idempotency-Key's fence (found by the randomized trials): a send still running when the clock has moved past
/// the abandonment time, and a retry that took its key over, both reach the point of delivery; only one delivers.
/// PostgreSQL lets both attempts wait on one row lock at once (SQLite runs one writer at a time, so they cannot overlap).
/// </summary>
public sealed class IdempotencyFencePostgresTests(ApiFixture<PostgresDatabase> fixture) : IClassFixture<ApiFixture<PostgresDatabase>>
{
    [Fact]
    public async Task ASendWhoseKeyWasTakenOverDoesNotDeliverTwice()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ada"), await api.SignUpAsync("bob"));
        var start = DateTimeOffset.UtcNow;
        await api.SetClockAsync(start);
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        var adaId = (await db.FindByHandleAsync(ada.Handle, default))!.Id;

        // Hold ada's row lock, so that every send of hers stops right after claiming its key.
        await using var holder = new NpgsqlConnection(fixture.Database.Db);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT 1 FROM \"Members\" WHERE \"Id\" = {adaId} FOR NO KEY UPDATE", holder, hold))
        {
            await command.ExecuteNonQueryAsync();
        }

        var first = SendAsync(ada, bob, body: "Once", key: "fence");
        var claimed = await WaitForClaimAsync(db, adaId, after: null);

        // Three minutes later the first attempt counts as abandoned: the retry takes the key over, and waits too.
        await api.SetClockAsync(start.AddMinutes(3));
        var second = SendAsync(ada, bob, body: "Once", key: "fence");
        await WaitForClaimAsync(db, adaId, after: claimed);
        await hold.CommitAsync();

        var responses = await Task.WhenAll(first, second);
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async response => (await ReadAsync(response)).GetProperty("messageId").GetInt64()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await db.Messages.CountAsync(m => m.SenderId == adaId));
    }

    // Waits until ada's key is claimed (or claimed again, later than `after`), and returns when.
    private static async Task<DateTimeOffset> WaitForClaimAsync(ReachDb db, long senderId, DateTimeOffset? after)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var claimedAt = await db.IdempotencyRecords.AsNoTracking().Where(r => r.SenderId == senderId && r.Key == "fence").Select(r => (DateTimeOffset?)r.CreatedAt).FirstOrDefaultAsync();
            if (claimedAt is { } at && (after is null || at > after))
            {
                return at;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException(after is null ? "The first attempt never claimed the key." : "The retry never took the key over.");
    }
}
