using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;
using Reach.Posts;

namespace Reach.Members;

/// <summary>Reads a member's public signals and scores their receptiveness (SPEC §4) with the policy's weights.</summary>
public sealed class Hints(ReachDb db, ReachPolicy policy, PostService posts)
{
    public async Task<Receptiveness> ForAsync(Member member, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(member);
        var connections = await db.Connections.CountAsync(c => c.MemberId == member.Id, cancel);
        var engagement = await posts.EngagementAsync(member.Id, cancel);
        return Receptiveness.Of(policy, Facts(member, connections, engagement));
    }

    public ReceptivenessFacts Facts(Member member, int connections, double? engagement)
    {
        ArgumentNullException.ThrowIfNull(member);
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return new ReceptivenessFacts(
            tier.PremiumBadge, !string.IsNullOrEmpty(member.PhotoUrl), !string.IsNullOrEmpty(member.Headline), engagement, connections, member.OpenToWork);
    }
}
