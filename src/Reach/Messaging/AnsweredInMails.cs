using Microsoft.EntityFrameworkCore;
using Reach.Credits;
using Reach.Data;
using Reach.Notifications;
using Reach.Outbox;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>
/// Credit back (SPEC §2.2): an answer to InMails — a reply, an accept or a decline — returns their credits to their
/// sender, within the window and once each. Runs in the answer's transaction, with the InMail sender's row locked.
/// </summary>
public sealed class AnsweredInMails(ReachDb db, ReachPolicy policy, CreditLedger credits)
{
    /// <summary>Returns the credits of <paramref name="inMailSenderId"/>'s InMails in the conversation that have not come back yet.</summary>
    public async Task ReturnCreditsAsync(long inMailSenderId, long answererId, long conversationId, DateTimeOffset now, CancellationToken cancel)
    {
        var windowStart = now.AddDays(-policy.CreditBackDays);
        var inMails = await db.Messages
            .Where(m => m.ConversationId == conversationId && m.SenderId == inMailSenderId && m.CreditsCharged > 0 && !m.CreditReturned && m.SentAt >= windowStart)
            .ToListAsync(cancel);
        if (inMails.Count == 0)
        {
            return;
        }

        var inMailSender = await db.LockMemberAsync(inMailSenderId, cancel);
        var returned = 0;
        foreach (var inMail in inMails)
        {
            var refund = await credits.RefundAsync(inMailSender!, "m" + inMail.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), inMail.SentAt, now, cancel);
            inMail.CreditReturned = refund.Succeeded;
            returned += refund.Succeeded ? inMail.CreditsCharged : 0;
        }

        if (returned > 0)
        {
            db.Notify(
                inMailSenderId, NotificationKinds.CreditReturned, now,
                $"Your InMail was answered: {returned} {(returned == 1 ? "credit is" : "credits are")} back.", answererId,
                "/messages/" + conversationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            db.Outbox.Add(new OutboxItem { Kind = OutboxKinds.RecheckHeldBy, MemberId = inMailSenderId, At = now });
        }

        await db.SaveChangesAsync(cancel);
    }
}
