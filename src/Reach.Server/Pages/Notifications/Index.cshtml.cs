using Microsoft.AspNetCore.Mvc;
using Reach.Notifications;

namespace Reach.Server.Pages.Notifications;

/// <summary>The member's notifications, newest first (SPEC §9).</summary>
public sealed class NotificationsModel(NotificationService notifications) : MemberPage
{
    public IReadOnlyList<NotificationView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel) =>
        Items = await notifications.ListAsync(Me, unreadOnly: false, before: null, cancel);

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken cancel)
    {
        await notifications.MarkReadAsync(Me, null, cancel);
        return BackTo("/notifications", "All read.");
    }
}
