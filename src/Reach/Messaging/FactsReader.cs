using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Credits;
using Reach.Data;
using Reach.Members;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// Gathers the <see cref="DecisionFacts"/> of a sender and recipients. One pair is read in one prepared statement
/// (<see cref="PairFacts"/>) — the pre-flight, a send, a bookmark check and the operator's trace all read it there
/// and decide with <see cref="MessageRules.Decide"/>, so they never disagree; a page of search results is read with
/// one query per kind of fact (<see cref="ReadManyAsync"/>).
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
    /// The facts of one sender with many recipients (search's "I can message now"): one query per kind of fact for
    /// all of them, so that a page of results costs what one decision does.
    /// </summary>
    public async Task<DecisionFacts[]> ReadManyAsync(
        ReachDb db, Member sender, IReadOnlyList<Member> recipients, MessageKind kind, string? givenEmail, DateTimeOffset now, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipients);
        var s = sender.Id;
        var ids = recipients.Select(r => r.Id).ToList();
        var period = policy.Periods.Containing(now);
        var windowStart = InvitationRules.WindowStart(policy, now);
        var day = PairFacts.Day(now);

        var blocked = (await db.Blocks
            .Where(b => (b.BlockerId == s && ids.Contains(b.BlockedId)) || (ids.Contains(b.BlockerId) && b.BlockedId == s))
            .Select(b => b.BlockerId == s ? b.BlockedId : b.BlockerId)
            .ToListAsync(cancel)).ToHashSet();
        var connected = (await db.Connections.Where(c => c.MemberId == s && ids.Contains(c.OtherId)).Select(c => c.OtherId).ToListAsync(cancel)).ToHashSet();
        var conversations = (await db.Conversations.AsNoTracking()
            .Where(c => (c.LowId == s && ids.Contains(c.HighId)) || (c.HighId == s && ids.Contains(c.LowId)))
            .ToListAsync(cancel)).ToDictionary(c => c.Other(s));
        var pending = (await db.Invitations
            .Where(i => i.FromId == s && ids.Contains(i.ToId) && i.State == Invitations.InvitationState.Pending)
            .Select(i => new { i.ToId, i.SentAt })
            .ToListAsync(cancel)).GroupBy(i => i.ToId).ToDictionary(g => g.Key, g => g.First().SentAt);
        var withdrawn = (await db.Invitations
            .Where(i => i.FromId == s && ids.Contains(i.ToId) && i.State == Invitations.InvitationState.Withdrawn && i.RespondedAt != null)
            .Select(i => new { i.ToId, i.RespondedAt })
            .ToListAsync(cancel)).GroupBy(i => i.ToId).ToDictionary(g => g.Key, g => g.Max(i => i.RespondedAt!.Value));
        var sentThisWeek = await db.Invitations.CountAsync(i => i.FromId == s && i.SentAt > windowStart, cancel);
        var senderEmail = MemberRules.NormalizeEmail(sender.Email ?? string.Empty);
        var knownContactIds = recipients.Where(r => r.WhoCanMessage == WhoCanMessage.KnownContacts).Select(r => r.Id).ToList();
        var inAddressBook = knownContactIds.Count == 0
            ? []
            : (await db.AddressBook.Where(e => knownContactIds.Contains(e.OwnerId) && e.Email == senderEmail).Select(e => e.OwnerId).ToListAsync(cancel)).ToHashSet();
        var received = (await db.ReceiveCounters
            .Where(c => ids.Contains(c.MemberId) && c.PeriodKey == period.Key)
            .Select(c => new { c.MemberId, c.Used })
            .ToListAsync(cancel)).ToDictionary(c => c.MemberId, c => c.Used);
        var wrongEmails = await db.EmailAttempts
            .Where(a => a.SenderId == s && a.Day == day)
            .Select(a => a.Count)
            .FirstOrDefaultAsync(cancel);
        var attemptsLeft = Math.Max(0, policy.WrongEmailAttemptsPerDay - wrongEmails);
        var invitationsLeft = InvitationRules.InvitationsLeft(policy, sentThisWeek);

        var result = new DecisionFacts[recipients.Count];
        for (var i = 0; i < recipients.Count; i++)
        {
            var recipient = recipients[i];
            var r = recipient.Id;
            var conversation = conversations.GetValueOrDefault(r);
            var senderIsLow = s < r;
            result[i] = Facts(sender, recipient, kind, givenEmail, now, attemptsLeft, invitationsLeft) with
            {
                Blocked = blocked.Contains(r),
                Connected = connected.Contains(r),
                OpenConversation = conversation is not null && conversation.HasWritten(r),
                PendingInvitationSentAt = pending.TryGetValue(r, out var sentAt) ? sentAt : null,
                InAddressBook = inAddressBook.Contains(r),
                ColdMessagesReceived = received.GetValueOrDefault(r),
                UnansweredColdMessages = conversation is null ? 0 : senderIsLow ? conversation.LowUnansweredCold : conversation.HighUnansweredCold,
                UnansweredInMails = conversation is null ? 0 : senderIsLow ? conversation.LowUnansweredInMail : conversation.HighUnansweredInMail,
                ReinviteBlockedUntil = withdrawn.TryGetValue(r, out var at) ? InvitationRules.ReinviteBlockedUntil(policy, at) : null,
            };
        }

        return result;
    }

    // The facts that come from the two members themselves; the caller adds those of the pair.
    private DecisionFacts Facts(Member sender, Member recipient, MessageKind kind, string? givenEmail, DateTimeOffset now, int attemptsLeft, int invitationsLeft) => new()
    {
        Sender = new Party(policy.FindTier(sender.TierId) ?? policy.DefaultTier, sender.Status, sender.RestrictedUntil),
        Recipient = new Party(policy.FindTier(recipient.TierId) ?? policy.DefaultTier, recipient.Status, recipient.RestrictedUntil),
        Settings = recipient.Settings,
        Now = now,
        Kind = kind,
        SameMember = sender.Id == recipient.Id,
        Email = EmailEvidence(givenEmail, recipient, attemptsLeft),
        CreditBalance = sender.CreditBalance,
        InvitationsLeft = invitationsLeft,
        EmailAttemptsLeft = attemptsLeft,
    };

    // Once the day's wrong-email attempts are used up, an email is not checked at all, so guessing cannot go on.
    private static GivenEmail EmailEvidence(string? givenEmail, Member recipient, int attemptsLeft)
    {
        if (string.IsNullOrWhiteSpace(givenEmail) || attemptsLeft <= 0)
        {
            return GivenEmail.None;
        }

        return MemberRules.NormalizeEmail(givenEmail) == MemberRules.NormalizeEmail(recipient.Email ?? string.Empty)
            ? GivenEmail.Matches
            : GivenEmail.DoesNotMatch;
    }
}
