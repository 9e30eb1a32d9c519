using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Reach.Credits;
using Reach.Data;
using Reach.Members;
using Reach.Outbox;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// Sending (SPEC §2–§3): a first message, an InMail, a reply. One transaction decides and delivers, in as few round
/// trips as the rules allow: the sender's row lock and the pair's facts (one statement); the decision; then the
/// conversation, the message, the notification, the decision log and — last, so that the counter's row is held
/// for the shortest time — the place of the recipient's cap, whose conditional upsert admits exactly the cap.
/// An InMail's credits are spent, and an answer's InMail credits returned, in the same transaction.
/// </summary>
public sealed class SendMessage(
    ReachDb db, ReachPolicy policy, TimeProvider clock, FactsReader facts, IdempotencyKeys keys, CreditLedger credits, AnsweredInMails answered,
    ReachMetrics metrics)
{
    /// <summary>Sends a message to a member by handle, at most once per <paramref name="idempotencyKey"/>.</summary>
    public async Task<SendOutcome> SendAsync(long senderId, SendRequest request, string? idempotencyKey, CancellationToken cancel)
    {
        using var activity = ReachActivity.Source.StartActivity("send");
        return Counted(await SendOnceAsync(senderId, request, idempotencyKey, cancel), activity);
    }

    /// <summary>Sends into one of the member's conversations (a reply, or a follow-up to their own message).</summary>
    public async Task<SendOutcome> ReplyAsync(long memberId, long conversationId, string? body, CancellationToken cancel)
    {
        using var activity = ReachActivity.Source.StartActivity("reply");
        return Counted(
            await DeliverAsync(
                memberId, RecipientKey.InConversation(conversationId), new SendRequest(null, body, null, false, null), null,
                TextRules.Check("body", body, policy.MessageBodyMaxLength, required: true), cancel),
            activity);
    }

    // A delivery and a lock are counted once, wherever the send came from (a replayed one was counted the first time).
    private SendOutcome Counted(SendOutcome outcome, System.Diagnostics.Activity? activity)
    {
        activity?.SetTag("reach.outcome", outcome.GetType().Name.ToLowerInvariant());
        switch (outcome)
        {
            case SendOutcome.Sent { Result: var sent }:
                metrics.Sent(sent.Channel);
                break;
            case SendOutcome.Locked { Decision: var decision }:
                metrics.Decided(decision, "send");
                break;
        }

        return outcome;
    }

    private async Task<SendOutcome> SendOnceAsync(long senderId, SendRequest request, string? idempotencyKey, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } invalid)
        {
            return new SendOutcome.Refused(invalid);
        }

        var handle = MemberRules.NormalizeHandle(request.ToHandle!);
        if (!MemberRules.IsValidHandle(handle))
        {
            return new SendOutcome.Refused(Failure.NotFound("Member"));
        }

        var recipient = RecipientKey.ByHandle(handle);
        if (idempotencyKey is null)
        {
            return await DeliverAsync(senderId, recipient, request, null, null, cancel);
        }

        if (idempotencyKey.Length is 0 or > 200)
        {
            return new SendOutcome.Refused(Failure.Invalid("Idempotency-Key", "The Idempotency-Key header must have 1 to 200 characters."));
        }

        var (refused, claimedAt) = await keys.ClaimAsync(senderId, idempotencyKey, IdempotencyKeys.RequestHash(request), cancel);
        if (refused is not null)
        {
            return refused;
        }

        try
        {
            var outcome = await DeliverAsync(senderId, recipient, request, idempotencyKey, null, cancel);
            if (outcome is not SendOutcome.Sent)
            {
                // Nothing was delivered: free the key so that a retry is decided afresh.
                await keys.ReleaseAsync(senderId, idempotencyKey, claimedAt);
            }

            return outcome;
        }
        catch (KeyCompletedElsewhereException)
        {
            // Another attempt with this key (one that took it over as abandoned) delivered first; this one rolled back.
            return await keys.ReplayAsync(senderId, idempotencyKey, cancel);
        }
        catch
        {
            await keys.ReleaseAsync(senderId, idempotencyKey, claimedAt);
            throw;
        }
    }

    // Decides and delivers in one transaction. A failure known before the lookup (a reply's bad body) is answered
    // only once the conversation is found to be the member's, so that a foreign one is always "not found".
    private async Task<SendOutcome> DeliverAsync(
        long senderId, RecipientKey recipient, SendRequest request, string? idempotencyKey, Failure? invalid, CancellationToken cancel)
    {
        var kind = request.InMail == true ? MessageKind.InMail : MessageKind.Regular;
        try
        {
            return await db.InTransactionAsync(async c =>
            {
                var now = clock.GetUtcNow();
                var pair = await ReadLockedAsync(senderId, recipient, now, c);
                if (pair is null)
                {
                    return new SendOutcome.Refused(Failure.NotFound(recipient.IsConversation ? "Conversation" : "Member"));
                }

                if (invalid is not null)
                {
                    return new SendOutcome.Refused(invalid);
                }

                if (pair.RecipientId == senderId)
                {
                    return new SendOutcome.Refused(Failure.Invalid("toHandle", "You cannot message yourself."));
                }

                var decisionFacts = pair.Facts(policy, kind, request.RecipientEmail, now);
                var wrongEmail = decisionFacts.Email == GivenEmail.DoesNotMatch && pair.Settings.WhoCanMessage == WhoCanMessage.KnownContacts;
                var decision = MessageRules.Decide(policy, decisionFacts);
                if (!decision.Allowed)
                {
                    await LogAsync(senderId, pair.RecipientId, decision, decisionFacts, wrongEmail, c);
                    return decision.Error == DecisionError.MemberNotFound
                        ? new SendOutcome.Refused(Failure.NotFound("Member"))
                        : new SendOutcome.Locked(decision.ForSender(policy.Explain));
                }

                var result = await WriteAsync(senderId, pair, request, decisionFacts, decision, wrongEmail, idempotencyKey, c);
                if (decision.Cost > 0)
                {
                    var sender = await db.LockMemberAsync(senderId, c) ?? throw new InvalidOperationException("The sender vanished.");
                    var spend = await credits.SpendAsync(sender, decision.Cost, "m" + result.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture), now, c);
                    if (!spend.Succeeded)
                    {
                        throw new InvalidOperationException($"An allowed InMail could not be paid: {spend.Refusal}.");
                    }
                }

                if (pair.Answers && pair.RefundDue)
                {
                    // The sender answers the other side: their InMails in the conversation return their credits.
                    await answered.ReturnCreditsAsync(pair.RecipientId, senderId, result.ConversationId, now, c);
                }

                return (SendOutcome)new SendOutcome.Sent(result);
            }, cancel, isolated: false);
        }
        catch (CapTakenException taken)
        {
            // Another sender took the last place of the cap between our read and our write: nothing of this send was
            // kept, and it is locked for the monthly limit.
            return new SendOutcome.Locked(await LogCapReachedAsync(senderId, taken, cancel));
        }
    }

    // The sender's row lock (PostgreSQL) and the pair's facts, in one round trip; credits brought up to date first
    // when a grant or an expiry is due.
    private async Task<PairFacts?> ReadLockedAsync(long senderId, RecipientKey recipient, DateTimeOffset now, CancellationToken cancel)
    {
        var pair = await facts.ReadPairAsync(
            db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(), senderId, recipient, now, lockSender: true, cancel);
        if (pair is not null && CreditLedger.UpkeepDue(policy, pair.SenderTierId, pair.CreditsGrantedFor, pair.NextCreditExpiry, now))
        {
            var sender = await db.LockMemberAsync(senderId, cancel) ?? throw new InvalidOperationException("The sender vanished.");
            await credits.UpkeepAsync(sender, now, cancel);
            pair.CreditBalance = sender.CreditBalance;
        }

        return pair;
    }

    // Everything an allowed message writes, in one batch; the place of the cap last.
    private async Task<SendResult> WriteAsync(
        long senderId, PairFacts pair, SendRequest request, DecisionFacts facts, Decision decision, bool wrongEmail, string? idempotencyKey,
        CancellationToken cancel)
    {
        var (kind, now) = (facts.Kind, facts.Now);
        var r = pair.RecipientId;
        var (low, high) = senderId < r ? (senderId, r) : (r, senderId);
        var channel = decision.Channel.Code()!;
        var cap = (policy.FindTier(pair.TierId) ?? policy.DefaultTier).ReceiveCap;
        var period = policy.Periods.Containing(now).Key;
        long conversationId, messageId;

        // On PostgreSQL the commit goes with these writes when nothing is left to do after them. When another send to
        // the recipient is in flight, the counter's row is held only until the commit is in the log (not on the disk),
        // and the send is acknowledged once the log is flushed.
        var last = decision.Cost == 0 && !(pair.Answers && pair.RefundDue) && idempotencyKey is null;
        var counted = last && db.IsPostgres && decision.CountsAgainstCap;
        var contended = counted && BusyCounters.Enter(r);
        try
        {
            await using (var batch = StatementBatch.On(db))
            {
                batch.Add(senderId == low ? MessagingSql.ConversationFromLow : MessagingSql.ConversationFromHigh)
                    .Set("low", low).Set("high", high).Set("connection", decision.Channel == Channel.Connection).Set("r", r)
                    .Set("cold", decision.CountsAgainstCap && decision.Channel != Channel.InMail ? 1 : 0)
                    .Set("inMail", decision.Channel == Channel.InMail ? 1 : 0).Set("now", now).Set("s", senderId);
                batch.Add(MessagingSql.Message)
                    .Set("s", senderId).Set("r", r).Set("body", request.Body).Set("subject", kind == MessageKind.InMail ? NullIfBlank(request.Subject) : null)
                    .Set("channel", channel).Set("cost", decision.Cost).Set("now", now).Set("low", low).Set("high", high);
                batch.Add(MessagingSql.Notification)
                    .Set("r", r).Set("s", senderId).Set("now", now).Set("low", low).Set("high", high)
                    .Set("requestText", $"{pair.SenderName} sent you {(kind == MessageKind.InMail ? "an InMail" : "a message request")}.")
                    .Set("messageText", $"{pair.SenderName} sent you a message.");
                AddLog(batch, senderId, r, decision, facts);
                if (wrongEmail)
                {
                    batch.Add(MessagingSql.CountWrongEmail).Set("s", senderId).Set("day", PairFacts.Day(now));
                }

                if (pair.Bookmarked)
                {
                    OutboxWorker.Add(batch, OutboxKinds.RecheckPair, senderId, r, now);
                    db.OutboxAfterCommit = true;
                }

                var capPlace = batch.Results;
                if (decision.CountsAgainstCap)
                {
                    batch.Add(MessagingSql.RecheckWhenCapFills)
                        .Set("kind", OutboxKinds.RecheckTargeting).Set("r", r).Set("now", now).Set("period", period).Set("cap", cap);
                    capPlace = batch.Results;
                    batch.Add(MessagingSql.TakeCapPlace).Set("r", r).Set("period", period).Set("cap", cap);
                }

                if (last)
                {
                    if (contended)
                    {
                        batch.Add(MessagingSql.CommitWithoutFlush);
                    }

                    batch.Add(MessagingSql.Commit);
                    if (contended)
                    {
                        batch.Add(MessagingSql.AwaitFlush);
                    }

                    db.CommittedInBatch = db.IsPostgres;
                }

                await using var reader = await batch.ExecuteAsync(cancel);
                await reader.ReadAsync();
                conversationId = reader.GetInt64(0);
                await reader.NextResultAsync();
                await reader.ReadAsync();
                messageId = reader.GetInt64(0);

                // The recipient's open pages look again (a wake-up without a new notification, after a message in a
                // declined conversation, only makes them read the same count).
                db.WakeAfterCommit(r);

                if (decision.CountsAgainstCap)
                {
                    try
                    {
                        await reader.MoveToAsync(capPlace);
                        await reader.ReadAsync();
                    }
                    catch (Exception e) when (IsCapTaken(e))
                    {
                        throw new CapTakenException(pair.Facts(policy, kind, request.RecipientEmail, now), pair.RecipientId);
                    }

                    // The worker looks at once when the cap just filled (a check may have been stored with it).
                    db.OutboxAfterCommit |= reader.GetInt32(0) >= cap;
                }
            }
        }
        finally
        {
            if (counted)
            {
                BusyCounters.Leave(r);
            }
        }

        var result = new SendResult(messageId, conversationId, channel, decision.Cost);
        if (idempotencyKey is not null)
        {
            await using var complete = StatementBatch.On(db);
            IdempotencyKeys.Complete(complete, senderId, idempotencyKey, result);
            await using var reader = await complete.ExecuteAsync(cancel);
            if (!await reader.ReadAsync())
            {
                throw new KeyCompletedElsewhereException();
            }
        }

        return result;
    }

    // The place past the last of the cap: refused by the counter's check constraint.
    private static bool IsCapTaken(Exception e) => e switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.CheckViolation && pg.ConstraintName == MessagingSql.CapConstraint,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 275,
        _ => false,
    };

    // The decision with the facts it was decided on, so that a what-if replay can decide it again (PolicyReplay).
    private static void AddLog(StatementBatch batch, long senderId, long recipientId, Decision decision, in DecisionFacts facts) =>
        batch.Add(MessagingSql.DecisionLog)
            .Set("now", facts.Now).Set("day", PairFacts.Day(facts.Now)).Set("s", senderId).Set("r", recipientId)
            .Set("inMail", decision.Kind == MessageKind.InMail).Set("allowed", decision.Allowed)
            .Set("reasons", (int)decision.Reasons.Bits).Set("trace", (long)decision.Trace.Bits)
            .Set("senderTier", facts.Sender.Tier.Id).Set("recipientTier", facts.Recipient.Tier.Id).Set("facts", LoggedFacts.Pack(facts));

    // A locked send is logged, and a wrong email counted, in the send's transaction.
    private async Task LogAsync(long senderId, long recipientId, Decision decision, DecisionFacts facts, bool wrongEmail, CancellationToken cancel)
    {
        var now = facts.Now;
        await using var batch = StatementBatch.On(db);
        AddLog(batch, senderId, recipientId, decision, facts);
        if (wrongEmail)
        {
            batch.Add(MessagingSql.CountWrongEmail).Set("s", senderId).Set("day", PairFacts.Day(now));
        }

        await batch.ExecuteNonQueryAsync(cancel);
    }

    private async Task<Decision> LogCapReachedAsync(long senderId, CapTakenException taken, CancellationToken cancel)
    {
        var full = taken.Facts with { ColdMessagesReceived = taken.Facts.Recipient.Tier.ReceiveCap };
        var decision = MessageRules.Decide(policy, full);
        await db.InTransactionAsync(async c =>
        {
            await LogAsync(senderId, taken.RecipientId, decision, full, wrongEmail: false, c);
            return true;
        }, cancel);
        return decision.ForSender(policy.Explain);
    }

    private Failure? Validate(SendRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ToHandle))
        {
            return Failure.Invalid("toHandle", "toHandle is required.");
        }

        if (request.ToHandle.Length > 100)
        {
            return Failure.Invalid("toHandle", "toHandle is too long.");
        }

        if (TextRules.Check("body", request.Body, policy.MessageBodyMaxLength, required: true) is { } body)
        {
            return body;
        }

        if (request.Subject is not null && request.InMail != true)
        {
            return Failure.Invalid("subject", "subject is only for InMail.");
        }

        if (TextRules.Check("subject", request.Subject, policy.InMailSubjectMaxLength) is { } subject)
        {
            return subject;
        }

        if (!string.IsNullOrEmpty(request.RecipientEmail) && !MemberRules.IsValidEmail(request.RecipientEmail.Trim()))
        {
            return Failure.Invalid("recipientEmail", "recipientEmail must be an email address.");
        }

        return null;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Thrown inside a send when the cap's last place was taken since the facts were read: the send rolls back.</summary>
    private sealed class CapTakenException(DecisionFacts facts, long recipientId) : Exception("The recipient's cap filled since the decision.")
    {
        public DecisionFacts Facts { get; } = facts;

        public long RecipientId { get; } = recipientId;
    }
}
