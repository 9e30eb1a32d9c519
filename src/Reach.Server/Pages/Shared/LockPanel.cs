using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Shared;

/// <summary>
/// What the lock notice needs: who, the sender's view of the decision, and the plans a remedy names; and the email the
/// sender gave, if any, so that a wrong one is said (only that it does not match: never which address would).
/// </summary>
public sealed record LockPanel(Member Recipient, DecisionJson Decision, bool Bookmarked, ReachPolicy Policy, string? GivenEmail = null)
{
    /// <summary>An email was given and the recipient still takes known contacts only: it did not match, or was not checked.</summary>
    public bool EmailRefused => !string.IsNullOrWhiteSpace(GivenEmail) && Decision.Reasons.Contains("known_contacts_only");

    public string FirstName => Recipient.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? Recipient.Handle;

    public RemedyJson? Remedy(string code) => Decision.Remedies.FirstOrDefault(r => r.Code == code);
}
