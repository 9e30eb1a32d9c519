namespace Reach.Policy;

/// <summary>Why an invitation cannot be sent (SPEC §2.4).</summary>
public enum InvitationRefusal
{
    /// <summary>A block either way, or a recipient who cannot be reached; shown as <c>unavailable</c>.</summary>
    Unavailable,

    /// <summary>The sender is suspended.</summary>
    SenderSuspended,

    /// <summary>The sender is restricted: no invitations until the restriction ends.</summary>
    SenderRestricted,

    /// <summary>The two are connected already.</summary>
    AlreadyConnected,

    /// <summary>The sender's invitation to this member is still pending.</summary>
    AlreadyPending,

    /// <summary>The sender withdrew an invitation to this member less than the re-invite block ago.</summary>
    ReinviteBlocked,

    /// <summary>The sender has used the rolling weekly limit.</summary>
    WeeklyLimitReached,

    /// <summary>The note is longer than the policy allows.</summary>
    NoteTooLong,
}

/// <summary>What happens to an invitation that may be sent.</summary>
public enum InvitationAction
{
    /// <summary>The invitation is refused; see <see cref="InvitationDecision.Refusal"/>.</summary>
    Refused,

    /// <summary>A new pending invitation.</summary>
    Send,

    /// <summary>The recipient's invitation to the sender is waiting: it is accepted instead, and they are connected.</summary>
    AcceptCrossing,
}

/// <summary>The facts an invitation decision needs; the weekly count comes from storage.</summary>
public readonly record struct InvitationFacts
{
    /// <summary>The sender.</summary>
    public required Party Sender { get; init; }

    /// <summary>The recipient.</summary>
    public required Party Recipient { get; init; }

    /// <summary>The time of the decision.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Either has blocked the other.</summary>
    public bool Blocked { get; init; }

    /// <summary>They are connected already.</summary>
    public bool Connected { get; init; }

    /// <summary>The sender's invitation to the recipient is pending.</summary>
    public bool PendingFromSender { get; init; }

    /// <summary>The recipient's invitation to the sender is pending.</summary>
    public bool PendingFromRecipient { get; init; }

    /// <summary>Invitations the sender sent since <see cref="InvitationRules.WindowStart"/>.</summary>
    public int SentInWindow { get; init; }

    /// <summary>When the sender last withdrew an invitation to the recipient, if ever.</summary>
    public DateTimeOffset? LastWithdrawnAt { get; init; }

    /// <summary>The note's length in characters (0 without a note).</summary>
    public int NoteLength { get; init; }
}

/// <summary>The outcome of <see cref="InvitationRules.Decide"/>.</summary>
/// <param name="Action">Send, accept the crossing invitation, or refused.</param>
/// <param name="Refusal">Why it was refused, with <see cref="InvitationAction.Refused"/>.</param>
/// <param name="Until">When the refusal ends, for a re-invite block or the weekly limit's oldest send (when known).</param>
public readonly record struct InvitationDecision(InvitationAction Action, InvitationRefusal? Refusal = null, DateTimeOffset? Until = null);

/// <summary>The invitation rules of SPEC §2.4 that need no storage.</summary>
public static class InvitationRules
{
    /// <summary>The start of the rolling window whose sends count against the weekly limit.</summary>
    public static DateTimeOffset WindowStart(ReachPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return now.AddDays(-policy.InvitationWindowDays);
    }

    /// <summary>Invitations left in the rolling window after <paramref name="sentInWindow"/>.</summary>
    public static int InvitationsLeft(ReachPolicy policy, int sentInWindow)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Math.Max(0, policy.InvitationWeeklyLimit - sentInWindow);
    }

    /// <summary>Until when the sender may not invite the same member after withdrawing an invitation at <paramref name="withdrawnAt"/>.</summary>
    public static DateTimeOffset ReinviteBlockedUntil(ReachPolicy policy, DateTimeOffset withdrawnAt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return withdrawnAt.AddDays(policy.ReinviteBlockDays);
    }

    /// <summary>Decides an invitation. The first refusal in the order of <see cref="InvitationRefusal"/> wins.</summary>
    public static InvitationDecision Decide(ReachPolicy policy, in InvitationFacts facts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (facts.Blocked || facts.Recipient.Status is AccountStatus.Suspended or AccountStatus.Deactivated)
        {
            return Refuse(InvitationRefusal.Unavailable);
        }

        if (facts.Sender.Status == AccountStatus.Suspended)
        {
            return Refuse(InvitationRefusal.SenderSuspended);
        }

        if (facts.Sender.IsRestrictedAt(facts.Now))
        {
            return Refuse(InvitationRefusal.SenderRestricted, facts.Sender.RestrictedUntil);
        }

        if (facts.Connected)
        {
            return Refuse(InvitationRefusal.AlreadyConnected);
        }

        if (facts.PendingFromSender)
        {
            return Refuse(InvitationRefusal.AlreadyPending);
        }

        if (facts.NoteLength > policy.InvitationNoteMaxLength)
        {
            return Refuse(InvitationRefusal.NoteTooLong);
        }

        if (facts.PendingFromRecipient)
        {
            // Accepting the crossing invitation sends nothing new, so neither the weekly limit nor a re-invite block applies.
            return new InvitationDecision(InvitationAction.AcceptCrossing);
        }

        if (facts.LastWithdrawnAt is { } withdrawnAt && facts.Now < ReinviteBlockedUntil(policy, withdrawnAt))
        {
            return Refuse(InvitationRefusal.ReinviteBlocked, ReinviteBlockedUntil(policy, withdrawnAt));
        }

        if (facts.SentInWindow >= policy.InvitationWeeklyLimit)
        {
            return Refuse(InvitationRefusal.WeeklyLimitReached);
        }

        return new InvitationDecision(InvitationAction.Send);
    }

    private static InvitationDecision Refuse(InvitationRefusal refusal, DateTimeOffset? until = null) =>
        new(InvitationAction.Refused, refusal, until);
}
