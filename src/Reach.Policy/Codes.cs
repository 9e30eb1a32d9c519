namespace Reach.Policy;

/// <summary>The stable wire codes of SPEC §11 for reasons, remedies, channels and tiers' settings.</summary>
public static class Codes
{
    /// <summary>The reason code, e.g. <c>monthly_limit_reached</c>.</summary>
    public static string Code(this Reason reason) => reason switch
    {
        Reason.Unavailable => "unavailable",
        Reason.SenderSuspended => "sender_suspended",
        Reason.SenderRestricted => "sender_restricted",
        Reason.ConnectionsOnly => "connections_only",
        Reason.KnownContactsOnly => "known_contacts_only",
        Reason.PremiumRequired => "premium_required",
        Reason.MonthlyLimitReached => "monthly_limit_reached",
        Reason.AwaitingReply => "awaiting_reply",
        Reason.InMailNotAccepted => "inmail_not_accepted",
        Reason.InMailRequiresPremium => "inmail_requires_premium",
        Reason.InsufficientCredits => "insufficient_credits",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The remedy code, e.g. <c>send_invitation</c>.</summary>
    public static string Code(this Remedy remedy) => remedy switch
    {
        Remedy.SendInvitation => "send_invitation",
        Remedy.InvitationPending => "invitation_pending",
        Remedy.ProvideEmail => "provide_email",
        Remedy.UseInMail => "use_inmail",
        Remedy.Upgrade => "upgrade",
        Remedy.WaitUntil => "wait_until",
        Remedy.MentionInPost => "mention_in_post",
        Remedy.Bookmark => "bookmark",
        _ => throw new ArgumentOutOfRangeException(nameof(remedy), remedy, null),
    };

    /// <summary>The channel code, e.g. <c>knownContact</c>; <see langword="null"/> for <see cref="Channel.None"/>.</summary>
    public static string? Code(this Channel channel) => channel switch
    {
        Channel.None => null,
        Channel.Connection => "connection",
        Channel.Conversation => "conversation",
        Channel.Open => "open",
        Channel.KnownContact => "knownContact",
        Channel.OpenProfile => "openProfile",
        Channel.InMail => "inMail",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    /// <summary>The <c>whoCanMessage</c> value, e.g. <c>knownContacts</c>.</summary>
    public static string Code(this WhoCanMessage value) => value switch
    {
        WhoCanMessage.Anyone => "anyone",
        WhoCanMessage.Connections => "connections",
        WhoCanMessage.KnownContacts => "knownContacts",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The account status value, e.g. <c>restricted</c>.</summary>
    public static string Code(this AccountStatus status) => status switch
    {
        AccountStatus.Active => "active",
        AccountStatus.Restricted => "restricted",
        AccountStatus.Suspended => "suspended",
        AccountStatus.Deactivated => "deactivated",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The <c>whoCanMessage</c> value with this code, or <see langword="null"/>.</summary>
    public static WhoCanMessage? ParseWhoCanMessage(string code) => code switch
    {
        "anyone" => WhoCanMessage.Anyone,
        "connections" => WhoCanMessage.Connections,
        "knownContacts" => WhoCanMessage.KnownContacts,
        _ => null,
    };

    /// <summary>The account status with this code, or <see langword="null"/>.</summary>
    public static AccountStatus? ParseStatus(string code) => code switch
    {
        "active" => AccountStatus.Active,
        "restricted" => AccountStatus.Restricted,
        "suspended" => AccountStatus.Suspended,
        "deactivated" => AccountStatus.Deactivated,
        _ => null,
    };
}
