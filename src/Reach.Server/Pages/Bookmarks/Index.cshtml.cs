using Reach.Bookmarks;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Bookmarks;

/// <summary>Bookmarked members with each one's current decision for me (SPEC §4).</summary>
public sealed class BookmarksModel(BookmarkService bookmarks, MessagingService messaging, ReachPolicy policy) : MemberPage
{
    public IReadOnlyList<(Member Member, DecisionJson Decision)> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        var items = new List<(Member, DecisionJson)>();
        foreach (var member in await bookmarks.ListAsync(Me, cancel))
        {
            var preflight = await messaging.PreflightAsync(Me, member.Handle, inMail: false, recipientEmail: null, cancel);
            if (preflight.Value is { } result)
            {
                items.Add((member, DecisionJson.From(result.Decision, policy)));
            }
        }

        Items = items;
    }
}
