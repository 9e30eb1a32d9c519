using Reach.Bookmarks;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Bookmarks;

/// <summary>Bookmarked members with each one's current decision for me (SPEC §4).</summary>
public sealed class BookmarksModel(BookmarkService bookmarks, ReachPolicy policy) : MemberPage
{
    public IReadOnlyList<(Member Member, DecisionJson Decision)> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel) =>
        Items = [.. (await bookmarks.ListWithDecisionsAsync(Me, cancel)).Select(b => (b.Member, DecisionJson.From(b.Decision, policy)))];
}
