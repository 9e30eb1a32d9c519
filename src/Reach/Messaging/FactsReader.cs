using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// Gathers the <see cref="DecisionFacts"/> for a sender and a recipient from the database. Pre-flight and send both
/// read facts here and decide with <see cref="MessageRules.Decide"/>, so they never disagree.
/// </summary>
public sealed class FactsReader(ReachDb db, ReachPolicy policy)
{
    public async Task<DecisionFacts> ReadAsync(
        Member sender, Member recipient, MessageKind kind, string? givenEmail, DateTimeOffset now, CancellationToken cancel) =>
        (await ReadManyAsync(sender, [recipient], kind, givenEmail, now, cancel))[0];

    /// <summary>
    /// The facts of one sender with many recipients (search's "I can message now"): one query per kind of fact for
    /// all of them, so that a page of results costs what one decision does.
    /// </summary>
    public async Task<DecisionFacts[]> ReadManyAsync(
        Member sender, IReadOnlyList<Member> recipients, MessageKind kind, string? givenEmail, DateTimeOffset now, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipients);
        var s = sender.Id;
        var ids = recipients.Select(r => r.Id).ToList();
        var period = policy.Periods.Containing(now);
        var windowStart = InvitationRules.WindowStart(policy, now);
        var day = Day(now);

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
        var senderParty = new Party(policy.FindTier(sender.TierId) ?? policy.DefaultTier, sender.Status, sender.RestrictedUntil);
        var invitationsLeft = InvitationRules.InvitationsLeft(policy, sentThisWeek);

        var result = new DecisionFacts[recipients.Count];
        for (var i = 0; i < recipients.Count; i++)
        {
            var recipient = recipients[i];
            var r = recipient.Id;
            var conversation = conversations.GetValueOrDefault(r);
            var senderIsLow = s < r;
            result[i] = new DecisionFacts
            {
                Sender = senderParty,
                Recipient = new Party(policy.FindTier(recipient.TierId) ?? policy.DefaultTier, recipient.Status, recipient.RestrictedUntil),
                Settings = recipient.Settings,
                Now = now,
                Kind = kind,
                SameMember = s == r,
                Blocked = blocked.Contains(r),
                Connected = connected.Contains(r),
                OpenConversation = conversation is not null && conversation.HasWritten(r),
                PendingInvitationSentAt = pending.TryGetValue(r, out var sentAt) ? sentAt : null,
                Email = EmailEvidence(givenEmail, recipient, attemptsLeft),
                InAddressBook = inAddressBook.Contains(r),
                ColdMessagesReceived = received.GetValueOrDefault(r),
                UnansweredColdMessages = conversation is null ? 0 : senderIsLow ? conversation.LowUnansweredCold : conversation.HighUnansweredCold,
                UnansweredInMails = conversation is null ? 0 : senderIsLow ? conversation.LowUnansweredInMail : conversation.HighUnansweredInMail,
                CreditBalance = sender.CreditBalance,
                InvitationsLeft = invitationsLeft,
                ReinviteBlockedUntil = withdrawn.TryGetValue(r, out var at) ? InvitationRules.ReinviteBlockedUntil(policy, at) : null,
                EmailAttemptsLeft = attemptsLeft,
            };
        }

        return result;
    }

    /// <summary>The UTC day key of the wrong-email limit.</summary>
    public static string Day(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

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
