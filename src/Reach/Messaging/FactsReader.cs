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
        Member sender, Member recipient, MessageKind kind, string? givenEmail, DateTimeOffset now, CancellationToken cancel)
    {
        var (s, r) = (sender.Id, recipient.Id);
        var (low, high) = s < r ? (s, r) : (r, s);
        var period = policy.Periods.Containing(now);
        var windowStart = InvitationRules.WindowStart(policy, now);
        var day = Day(now);

        var blocked = await db.Blocks.AnyAsync(b => (b.BlockerId == s && b.BlockedId == r) || (b.BlockerId == r && b.BlockedId == s), cancel);
        var connected = await db.Connections.AnyAsync(c => c.MemberId == s && c.OtherId == r, cancel);
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.LowId == low && c.HighId == high, cancel);
        var pendingSentAt = await db.Invitations
            .Where(i => i.FromId == s && i.ToId == r && i.State == Invitations.InvitationState.Pending)
            .Select(i => (DateTimeOffset?)i.SentAt)
            .FirstOrDefaultAsync(cancel);
        var lastWithdrawn = await db.Invitations
            .Where(i => i.FromId == s && i.ToId == r && i.State == Invitations.InvitationState.Withdrawn)
            .OrderByDescending(i => i.RespondedAt)
            .Select(i => i.RespondedAt)
            .FirstOrDefaultAsync(cancel);
        var sentThisWeek = await db.Invitations.CountAsync(i => i.FromId == s && i.SentAt > windowStart, cancel);
        var senderEmail = MemberRules.NormalizeEmail(sender.Email ?? string.Empty);
        var inAddressBook = recipient.WhoCanMessage == WhoCanMessage.KnownContacts
            && await db.AddressBook.AnyAsync(e => e.OwnerId == r && e.Email == senderEmail, cancel);
        var received = await db.ReceiveCounters
            .Where(c => c.MemberId == r && c.PeriodKey == period.Key)
            .Select(c => c.Used)
            .FirstOrDefaultAsync(cancel);
        var wrongEmails = await db.EmailAttempts
            .Where(a => a.SenderId == s && a.Day == day)
            .Select(a => a.Count)
            .FirstOrDefaultAsync(cancel);
        var attemptsLeft = Math.Max(0, policy.WrongEmailAttemptsPerDay - wrongEmails);

        return new DecisionFacts
        {
            Sender = new Party(policy.FindTier(sender.TierId) ?? policy.DefaultTier, sender.Status, sender.RestrictedUntil),
            Recipient = new Party(policy.FindTier(recipient.TierId) ?? policy.DefaultTier, recipient.Status, recipient.RestrictedUntil),
            Settings = recipient.Settings,
            Now = now,
            Kind = kind,
            SameMember = s == r,
            Blocked = blocked,
            Connected = connected,
            OpenConversation = conversation is not null && conversation.HasWritten(r),
            PendingInvitationSentAt = pendingSentAt,
            Email = EmailEvidence(givenEmail, recipient, attemptsLeft),
            InAddressBook = inAddressBook,
            ColdMessagesReceived = received,
            UnansweredColdMessages = conversation is null ? 0 : s == low ? conversation.LowUnansweredCold : conversation.HighUnansweredCold,
            UnansweredInMails = conversation is null ? 0 : s == low ? conversation.LowUnansweredInMail : conversation.HighUnansweredInMail,
            CreditBalance = sender.CreditBalance,
            InvitationsLeft = InvitationRules.InvitationsLeft(policy, sentThisWeek),
            ReinviteBlockedUntil = lastWithdrawn is { } withdrawn ? InvitationRules.ReinviteBlockedUntil(policy, withdrawn) : null,
            EmailAttemptsLeft = attemptsLeft,
        };
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
