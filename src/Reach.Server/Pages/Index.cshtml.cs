using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages;

/// <summary>The landing page, or for a member the people directory (blocks hide members both ways).</summary>
public sealed class IndexModel(ReachDb db, ReachPolicy policy) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public bool SignedIn { get; private set; }

    public IReadOnlyList<Member> People { get; private set; } = [];

    public ReachPolicy Policy => policy;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1304", Justification = "ToLower inside the query is SQL lower().")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1311", Justification = "ToLower inside the query is SQL lower().")]
    public async Task OnGetAsync(CancellationToken cancel)
    {
        SignedIn = User.Identity?.IsAuthenticated == true;
        if (!SignedIn)
        {
            return;
        }

        var me = User.MemberId();
        var query = db.Members.AsNoTracking().Where(m => m.Id != me && m.Status != AccountStatus.Deactivated)
            .Where(m => !db.Blocks.Any(b => (b.BlockerId == me && b.BlockedId == m.Id) || (b.BlockerId == m.Id && b.BlockedId == me)));
        var q = Q?.Trim();
        if (!string.IsNullOrEmpty(q) && q.Length <= 100)
        {
            var pattern = "%" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).ToLowerInvariant() + "%";
            query = query.Where(m =>
                EF.Functions.Like(m.DisplayName.ToLower(), pattern, "\\")
                || EF.Functions.Like(m.Handle, pattern, "\\")
                || (m.Headline != null && EF.Functions.Like(m.Headline.ToLower(), pattern, "\\"))
                || (m.Company != null && EF.Functions.Like(m.Company.ToLower(), pattern, "\\")));
        }

        People = await query.OrderBy(m => m.DisplayName).Take(60).ToListAsync(cancel);
    }
}
