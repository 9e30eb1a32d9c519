using Reach.Data;
using Reach.Members;
using Reach.Policy;

namespace Reach.Messaging;

/// <summary>How the recipient of a pair is named: by handle, by id, or as the other member of a conversation.</summary>
public readonly record struct RecipientKey(string? Handle, long Id, bool IsConversation)
{
    public static RecipientKey ByHandle(string handle) => new(handle, 0, false);

    public static RecipientKey ById(long id) => new(null, id, false);

    public static RecipientKey InConversation(long conversationId) => new(null, conversationId, true);
}

/// <summary>
/// One sender and one recipient as a decision needs them, read in one statement (<see cref="MessagingSql.PairByHandle"/>):
/// the two members' rows and every fact between them.
/// </summary>
public sealed class PairFacts
{
    public long RecipientId { get; private init; }

    public required string Handle { get; init; }

    public required string DisplayName { get; init; }

    public string? Headline { get; private init; }

    public string? Company { get; private init; }

    public required string TierId { get; init; }

    public AccountStatus Status { get; private init; }

    public DateTimeOffset? RestrictedUntil { get; private init; }

    public MessagingSettings Settings { get; private init; }

    public string? Email { get; private init; }

    public long SenderId { get; private init; }

    public required string SenderTierId { get; init; }

    public AccountStatus SenderStatus { get; private init; }

    public DateTimeOffset? SenderRestrictedUntil { get; private init; }

    public int CreditBalance { get; set; }

    public string? CreditsGrantedFor { get; private init; }

    public DateTimeOffset? NextCreditExpiry { get; private init; }

    public DateTimeOffset SenderCreatedAt { get; private init; }

    public required string SenderName { get; init; }

    public string? SenderEmail { get; private init; }

    public bool Blocked { get; private init; }

    public bool Connected { get; private init; }

    /// <summary>The pair's conversation, if there is one.</summary>
    public long? ConversationId { get; private init; }

    public bool SenderHasWritten { get; private init; }

    public bool RecipientHasWritten { get; private init; }

    public int UnansweredColdMessages { get; private init; }

    public int UnansweredInMails { get; private init; }

    public long? RequestForId { get; private init; }

    public bool Declined { get; private init; }

    public DateTimeOffset? PendingInvitationSentAt { get; private init; }

    public DateTimeOffset? WithdrawnAt { get; private init; }

    public int InvitationsSentThisWindow { get; private init; }

    public int ColdMessagesReceived { get; private init; }

    /// <summary>The wrong emails the sender gave today; a pre-flight sets it to the count before the attempt it reserved.</summary>
    public int WrongEmailsToday { get; internal set; }

    /// <summary>When the sender last wrote in the conversation (outreach advice).</summary>
    public DateTimeOffset? LastSentAt { get; private init; }

    /// <summary>Either member has bookmarked the other: a change between them is checked again afterwards.</summary>
    public bool Bookmarked { get; private init; }

    /// <summary>The recipient's InMails to the sender still wait for their credit (within the window).</summary>
    public bool RefundDue { get; private init; }

    /// <summary>The sender's account email is in the recipient's address book (read only when <see cref="NeedsAddressBook"/>).</summary>
    public bool InAddressBook { get; set; }

    /// <summary>The sender's answer: the conversation waits in the sender's Requests, or the recipient has written.</summary>
    public bool Answers => RecipientHasWritten || RequestForId == SenderId;

