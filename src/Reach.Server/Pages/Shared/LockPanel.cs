using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Shared;

/// <summary>
/// What the lock notice needs: who, the sender's view of the decision, and the plans a remedy names; and the email the
/// sender gave, if any, so that a wrong one is said (only that it does not match: never which address would). A notice
/// is of a message or, with <see cref="InMail"/>, of an InMail; a page may show both, the InMail's <see cref="Beside"/> the
/// message's.
/// </summary>
public sealed record LockPanel(Member Recipient, DecisionJson Decision, bool Bookmarked, ReachPolicy Policy, string? GivenEmail = null, bool InMail = false, DecisionJson? Beside = null)
{
    /// <summary>
    /// The InMail decision worth showing beside a locked message: when it is locked too, for a reason of its own that the
    /// sender can do something about (a plan without InMail is said by the message's remedies already).
    /// </summary>
    public static bool Adds(DecisionJson message, DecisionJson inMail)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(inMail);
        return !message.Allowed && !inMail.Allowed && !inMail.Reasons.Contains("inmail_requires_premium")
            && inMail.Reasons.Except(message.Reasons).Any();
    }

    /// <summary>The remedies to show: beside a message's notice, an InMail's shows only those the message's does not.</summary>
    public IReadOnlyList<RemedyJson> Remedies => Beside is { } message
        ? [.. Decision.Remedies.Where(remedy => message.Remedies.All(shown => shown.Code != remedy.Code))]
        : Decision.Remedies;

    /// <summary>What the notice's element ids start with, so that two notices on a page keep theirs apart.</summary>
    public string Ids => InMail ? "inmail-" : string.Empty;

    public string Title => InMail ? "InMail locked" : "Message locked";

    /// <summary>An email was given and the recipient still takes known contacts only: it did not match, or was not checked.</summary>
    public bool EmailRefused => !string.IsNullOrWhiteSpace(GivenEmail) && Decision.Reasons.Contains("known_contacts_only");

    public string FirstName => Recipient.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? Recipient.Handle;

    public RemedyJson? Remedy(string code) => Decision.Remedies.FirstOrDefault(r => r.Code == code);
}
