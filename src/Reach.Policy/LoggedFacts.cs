namespace Reach.Policy;

/// <summary>
/// The facts a send was decided on, packed into one 64-bit value that the decision log keeps beside the decision, so
/// that a replay (<see cref="PolicyReplay"/>) can decide it again under another policy. It keeps what the reasons depend
/// on — relationship, settings, statuses, counters and balance — and not what only the remedies read (invitations
/// left, wrong-email attempts), since a replay compares outcomes and reasons. Counters are held to their field's width:
/// a recipient's cold messages to 1,048,575 in a period, unanswered messages to 63, a balance to 131,071 credits.
/// </summary>
public static class LoggedFacts
{
    private const int ColdShift = 15;
    private const int UnansweredColdShift = 35;
    private const int UnansweredInMailShift = 41;
    private const int CreditShift = 47;
    private const int MaxCold = (1 << 20) - 1;
    private const int MaxUnanswered = (1 << 6) - 1;
    private const int MaxCredits = (1 << 17) - 1;

    /// <summary>The facts of <paramref name="facts"/> that decide its reasons, packed.</summary>
    public static long Pack(in DecisionFacts facts)
    {
        var restricted = facts.Sender.IsRestrictedAt(facts.Now);
        var senderStatus = facts.Sender.Status == AccountStatus.Restricted && !restricted ? AccountStatus.Active : facts.Sender.Status;
        ulong bits = Flag(facts.Blocked, 0)
            | Flag(facts.Connected, 1)
            | Flag(facts.OpenConversation, 2)
            | Flag(facts.Email == GivenEmail.Matches, 3)
            | Flag(facts.InAddressBook, 4)
            | ((ulong)senderStatus << 5)
            | ((ulong)facts.Recipient.Status << 8)
            | ((ulong)facts.Settings.WhoCanMessage << 10)
            | Flag(facts.Settings.AcceptInMail, 12)
            | Flag(facts.Settings.OpenProfile, 13)
            | Flag(facts.SameMember, 14)
            | ((ulong)Math.Clamp(facts.ColdMessagesReceived, 0, MaxCold) << ColdShift)
            | ((ulong)Math.Clamp(facts.UnansweredColdMessages, 0, MaxUnanswered) << UnansweredColdShift)
            | ((ulong)Math.Clamp(facts.UnansweredInMails, 0, MaxUnanswered) << UnansweredInMailShift)
            | ((ulong)Math.Clamp(facts.CreditBalance, 0, MaxCredits) << CreditShift);
        return (long)bits;
    }

    /// <summary>
    /// The facts packed in <paramref name="packed"/>, with the members in <paramref name="senderTier"/> and
    /// <paramref name="recipientTier"/> (of the policy that decides them) at <paramref name="at"/>. A sender restricted
    /// then is restricted with no end.
    /// </summary>
    public static DecisionFacts Unpack(long packed, Tier senderTier, Tier recipientTier, DateTimeOffset at, MessageKind kind)
    {
        var bits = (ulong)packed;
        var senderStatus = (AccountStatus)((bits >> 5) & 3);
        return new DecisionFacts
        {
            Sender = new Party(senderTier, senderStatus),
            Recipient = new Party(recipientTier, (AccountStatus)((bits >> 8) & 3)),
            Settings = new MessagingSettings((WhoCanMessage)((bits >> 10) & 3), Has(bits, 12), Has(bits, 13)),
            Now = at,
            Kind = kind,
            Blocked = Has(bits, 0),
            Connected = Has(bits, 1),
            OpenConversation = Has(bits, 2),
            Email = Has(bits, 3) ? GivenEmail.Matches : GivenEmail.None,
            InAddressBook = Has(bits, 4),
            SameMember = Has(bits, 14),
            ColdMessagesReceived = (int)((bits >> ColdShift) & MaxCold),
            UnansweredColdMessages = (int)((bits >> UnansweredColdShift) & MaxUnanswered),
            UnansweredInMails = (int)((bits >> UnansweredInMailShift) & MaxUnanswered),
            CreditBalance = (int)((bits >> CreditShift) & MaxCredits),
        };
    }

    private static ulong Flag(bool value, int bit) => value ? 1UL << bit : 0;

    private static bool Has(ulong bits, int bit) => (bits & (1UL << bit)) != 0;
}