    /// <summary>The statement for <paramref name="key"/> with its parameters set, added to <paramref name="batch"/>.</summary>
    public static void Add(StatementBatch batch, long senderId, RecipientKey key, ReachPolicy policy, DateTimeOffset now, bool forSend)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(policy);
        var statement = key switch
        {
            { IsConversation: true } => MessagingSql.PairByConversation,
            { Handle: not null } => MessagingSql.PairByHandle,
            _ => MessagingSql.PairById,
        };
        var p = batch.Add(statement)
            .Set("s", senderId)
            .Set("windowStart", InvitationRules.WindowStart(policy, now))
            .Set("period", policy.Periods.Containing(now).Key)
            .Set("day", Day(now))
            .Set("creditBackStart", now.AddDays(-policy.CreditBackDays))
            .Set("send", forSend);
        _ = key switch
        {
            { IsConversation: true } => p.Set("conversation", key.Id),
            { Handle: { } handle } => p.Set("handle", handle),
            _ => p.Set("recipient", key.Id),
        };
    }

    /// <summary>The row of the pair statement the reader stands on, or null when it has none.</summary>
    public static async Task<PairFacts?> ReadAsync(BatchReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var i = 0;
        return new PairFacts
        {
            RecipientId = reader.GetInt64(i++),
            Handle = reader.GetString(i++),
            DisplayName = reader.GetString(i++),
            Headline = reader.GetStringOrNull(i++),
            Company = reader.GetStringOrNull(i++),
            TierId = reader.GetString(i++),
            Status = Enum.Parse<AccountStatus>(reader.GetString(i++)),
            RestrictedUntil = reader.GetInstantOrNull(i++),
            Settings = new MessagingSettings(Enum.Parse<WhoCanMessage>(reader.GetString(i++)), reader.GetBoolean(i++), reader.GetBoolean(i++)),
            Email = reader.GetStringOrNull(i++),
            SenderId = reader.GetInt64(i++),
            SenderTierId = reader.GetString(i++),
            SenderStatus = Enum.Parse<AccountStatus>(reader.GetString(i++)),
            SenderRestrictedUntil = reader.GetInstantOrNull(i++),
            CreditBalance = reader.GetInt32(i++),
            CreditsGrantedFor = reader.GetStringOrNull(i++),
            NextCreditExpiry = reader.GetInstantOrNull(i++),
            SenderCreatedAt = reader.GetInstant(i++),
            SenderName = reader.GetString(i++),
            SenderEmail = reader.GetStringOrNull(i++),
            Blocked = reader.GetBoolean(i++),
            Connected = reader.GetBoolean(i++),
            ConversationId = reader.GetInt64OrNull(i++),
            SenderHasWritten = reader.GetBooleanOrFalse(i++),
            RecipientHasWritten = reader.GetBooleanOrFalse(i++),
            UnansweredColdMessages = reader.GetInt32OrZero(i++),
            UnansweredInMails = reader.GetInt32OrZero(i++),
            RequestForId = reader.GetInt64OrNull(i++),
            Declined = reader.GetBooleanOrFalse(i++),
            PendingInvitationSentAt = reader.GetInstantOrNull(i++),
            WithdrawnAt = reader.GetInstantOrNull(i++),
            InvitationsSentThisWindow = (int)reader.GetInt64(i++),
            ColdMessagesReceived = reader.GetInt32OrZero(i++),
            WrongEmailsToday = reader.GetInt32OrZero(i++),
            LastSentAt = reader.GetInstantOrNull(i++),
            Bookmarked = reader.GetBoolean(i++),
            RefundDue = reader.GetBoolean(i),
        };
    }

    /// <summary>
    /// Whether the decision needs the recipient's address book: they take known contacts only, and nothing else
    /// already lets the sender write.
    /// </summary>
    public bool NeedsAddressBook => Settings.WhoCanMessage == WhoCanMessage.KnownContacts && !Connected && !RecipientHasWritten;

    /// <summary>The decision's facts for a message of <paramref name="kind"/>.</summary>
    public DecisionFacts Facts(ReachPolicy policy, MessageKind kind, string? givenEmail, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var attemptsLeft = Math.Max(0, policy.WrongEmailAttemptsPerDay - WrongEmailsToday);
        return new DecisionFacts
        {
            Sender = new Party(policy.FindTier(SenderTierId) ?? policy.DefaultTier, SenderStatus, SenderRestrictedUntil),
            Recipient = new Party(policy.FindTier(TierId) ?? policy.DefaultTier, Status, RestrictedUntil),
            Settings = Settings,
            Now = now,
            Kind = kind,
            SameMember = SenderId == RecipientId,
            Email = EmailEvidence(givenEmail, attemptsLeft),
            CreditBalance = CreditBalance,
            InvitationsLeft = InvitationRules.InvitationsLeft(policy, InvitationsSentThisWindow),
            EmailAttemptsLeft = attemptsLeft,
            Blocked = Blocked,
            Connected = Connected,
            OpenConversation = RecipientHasWritten,
            PendingInvitationSentAt = PendingInvitationSentAt,
            InAddressBook = InAddressBook,
            ColdMessagesReceived = ColdMessagesReceived,
            UnansweredColdMessages = UnansweredColdMessages,
            UnansweredInMails = UnansweredInMails,
            ReinviteBlockedUntil = WithdrawnAt is { } at ? InvitationRules.ReinviteBlockedUntil(policy, at) : null,
        };
    }

    /// <summary>The UTC day key of the wrong-email limit.</summary>
    public static string Day(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    // Once the day's wrong-email attempts are used up, an email is not checked at all, so guessing cannot go on.
    private GivenEmail EmailEvidence(string? givenEmail, int attemptsLeft)
    {
        if (string.IsNullOrWhiteSpace(givenEmail) || attemptsLeft <= 0)
        {
            return GivenEmail.None;
        }

        return MemberRules.NormalizeEmail(givenEmail) == MemberRules.NormalizeEmail(Email ?? string.Empty)
            ? GivenEmail.Matches
            : GivenEmail.DoesNotMatch;
    }
}
