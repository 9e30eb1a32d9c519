using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

/// <summary>Reads a member's public signals and scores their receptiveness (SPEC §4) with the policy's weights.</summary>
public sealed class Hints(ReachDb db, ReachPolicy policy, TimeProvider clock)
{
    /// <summary>The window of the engagement signal (SPEC §4).</summary>
    public static readonly TimeSpan EngagementWindow = TimeSpan.FromDays(90);

    public Task<Receptiveness> ForAsync(Member member, CancellationToken cancel) => ForAsync(db, member, cancel);

    /// <summary>The member's receptiveness, its signals read from <paramref name="source"/> (a standby's: <see cref="StaleReads"/>).</summary>
    public async Task<Receptiveness> ForAsync(ReachDb source, Member member, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(member);
        var engagement = await EngagementAsync(source, member.Id, cancel);
        return Receptiveness.Of(policy, Facts(member, member.ConnectionCount, engagement));
    }

    /// <summary>Stores the member's current score, which search sorts and filters on.</summary>
    public async Task RefreshAsync(long memberId, CancellationToken cancel)
    {
        var member = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memberId, cancel);
        if (member is not null)
        {
            var score = (await ForAsync(member, cancel)).Score;
            await db.InTransactionAsync(async c =>
            {
                await db.Members.Where(m => m.Id == memberId && m.Receptiveness != score).ExecuteUpdateAsync(set => set.SetProperty(m => m.Receptiveness, score), c);
                return await db.MemberWords.Where(w => w.MemberId == memberId && w.Receptiveness != score).ExecuteUpdateAsync(set => set.SetProperty(w => w.Receptiveness, score), c);
            }, cancel);
        }
    }

    /// <summary>
    /// The engagement signal: of the comments others wrote on the member's own posts in the last 90 days, the share the
    /// member answered; null when nobody commented.
    /// </summary>
    public Task<double?> EngagementAsync(long memberId, CancellationToken cancel) => EngagementAsync(db, memberId, cancel);

    private async Task<double?> EngagementAsync(ReachDb source, long memberId, CancellationToken cancel)
    {
        var since = clock.GetUtcNow() - EngagementWindow;
        var received = source.Comments.Where(c => c.AuthorId != memberId && c.CreatedAt >= since && source.Posts.Any(p => p.Id == c.PostId && p.AuthorId == memberId));
        var total = await received.CountAsync(cancel);
        if (total == 0)
        {
            return null;
        }

        var answered = await received.CountAsync(c => source.Comments.Any(a => a.ReplyToId == c.Id && a.AuthorId == memberId), cancel);
        return (double)answered / total;
    }

    public ReceptivenessFacts Facts(Member member, int connections, double? engagement)
    {
        ArgumentNullException.ThrowIfNull(member);
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return new ReceptivenessFacts(
            tier.PremiumBadge, !string.IsNullOrEmpty(member.PhotoUrl), !string.IsNullOrEmpty(member.Headline), engagement, connections, member.OpenToWork);
    }
}
