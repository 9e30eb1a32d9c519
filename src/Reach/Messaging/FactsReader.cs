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
    /// <summary>
    /// The facts of one sender and one recipient in one statement (a send and a pre-flight run it; each fact is a
    /// scalar subquery through its index).
    /// </summary>
    public async Task<DecisionFacts> ReadAsync(
        Member sender, Member recipient, MessageKind kind, string? givenEmail, DateTimeOffset now, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipient);
        var (s, r) = (sender.Id, recipient.Id);
        var (low, high) = s < r ? (s, r) : (r, s);
        var period = policy.Periods.Containing(now).Key;
        var windowStart = InvitationRules.WindowStart(policy, now);
        var day = Day(now);
        var senderEmail = MemberRules.NormalizeEmail(sender.Email ?? string.Empty);
        var knownContacts = recipient.WhoCanMessage == WhoCanMessage.KnownContacts;
        var pair = await db.Members.AsNoTracking().Where(m => m.Id == s).Select(m => new PairRow
        {
            Blocked = db.Blocks.Any(b => (b.BlockerId == s && b.BlockedId == r) || (b.BlockerId == r && b.BlockedId == s)),
            Connected = db.Connections.Any(c => c.MemberId == s && c.OtherId == r),
            LowHasWritten = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => (bool?)c.LowHasWritten).FirstOrDefault(),
            HighHasWritten = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => (bool?)c.HighHasWritten).FirstOrDefault(),
            LowUnansweredCold = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => c.LowUnansweredCold).FirstOrDefault(),
            HighUnansweredCold = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => c.HighUnansweredCold).FirstOrDefault(),
            LowUnansweredInMail = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => c.LowUnansweredInMail).FirstOrDefault(),
            HighUnansweredInMail = db.Conversations.Where(c => c.LowId == low && c.HighId == high).Select(c => c.HighUnansweredInMail).FirstOrDefault(),
            PendingSentAt = db.Invitations
                .Where(i => i.FromId == s && i.ToId == r && i.State == Invitations.InvitationState.Pending)
                .OrderBy(i => i.Id).Select(i => (DateTimeOffset?)i.SentAt).FirstOrDefault(),
            WithdrawnAt = db.Invitations
                .Where(i => i.FromId == s && i.ToId == r && i.State == Invitations.InvitationState.Withdrawn && i.RespondedAt != null)
                .OrderByDescending(i => i.RespondedAt).Select(i => i.RespondedAt).FirstOrDefault(),
            SentThisWeek = db.Invitations.Count(i => i.FromId == s && i.SentAt > windowStart),
            InAddressBook = knownContacts && db.AddressBook.Any(e => e.OwnerId == r && e.Email == senderEmail),
            Received = db.ReceiveCounters.Where(c => c.MemberId == r && c.PeriodKey == period).Select(c => c.Used).FirstOrDefault(),
            WrongEmails = db.EmailAttempts.Where(a => a.SenderId == s && a.Day == day).Select(a => a.Count).FirstOrDefault(),
        }).FirstAsync(cancel);

        var senderIsLow = s == low;
        var attemptsLeft = Math.Max(0, policy.WrongEmailAttemptsPerDay - pair.WrongEmails);
        return Facts(sender, recipient, kind, givenEmail, now, attemptsLeft, InvitationRules.InvitationsLeft(policy, pair.SentThisWeek)) with
        {
            Blocked = pair.Blocked,
            Connected = pair.Connected,
            OpenConversation = (senderIsLow ? pair.HighHasWritten : pair.LowHasWritten) == true,
            PendingInvitationSentAt = pair.PendingSentAt,
            InAddressBook = pair.InAddressBook,
            ColdMessagesReceived = pair.Received,
            UnansweredColdMessages = senderIsLow ? pair.LowUnansweredCold : pair.HighUnansweredCold,
            UnansweredInMails = senderIsLow ? pair.LowUnansweredInMail : pair.HighUnansweredInMail,
            ReinviteBlockedUntil = pair.WithdrawnAt is { } at ? InvitationRules.ReinviteBlockedUntil(policy, at) : null,
        };
    }

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

    private sealed class PairRow
    {
        public bool Blocked { get; init; }

        public bool Connected { get; init; }

        public bool? LowHasWritten { get; init; }

        public bool? HighHasWritten { get; init; }

        public int LowUnansweredCold { get; init; }

        public int HighUnansweredCold { get; init; }

        public int LowUnansweredInMail { get; init; }

        public int HighUnansweredInMail { get; init; }

        public DateTimeOffset? PendingSentAt { get; init; }

        public DateTimeOffset? WithdrawnAt { get; init; }

        public int SentThisWeek { get; init; }

        public bool InAddressBook { get; init; }

        public int Received { get; init; }

        public int WrongEmails { get; init; }
    }
}
