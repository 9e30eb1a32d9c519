using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

/// <summary>Finding members by handle: one rule for every use case.</summary>
public static class MemberLookup
{
    /// <summary>
    /// The member with this handle (any case, an optional leading @) who is not deactivated, untracked; null when there
    /// is none. A string that cannot be a handle is answered without asking the database.
    /// </summary>
    public static Task<Member?> FindByHandleAsync(this ReachDb db, string? handle, CancellationToken cancel) =>
        db.FindByHandleAsync(handle, tracked: false, cancel);

    public static async Task<Member?> FindByHandleAsync(this ReachDb db, string? handle, bool tracked, CancellationToken cancel)
    {
        var normalized = MemberRules.NormalizeHandle(handle ?? string.Empty);
        if (!MemberRules.IsValidHandle(normalized))
        {
            return null;
        }

        var members = tracked ? db.Members : db.Members.AsNoTracking();
        return await members.FirstOrDefaultAsync(m => m.Handle == normalized && m.Status != AccountStatus.Deactivated, cancel);
    }
}
