using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Reach.Credits;
using Reach.Data;
using Reach.Members;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// Gathers the <see cref="DecisionFacts"/> of a sender and recipients, each pair in one prepared statement
/// (<see cref="PairFacts"/>): the pre-flight, a send, a bookmark check, a page of search results and the operator's
/// trace all read them there and decide with <see cref="MessageRules.Decide"/>, so they never disagree.
/// </summary>
public sealed class FactsReader(ReachDatabase database, ReachPolicy policy, IServiceScopeFactory scopes)
{
    /// <summary>
    /// The pair's facts as they are now, read outside any transaction on a kept connection; null when there is no
    /// such recipient. With <paramref name="upkeep"/>, the sender's credits are first brought up to date when a grant
    /// or an expiry is due (in a short transaction of its own).
    /// </summary>
    public async Task<PairFacts?> ReadPairAsync(long senderId, RecipientKey recipient, DateTimeOffset now, CancellationToken cancel, bool upkeep = true)
    {
        PairFacts? pair;
        await using (var read = await database.ReadAsync(cancel))
        {
            pair = await ReadPairAsync(read.Connection, null, senderId, recipient, now, lockSender: false, cancel);
        }

        if (upkeep && pair is not null && CreditLedger.UpkeepDue(policy, pair.SenderTierId, pair.CreditsGrantedFor, pair.NextCreditExpiry, now))
        {
            // Rare (a period's first read of a member with InMail, an expiry): a unit of work of its own.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
            var credits = scope.ServiceProvider.GetRequiredService<CreditLedger>();
            pair.CreditBalance = await db.InTransactionAsync(async c =>
            {
                var sender = (await db.LockMemberAsync(senderId, c))!;
                await credits.UpkeepAsync(sender, now, c);
                return sender.CreditBalance;
            }, cancel);
        }

        return pair;
    }

    /// <summary>
    /// The pair's facts on a connection (in its transaction, if any), in one round trip; with
    /// <paramref name="lockSender"/> the sender's row is locked first (PostgreSQL), to the end of the transaction.
    /// The recipient's address book is read only when the decision needs it.
    /// </summary>
    public async Task<PairFacts?> ReadPairAsync(
        DbConnection connection, DbTransaction? transaction, long senderId, RecipientKey recipient, DateTimeOffset now, bool lockSender, CancellationToken cancel)
    {
        PairFacts? pair;
        await using (var batch = StatementBatch.On(connection, transaction))
        {
            if (lockSender)
            {
                batch.Add(MessagingSql.StablePlans);
                batch.Add(MessagingSql.LockMember).Set("member", senderId);
            }

            var facts = batch.Results;
            PairFacts.Add(batch, senderId, recipient, policy, now, forSend: lockSender);
            await using var reader = await batch.ExecuteAsync(cancel);
            await reader.MoveToAsync(facts);
            pair = await PairFacts.ReadAsync(reader);
        }

        if (pair is { NeedsAddressBook: true, SenderEmail: { } email })
        {
            await using var batch = StatementBatch.On(connection, transaction);
            batch.Add(MessagingSql.InAddressBook).Set("owner", pair.RecipientId).Set("email", MemberRules.NormalizeEmail(email));
            await using var reader = await batch.ExecuteAsync(cancel);
            pair.InAddressBook = await reader.ReadAsync() && reader.GetBoolean(0);
        }

        return pair;
    }

    /// <summary>
    /// The facts of one sender with many recipients (a page of search results, the bookmark list): the pair's
    /// statement once for each, sent together (one round trip on PostgreSQL), without credit upkeep.
    /// </summary>
    public async Task<DecisionFacts[]> ReadManyAsync(long senderId, IReadOnlyList<long> recipientIds, MessageKind kind, DateTimeOffset now, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(recipientIds);
        var pairs = new PairFacts?[recipientIds.Count];
        if (pairs.Length == 0)
        {
            return [];
        }

        await using (var read = await database.ReadAsync(cancel))
        {
            await using (var batch = StatementBatch.On(read.Connection, null))
            {
                foreach (var recipientId in recipientIds)
                {
                    PairFacts.Add(batch, senderId, RecipientKey.ById(recipientId), policy, now, forSend: false);
                }

                await using var reader = await batch.ExecuteAsync(cancel);
                for (var i = 0; i < pairs.Length; i++)
                {
                    await reader.MoveToAsync(i);
                    pairs[i] = await PairFacts.ReadAsync(reader);
                }
            }

            var addressBooks = pairs.Where(pair => pair is { NeedsAddressBook: true, SenderEmail: not null }).ToList();
            if (addressBooks.Count > 0)
            {
                await using var batch = StatementBatch.On(read.Connection, null);
                foreach (var pair in addressBooks)
                {
                    batch.Add(MessagingSql.InAddressBook).Set("owner", pair!.RecipientId).Set("email", MemberRules.NormalizeEmail(pair.SenderEmail!));
                }

                await using var reader = await batch.ExecuteAsync(cancel);
                for (var i = 0; i < addressBooks.Count; i++)
                {
                    await reader.MoveToAsync(i);
                    addressBooks[i]!.InAddressBook = await reader.ReadAsync() && reader.GetBoolean(0);
                }
            }
        }

        return [.. pairs.Select(pair => pair!.Facts(policy, kind, null, now))];
    }
}
