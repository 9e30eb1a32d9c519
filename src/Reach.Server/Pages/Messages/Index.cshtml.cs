using Microsoft.AspNetCore.Mvc;
using Reach.Messaging;

namespace Reach.Server.Pages.Messages;

/// <summary>Inbox, Requests and Sent (SPEC §3).</summary>
public sealed class MessagesModel(ConversationService conversations) : MemberPage
{
    [BindProperty(SupportsGet = true)]
    public string Folder { get; set; } = "inbox";

    public IReadOnlyList<ConversationSummary> Conversations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        if (!ConversationService.Folders.Contains(Folder))
        {
            Folder = "inbox";
        }

        Conversations = await conversations.ListAsync(Me, Folder, 0, cancel);
    }
}
