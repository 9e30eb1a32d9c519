using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;

namespace Reach.Messaging;

/// <summary>
/// The Idempotency-Key of a send (SPEC §3): an attempt first claims (sender, key) in a short transaction of its own;
/// the send's transaction completes the claim with the response (<see cref="MessagingSql.CompleteKey"/>, the fence);
/// a send that ends without delivering releases it, so a retry is decided afresh. A claim older than two minutes that
/// never finished (its process died) is taken over.
/// </summary>
public sealed class IdempotencyKeys(ReachDb db, TimeProvider clock)
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    /// <summary>Claims the key for this attempt: why not (a replay, a reuse, a send in flight), or when it was claimed.</summary>
    public async Task<(SendOutcome? Refused, DateTimeOffset ClaimedAt)> ClaimAsync(long senderId, string key, string hash, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        db.IdempotencyRecords.Add(new IdempotencyRecord { SenderId = senderId, Key = key, RequestHash = hash, CreatedAt = now });
        try
        {
            await db.SaveChangesAsync(cancel);
            return (null, now);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
        }

        var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.SenderId == senderId && r.Key == key, cancel);
        if (existing is null)
        {
            // Released between our insert and our read: try once more.
            return await ClaimAsync(senderId, key, hash, cancel);
        }

        if (existing.RequestHash != hash)
        {
            return (Refuse(Failure.Codes.IdempotencyKeyReused, "This Idempotency-Key was used for a different message."), now);
        }

        if (existing.Completed)
        {
            return (new SendOutcome.Replayed(existing.Response ?? string.Empty), now);
        }

        if (now - existing.CreatedAt < AbandonedAfter)
        {
            return (InFlight(), now);
        }

        // The first attempt died without finishing: take the key over.
        var taken = await db.IdempotencyRecords
            .Where(r => r.SenderId == senderId && r.Key == key && !r.Completed && r.CreatedAt == existing.CreatedAt)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedAt, now), cancel);
        return taken == 1 ? (null, now) : (InFlight(), now);
    }

    /// <summary>Frees the key this attempt claimed at <paramref name="claimedAt"/>; a claim taken over since is left alone.</summary>
    public async Task ReleaseAsync(long senderId, string key, DateTimeOffset claimedAt)
    {
        db.ChangeTracker.Clear();
        await db.IdempotencyRecords
            .Where(r => r.SenderId == senderId && r.Key == key && !r.Completed && r.CreatedAt == claimedAt)
            .ExecuteDeleteAsync(CancellationToken.None);
    }

    /// <summary>The response stored by the attempt that completed the key.</summary>
    public async Task<SendOutcome> ReplayAsync(long senderId, string key, CancellationToken cancel)
    {
        db.ChangeTracker.Clear();
        var record = await db.IdempotencyRecords.AsNoTracking().FirstAsync(r => r.SenderId == senderId && r.Key == key, cancel);
        return new SendOutcome.Replayed(record.Response ?? string.Empty);
    }

    /// <summary>Adds the completion of the key, with the response to replay, to a send's batch.</summary>
    public static void Complete(StatementBatch batch, long senderId, string key, SendResult result)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Add(MessagingSql.CompleteKey)
            .Set("response", JsonSerializer.Serialize(result, JsonSerializerOptions.Web))
            .Set("s", senderId)
            .Set("key", key);
    }

    /// <summary>What makes two sends "the same payload" for an Idempotency-Key: the request with the handle normalized.</summary>
    public static string RequestHash(SendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(request with { ToHandle = MemberRules.NormalizeHandle(request.ToHandle!) }))));
    }

    private static SendOutcome.Refused InFlight() =>
        Refuse(Failure.Codes.IdempotencyKeyInFlight, "A send with this Idempotency-Key is in progress.");

    private static SendOutcome.Refused Refuse(string code, string detail) => new(new Failure(code, detail, "Idempotency-Key"));
}

/// <summary>Thrown inside a send's transaction when its key was completed by another attempt: the send rolls back.</summary>
internal sealed class KeyCompletedElsewhereException : Exception
{
    public KeyCompletedElsewhereException()
        : base("Another attempt completed this Idempotency-Key first.")
    {
    }
}
