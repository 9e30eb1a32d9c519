namespace Reach.Notifications;

/// <summary>Something that happened to a member (SPEC §9), stored until they read it.</summary>
public sealed class Notification
{
    public long Id { get; set; }

    public long MemberId { get; set; }

    /// <summary>One of <see cref="NotificationKinds"/>.</summary>
    public required string Kind { get; set; }

    public DateTimeOffset At { get; set; }

    public bool Read { get; set; }

    /// <summary>The member who caused it, when there is one to name.</summary>
    public long? ActorId { get; set; }

    public required string Text { get; set; }

    /// <summary>Where the member goes to act on it: a page path such as <c>/messages/12</c>.</summary>
    public string? Link { get; set; }
}

/// <summary>The <c>kind</c> values of SPEC §9.</summary>
public static class NotificationKinds
{
    public const string Message = "message";
    public const string MessageRequest = "message_request";
    public const string Invitation = "invitation";
    public const string InvitationAccepted = "invitation_accepted";
    public const string Mention = "mention";
    public const string Reachable = "reachable";
    public const string CreditReturned = "credit_returned";
    public const string CreditsGranted = "credits_granted";
    public const string CreditsExpiring = "credits_expiring";
    public const string Restricted = "restricted";
}
