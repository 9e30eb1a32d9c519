using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reach.Credits;
using Reach.Data;
using Reach.Decisions;
using Reach.Members;
using Reach.Notifications;
using Reach.Policy;

namespace Reach.Messaging;

public sealed record SendRequest(string? ToHandle, string? Body, string? Subject, bool? InMail, string? RecipientEmail);

public sealed record SendResult(long MessageId, long ConversationId, string Channel, int CreditsCharged);

public sealed record PreflightResult(Member Recipient, Decision Decision, IReadOnlyList<Tip> Tips);

/// <summary>
/// Pre-flight and sending (SPEC §2–§3). A send decides and delivers in one transaction: the sender's row lock
/// serializes the sender's own sends, the receive counter's conditional upsert admits exactly the recipient's cap,
/// and an InMail's credits are spent in the same commit as the message.
/// </summary>
public sealed class MessagingService(
    ReachDb db, ReachPolicy policy, TimeProvider clock, FactsReader facts, CreditLedger credits, DecisionLog log, Bookmarks.Reachability reachability)
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    // What a committed send changed beyond its pair, for the bookmark checks that follow it.
    private long? _capFilledFor;
    private long? _creditsReturnedTo;

    /// <summary>"Can I message R?" — the decision of a send, without sending.</summary>
    public async Task<Outcome<PreflightResult>> PreflightAsync(long senderId, string handle, bool inMail, string? recipientEmail, CancellationToken cancel, string? draft = null)
    {
        if (draft is not null && TextRules.Check("body", draft, policy.MessageBodyMaxLength) is { } invalidDraft)
        {
            return invalidDraft;
        }

        if (recipientEmail is not null && recipientEmail.Length > 0 && !MemberRules.IsValidEmail(recipientEmail.Trim()))
        {
            return Failure.Invalid("recipientEmail", "recipientEmail must be an email address.");
        }

        var recipient = await db.FindByHandleAsync(handle, cancel);
        if (recipient is null)
        {
            return Failure.NotFound("Member");
        }

        if (recipient.Id == senderId)
        {
            return Failure.Invalid("handle", "You cannot message yourself.");
        }

        var now = clock.GetUtcNow();
        var sender = await db.Members.FirstAsync(member => member.Id == senderId, cancel);
        if (credits.UpkeepDue(sender, now))
        {
            sender = await db.InTransactionAsync(async c =>
            {
                var locked = (await db.LockMemberAsync(senderId, c))!;
                await credits.UpkeepAsync(locked, now, c);
                return locked;
            }, cancel);
        }

        var kind = inMail ? MessageKind.InMail : MessageKind.Regular;
        var decisionFacts = await facts.ReadAsync(sender, recipient, kind, recipientEmail, now, cancel);
        if (decisionFacts.Email == GivenEmail.DoesNotMatch && recipient.WhoCanMessage == WhoCanMessage.KnownContacts)
        {
            // A pre-flight with a wrong email uses an attempt like a send: otherwise it would test addresses for free.
            await CountWrongEmailAsync(senderId, now, cancel);
        }

        var decision = MessageRules.Decide(policy, decisionFacts);
        return new PreflightResult(recipient, decision, await AdviseAsync(sender, recipient, decisionFacts, decision, draft, cancel));
    }

    // Tips for a first message (SPEC §6); none when the recipient is unavailable, so advice cannot reveal a block.
    private async Task<IReadOnlyList<Tip>> AdviseAsync(Member sender, Member recipient, DecisionFacts decisionFacts, Decision decision, string? draft, CancellationToken cancel)
    {
        if (decision.Reasons.Contains(Reason.Unavailable) || decision.Error != DecisionError.None)
        {
            return [];
        }

        DateTimeOffset? lastUnanswered = null;
        if (decisionFacts.UnansweredColdMessages + decisionFacts.UnansweredInMails > 0)
        {
            lastUnanswered = await db.Messages.AsNoTracking()
                .Where(m => m.SenderId == sender.Id && m.RecipientId == recipient.Id)
                .OrderByDescending(m => m.Id)
                .Select(m => (DateTimeOffset?)m.SentAt)
                .FirstOrDefaultAsync(cancel);
        }

        return OutreachAdvice.For(new AdviceFacts(
            draft, recipient.DisplayName, recipient.Company, recipient.Headline, decisionFacts.Connected, decisionFacts.OpenConversation,
            lastUnanswered, decisionFacts.Now,
            InvitationPossible: !decisionFacts.Connected && decisionFacts.PendingInvitationSentAt is null && decisionFacts.InvitationsLeft > 0));
    }

    /// <summary>Sends a message, at most once per <paramref name="idempotencyKey"/>.</summary>
    public async Task<Outcome<SendResult>> SendAsync(long senderId, SendRequest request, string? idempotencyKey, CancellationToken cancel)
    {
        var invalid = Validate(request);
        if (invalid is not null)
        {
            return invalid;
        }

        var recipient = await db.FindByHandleAsync(request.ToHandle!, cancel);
        if (recipient is null)
        {
            return Failure.NotFound("Member");
        }

        if (recipient.Id == senderId)
        {
            return Failure.Invalid("toHandle", "You cannot message yourself.");
        }

        if (idempotencyKey is null)
        {
            return await AfterSendAsync(senderId, recipient.Id, await db.InTransactionAsync(c => SendInTransactionAsync(senderId, recipient.Id, request, null, c), cancel), cancel);
        }

        if (idempotencyKey.Length is 0 or > 200)
        {
            return Failure.Invalid("Idempotency-Key", "The Idempotency-Key header must have 1 to 200 characters.");
        }

        var hash = RequestHash(request);
        var (refused, claimedAt) = await ClaimKeyAsync(senderId, idempotencyKey, hash, cancel);
        if (refused is not null)
        {
            return refused;
        }

        try
        {
            var outcome = await db.InTransactionAsync(c => SendInTransactionAsync(senderId, recipient.Id, request, idempotencyKey, c), cancel);
            if (!outcome.Succeeded)
            {
                // Nothing was delivered: free the key so that a retry is decided afresh.
                await ReleaseKeyAsync(senderId, idempotencyKey, claimedAt);
            }

            return await AfterSendAsync(senderId, recipient.Id, outcome, cancel);
        }
        catch (KeyCompletedElsewhereException)
        {
            // Another attempt with this key (one that took it over as abandoned) delivered first; this one rolled back.
            db.ChangeTracker.Clear();
            var record = await db.IdempotencyRecords.AsNoTracking().FirstAsync(r => r.SenderId == senderId && r.Key == idempotencyKey, cancel);
            return new Failure("replay", record.Response ?? string.Empty);
        }
        catch
        {
            await ReleaseKeyAsync(senderId, idempotencyKey, claimedAt);
            throw;
        }
    }

    /// <summary>Sends into an existing conversation (a reply, or a follow-up to one's own message).</summary>
    public async Task<Outcome<SendResult>> ReplyAsync(long memberId, long conversationId, string? body, CancellationToken cancel)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == conversationId && (c.LowId == memberId || c.HighId == memberId), cancel);
        if (conversation is null)
        {
            return Failure.NotFound("Conversation");
        }

        if (TextRules.Check("body", body, policy.MessageBodyMaxLength, required: true) is { } invalid)
        {
            return invalid;
        }

        var request = new SendRequest(null, body, null, false, null);

        var otherId = conversation.Other(memberId);
        return await AfterSendAsync(memberId, otherId, await db.InTransactionAsync(c => SendInTransactionAsync(memberId, otherId, request, null, c), cancel), cancel);
    }

    /// <summary>The recipient of a request accepts it: it moves to the Inbox, opens the conversation and returns InMail credits.</summary>
    public Task<Outcome<bool>> AcceptAsync(long memberId, long conversationId, CancellationToken cancel) =>
        RespondAsync(memberId, conversationId, accept: true, cancel);

    /// <summary>The recipient of a request declines it: it leaves the Requests folder and InMail credits return.</summary>
    public Task<Outcome<bool>> DeclineAsync(long memberId, long conversationId, CancellationToken cancel) =>
        RespondAsync(memberId, conversationId, accept: false, cancel);

    private async Task<Outcome<bool>> RespondAsync(long memberId, long conversationId, bool accept, CancellationToken cancel)
    {
        long otherId = 0;
        var responded = await db.InTransactionAsync<Outcome<bool>>(async c =>
        {
            await db.LockMemberAsync(memberId, c);
            var conversation = await db.Conversations.FirstOrDefaultAsync(
                x => x.Id == conversationId && (x.LowId == memberId || x.HighId == memberId), c);
            if (conversation is null)
            {
                return Failure.NotFound("Conversation");
            }

            if (conversation.RequestForId != memberId)
            {
                return new Failure(Failure.Codes.NotAllowed, "Only a message request waiting for you can be accepted or declined.");
            }

            var now = clock.GetUtcNow();
            conversation.RequestForId = null;
            if (accept)
            {
                MarkWritten(conversation, memberId);
            }
            else
            {
                conversation.Declined = true;
            }

            await db.SaveChangesAsync(c);
            otherId = conversation.Other(memberId);
            await ReturnInMailCreditsAsync(otherId, memberId, now, c);
            return true;
        }, cancel);
        if (responded.Succeeded)
        {
            await AfterSendAsync(memberId, otherId, new SendResult(0, conversationId, string.Empty, 0), cancel);
        }

        return responded;
    }

    // After a committed send or answer: the bookmarks it may have changed are decided again (SPEC §4).
    private async Task<Outcome<SendResult>> AfterSendAsync(long senderId, long recipientId, Outcome<SendResult> outcome, CancellationToken cancel)
    {
        var (capFilled, returned) = (_capFilledFor, _creditsReturnedTo);
        (_capFilledFor, _creditsReturnedTo) = (null, null);
        if (!outcome.Succeeded)
        {
            return outcome;
        }

        await reachability.RecheckPairAsync(senderId, recipientId, cancel);
        if (capFilled is { } full)
        {
            await reachability.RecheckTargetingAsync(full, cancel);
        }

        if (returned is { } refunded)
        {
            await reachability.RecheckHeldByAsync(refunded, cancel);
        }

        return outcome;
    }

    private async Task<Outcome<SendResult>> SendInTransactionAsync(
        long senderId, long recipientId, SendRequest request, string? idempotencyKey, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        var sender = await db.LockMemberAsync(senderId, cancel) ?? throw new InvalidOperationException("The sender vanished.");
        var recipient = await db.Members.FirstAsync(member => member.Id == recipientId, cancel);
        await credits.UpkeepAsync(sender, now, cancel);

        var kind = request.InMail == true ? MessageKind.InMail : MessageKind.Regular;
        var decisionFacts = await facts.ReadAsync(sender, recipient, kind, request.RecipientEmail, now, cancel);
        if (decisionFacts.Email == GivenEmail.DoesNotMatch && recipient.WhoCanMessage == WhoCanMessage.KnownContacts)
        {
            await CountWrongEmailAsync(senderId, now, cancel);
        }

        var decision = MessageRules.Decide(policy, decisionFacts);
        (_capFilledFor, _creditsReturnedTo) = (null, null);
        if (decision.Allowed && decision.CountsAgainstCap && !await CountColdMessageAsync(recipient, decisionFacts, now, cancel))
        {
            // Another sender took the last place of the cap between our read and our write.
            decision = MessageRules.Decide(policy, decisionFacts with { ColdMessagesReceived = decisionFacts.Recipient.Tier.ReceiveCap });
        }

        log.Record(senderId, recipientId, decision, "send", now);
        if (!decision.Allowed)
        {
            await db.SaveChangesAsync(cancel);
            return decision.Error == DecisionError.MemberNotFound
                ? Failure.NotFound("Member")
                : Failure.Locked(decision.ForSender(policy.Explain));
        }

        var conversation = await GetOrStartConversationAsync(senderId, recipientId, now, cancel);
        var message = new Message
        {
            ConversationId = conversation.Id,
            SenderId = senderId,
            RecipientId = recipientId,
            Body = request.Body!,
            Subject = kind == MessageKind.InMail ? NullIfBlank(request.Subject) : null,
            Channel = decision.Channel.Code()!,
            CreditsCharged = decision.Cost,
            SentAt = now,
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync(cancel);

        if (decision.Cost > 0)
        {
            var spend = await credits.SpendAsync(sender, decision.Cost, MessageRef(message.Id), now, cancel);
            if (!spend.Succeeded)
            {
                throw new InvalidOperationException($"An allowed InMail could not be paid: {spend.Refusal}.");
            }
        }

        var answering = conversation.RequestForId == senderId;
        var wasOpenForSender = conversation.HasWritten(recipientId);
        MarkWritten(conversation, senderId);
        if (answering)
        {
            conversation.RequestForId = null;
        }
        else if (!wasOpenForSender && !conversation.Declined && decision.Channel != Channel.Connection)
        {
            conversation.RequestForId = recipientId;
        }

        if (decision.Channel == Channel.InMail)
        {
            AddUnanswered(conversation, senderId, inMail: 1);
        }
        else if (decision.CountsAgainstCap)
        {
            AddUnanswered(conversation, senderId, cold: 1);
        }

        conversation.LastMessageAt = now;
        var link = "/messages/" + conversation.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (conversation.RequestForId == recipientId)
        {
            var what = kind == MessageKind.InMail ? "an InMail" : "a message request";
            db.Notify(recipientId, NotificationKinds.MessageRequest, now, $"{sender.DisplayName} sent you {what}.", senderId, link);
        }
        else if (!conversation.Declined || conversation.HasWritten(recipientId))
        {
            db.Notify(recipientId, NotificationKinds.Message, now, $"{sender.DisplayName} sent you a message.", senderId, link);
        }

        var result = new SendResult(message.Id, conversation.Id, decision.Channel.Code()!, decision.Cost);
        // Completing the key is the fence: of two attempts that both hold it (the second took it over from a first it
        // thought abandoned), only the first to complete it commits; the other's update finds it completed and its
        // whole transaction rolls back, so one key never delivers twice.
        if (idempotencyKey is not null && await db.IdempotencyRecords
                .Where(record => record.SenderId == senderId && record.Key == idempotencyKey && !record.Completed)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(record => record.Completed, true)
                    .SetProperty(record => record.StatusCode, 201)
                    .SetProperty(record => record.Response, JsonSerializer.Serialize(result, JsonSerializerOptions.Web)), cancel) == 0)
        {
            throw new KeyCompletedElsewhereException();
        }

        await db.SaveChangesAsync(cancel);
        if (wasOpenForSender || answering)
        {
            // The sender answers the other side: their waiting messages are answered and their InMail credits return.
            await ReturnInMailCreditsAsync(recipientId, senderId, now, cancel);
        }

        return result;
    }

    // A cold message takes one place of the recipient's cap for the period, or none is left: one statement, so
    // concurrent senders on any number of connections and processes cannot overrun the cap.
    private async Task<bool> CountColdMessageAsync(Member recipient, DecisionFacts decisionFacts, DateTimeOffset now, CancellationToken cancel)
    {
        var cap = decisionFacts.Recipient.Tier.ReceiveCap;
        var period = policy.Periods.Containing(now).Key;
        var used = await db.Database.SqlQuery<int>($"""
            INSERT INTO "ReceiveCounters" ("MemberId", "PeriodKey", "Used") VALUES ({recipient.Id}, {period}, 1)
            ON CONFLICT ("MemberId", "PeriodKey") DO UPDATE SET "Used" = "ReceiveCounters"."Used" + 1
            WHERE "ReceiveCounters"."Used" < {cap}
            RETURNING "Used" AS "Value"
            """).ToListAsync(cancel);
        if (used.Count == 1 && used[0] == cap)
        {
            _capFilledFor = recipient.Id;
        }

        return used.Count == 1 && used[0] <= cap;
    }

    private async Task CountWrongEmailAsync(long senderId, DateTimeOffset now, CancellationToken cancel)
    {
        var day = FactsReader.Day(now);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "EmailAttempts" ("SenderId", "Day", "Count") VALUES ({senderId}, {day}, 1)
            ON CONFLICT ("SenderId", "Day") DO UPDATE SET "Count" = "EmailAttempts"."Count" + 1
            """, cancel);
    }

    private async Task<Conversation> GetOrStartConversationAsync(long senderId, long recipientId, DateTimeOffset now, CancellationToken cancel)
    {
        var (low, high) = senderId < recipientId ? (senderId, recipientId) : (recipientId, senderId);
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.LowId == low && c.HighId == high, cancel);
        if (conversation is not null)
        {
            return conversation;
        }

        // A first message each way at the same moment: the unique pair index lets one insert win; the loser's
        // transaction is retried and finds the conversation.
        conversation = new Conversation { LowId = low, HighId = high, CreatedAt = now, LastMessageAt = now };
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancel);
        return conversation;
    }

    // The InMails of inMailSenderId to answererId that were not yet answered return their credits (within the window).
    private async Task ReturnInMailCreditsAsync(long inMailSenderId, long answererId, DateTimeOffset now, CancellationToken cancel)
    {
        var (low, high) = inMailSenderId < answererId ? (inMailSenderId, answererId) : (answererId, inMailSenderId);
        var conversation = await db.Conversations.FirstAsync(c => c.LowId == low && c.HighId == high, cancel);
        ClearUnanswered(conversation, inMailSenderId);

        var windowStart = now.AddDays(-policy.CreditBackDays);
        var inMails = await db.Messages
            .Where(m => m.ConversationId == conversation.Id && m.SenderId == inMailSenderId && m.CreditsCharged > 0 && !m.CreditReturned && m.SentAt >= windowStart)
            .ToListAsync(cancel);
        if (inMails.Count > 0)
        {
            var inMailSender = await db.LockMemberAsync(inMailSenderId, cancel);
            var returned = 0;
            foreach (var inMail in inMails)
            {
                var refund = await credits.RefundAsync(inMailSender!, MessageRef(inMail.Id), inMail.SentAt, now, cancel);
                inMail.CreditReturned = refund.Succeeded;
                returned += refund.Succeeded ? inMail.CreditsCharged : 0;
            }

            if (returned > 0)
            {
                _creditsReturnedTo = inMailSenderId;
                db.Notify(
                    inMailSenderId, NotificationKinds.CreditReturned, now,
                    $"Your InMail was answered: {returned} {(returned == 1 ? "credit is" : "credits are")} back.", answererId,
                    "/messages/" + conversation.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        await db.SaveChangesAsync(cancel);
    }

    // Claims the key for this attempt; returns why not, or when it was claimed (which fences the release).
    private async Task<(Failure? Refused, DateTimeOffset ClaimedAt)> ClaimKeyAsync(long senderId, string key, string hash, CancellationToken cancel)
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
            return await ClaimKeyAsync(senderId, key, hash, cancel);
        }

        if (existing.RequestHash != hash)
        {
            return (new Failure(Failure.Codes.IdempotencyKeyReused, "This Idempotency-Key was used for a different message.", "Idempotency-Key"), now);
        }

        if (existing.Completed)
        {
            return (new Failure("replay", existing.Response ?? string.Empty), now);
        }

        if (now - existing.CreatedAt < AbandonedAfter)
        {
            return (new Failure(Failure.Codes.IdempotencyKeyInFlight, "A send with this Idempotency-Key is in progress.", "Idempotency-Key"), now);
        }

        // The first attempt died without finishing: take the key over.
        var taken = await db.IdempotencyRecords
            .Where(r => r.SenderId == senderId && r.Key == key && !r.Completed && r.CreatedAt == existing.CreatedAt)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedAt, now), cancel);
        return taken == 1 ? (null, now) : (new Failure(Failure.Codes.IdempotencyKeyInFlight, "A send with this Idempotency-Key is in progress.", "Idempotency-Key"), now);
    }

    // Frees the key this attempt claimed at claimedAt; a claim another attempt has taken over since is left alone.
    private async Task ReleaseKeyAsync(long senderId, string key, DateTimeOffset claimedAt)
    {
        db.ChangeTracker.Clear();
        await db.IdempotencyRecords
            .Where(r => r.SenderId == senderId && r.Key == key && !r.Completed && r.CreatedAt == claimedAt)
            .ExecuteDeleteAsync(CancellationToken.None);
    }

    /// <summary>Thrown inside a send's transaction when its key was completed by another attempt: the send rolls back.</summary>
    private sealed class KeyCompletedElsewhereException : Exception
    {
        public KeyCompletedElsewhereException()
            : base("Another attempt completed this Idempotency-Key first.")
        {
        }
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

    private static void MarkWritten(Conversation conversation, long memberId)
    {
        if (memberId == conversation.LowId)
        {
            conversation.LowHasWritten = true;
        }
        else
        {
            conversation.HighHasWritten = true;
        }
    }

    private static void AddUnanswered(Conversation conversation, long senderId, int cold = 0, int inMail = 0)
    {
        if (senderId == conversation.LowId)
        {
            conversation.LowUnansweredCold += cold;
            conversation.LowUnansweredInMail += inMail;
        }
        else
        {
            conversation.HighUnansweredCold += cold;
            conversation.HighUnansweredInMail += inMail;
        }
    }

    private static void ClearUnanswered(Conversation conversation, long senderId)
    {
        if (senderId == conversation.LowId)
        {
            conversation.LowUnansweredCold = 0;
            conversation.LowUnansweredInMail = 0;
        }
        else
        {
            conversation.HighUnansweredCold = 0;
            conversation.HighUnansweredInMail = 0;
        }
    }

    private static string MessageRef(long messageId) => "m" + messageId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>What makes two sends "the same payload" for an Idempotency-Key: the request with the handle normalized.</summary>
    public static string RequestHash(SendRequest request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request with { ToHandle = MemberRules.NormalizeHandle(request.ToHandle!) }))));
}
