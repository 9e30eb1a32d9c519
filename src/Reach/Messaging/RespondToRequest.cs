using Reach.Data;
using Reach.Outbox;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// The recipient of a message request answers it (SPEC §3): accepting moves it to the Inbox and opens the
/// conversation, declining takes it out of Requests; either way the sender's InMails in it return their credits.
/// The change is one conditional update — it happens only while the request waits for this member — and the
/// answer's facts come back in the same round trip.
/// </summary>
public sealed class RespondToRequest(ReachDb db, ReachPolicy policy, TimeProvider clock, AnsweredInMails answered)
{
    public Task<Outcome<bool>> AcceptAsync(long memberId, long conversationId, CancellationToken cancel) =>
        RespondAsync(memberId, conversationId, accept: true, cancel);

    public Task<Outcome<bool>> DeclineAsync(long memberId, long conversationId, CancellationToken cancel) =>
        RespondAsync(memberId, conversationId, accept: false, cancel);

    private Task<Outcome<bool>> RespondAsync(long memberId, long conversationId, bool accept, CancellationToken cancel) =>
        db.InTransactionAsync<Outcome<bool>>(async c =>
        {
            var now = clock.GetUtcNow();
            long otherId;
            bool refundDue, bookmarked;
            await using (var batch = StatementBatch.On(db))
            {
                batch.Add(MessagingSql.StablePlans);
                batch.Add(MessagingSql.LockMember).Set("member", memberId);
                var responded = batch.Results;
                batch.Add(MessagingSql.Respond).Set("m", memberId).Set("accept", accept).Set("conversation", conversationId);
                batch.Add(MessagingSql.AfterAnswer).Set("m", memberId).Set("creditBackStart", now.AddDays(-policy.CreditBackDays)).Set("conversation", conversationId);
                await using var reader = await batch.ExecuteAsync(c);
                await reader.MoveToAsync(responded);
                var waited = await reader.ReadAsync();
                await reader.NextResultAsync();
                if (!await reader.ReadAsync())
                {
                    return Failure.NotFound("Conversation");
                }

                if (!waited)
                {
                    return new Failure(Failure.Codes.NotAllowed, "Only a message request waiting for you can be accepted or declined.");
                }

                (otherId, refundDue, bookmarked) = (reader.GetInt64(0), reader.GetBoolean(2), reader.GetBoolean(3));
            }

            if (refundDue)
            {
                await answered.ReturnCreditsAsync(otherId, memberId, conversationId, now, c);
            }

            if (bookmarked)
            {
                await using var batch = StatementBatch.On(db);
                OutboxWorker.Add(batch, OutboxKinds.RecheckPair, memberId, otherId, now);
                await batch.ExecuteNonQueryAsync(c);
                db.OutboxAfterCommit = true;
            }

            return true;
        }, cancel, isolated: false);
}
