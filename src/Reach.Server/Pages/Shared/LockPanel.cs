using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Shared;

/// <summary>What the lock notice needs: who, the sender's view of the decision, and the plans a remedy names.</summary>
public sealed record LockPanel(Member Recipient, DecisionJson Decision, bool Bookmarked, ReachPolicy Policy)
{
    public string FirstName => Recipient.DisplayName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? Recipient.Handle;

    public RemedyJson? Remedy(string code) => Decision.Remedies.FirstOrDefault(r => r.Code == code);
}
