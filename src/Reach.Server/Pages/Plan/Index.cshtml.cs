using Microsoft.EntityFrameworkCore;
using Reach.Credits;
using Reach.Data;
using Reach.Policy;

namespace Reach.Server.Pages.Plan;

/// <summary>The member's tier, InMail balance, next grant, credits about to expire, the ledger, and the plans (SPEC §1, §2.2).</summary>
public sealed class PlanModel(CreditService credits, ReachDb db, ReachPolicy policy) : MemberPage
{
    public CreditStatement? Statement { get; private set; }

    public Tier? Tier { get; private set; }

    public ReachPolicy Policy => policy;

    public async Task OnGetAsync(CancellationToken cancel)
    {
        Statement = await credits.StatementAsync(Me, cancel);
        var me = Me;
        var tierId = await db.Members.AsNoTracking().Where(m => m.Id == me).Select(m => m.TierId).FirstAsync(cancel);
        Tier = policy.FindTier(tierId) ?? policy.DefaultTier;
    }
}
