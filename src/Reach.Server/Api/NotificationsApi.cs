using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reach.Notifications;
using Reach.Policy;
using Reach.Server.Web;

namespace Reach.Server.Api;

public sealed record NotificationJson(long Id, string Kind, DateTimeOffset At, bool Read, string? ActorHandle, string Text, string? Link)
{
    public static NotificationJson From(NotificationView n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new(n.Id, n.Kind, n.At, n.Read, n.ActorHandle, n.Text, n.Link);
    }
}

public sealed record NotificationListJson(IReadOnlyList<NotificationJson> Items, int UnreadCount, string? Next = null);

public sealed record MarkReadRequest(IReadOnlyList<long>? Ids);

public sealed record MarkReadJson(int Marked, int UnreadCount);

/// <summary>What a live page is told: the unread count, and the newest notification to show.</summary>
/// <summary>What the live stream says at each wake-up: unread notifications, the latest, and conversations with unread messages.</summary>
public sealed record LiveJson(int UnreadCount, NotificationJson? Latest, int UnreadConversations);

/// <summary>A member's notifications (SPEC §9): list, unread count, mark read, and the live stream pages listen to.</summary>
public static class NotificationsApi
{
    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me/notifications").WithTags("Notifications");

        group.MapGet("/", async Task<Results<Ok<NotificationListJson>, ProblemHttpResult>> (
            ClaimsPrincipal user, NotificationService notifications, ReachPolicy policy,
            [FromQuery] bool? unread, [FromQuery] string? next, CancellationToken cancel) =>
        {
            long? before = null;
            if (next is not null)
            {
                if (!long.TryParse(next, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor))
                {
                    return Problems.Invalid("next", "next must be the cursor of a previous page.", policy);
                }

                before = cursor;
            }

            var me = user.MemberId();
            var items = await notifications.ListAsync(me, unread == true, before, cancel);
            var count = await notifications.UnreadCountAsync(me, cancel);
            var more = items.Count == NotificationService.PageSize ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return TypedResults.Ok(new NotificationListJson([.. items.Select(NotificationJson.From)], count, more));
        }).RequireAuthorization()
            .Describe("listNotifications", "List notifications", "The caller's notifications, newest first, with how many are unread.");

        group.MapPost("/read", async Task<Results<Ok<MarkReadJson>, ProblemHttpResult>> (
            ClaimsPrincipal user, NotificationService notifications, ReachPolicy policy, [FromBody] MarkReadRequest? request, CancellationToken cancel) =>
        {
            if (request?.Ids is { Count: > 1000 })
            {
                return Problems.Invalid("ids", "ids may name at most 1000 notifications.", policy);
            }

            var me = user.MemberId();
            var marked = await notifications.MarkReadAsync(me, request?.Ids, cancel);
            return TypedResults.Ok(new MarkReadJson(marked, await notifications.UnreadCountAsync(me, cancel)));
        }).RequireAuthorization()
            .Describe("markNotificationsRead", "Mark notifications read", "Marks read every notification up to an id.");

        // Pages listen with their cookie, API clients with their token; the stream only reads.
        // A stream ends when its client leaves or when the server stops, so that shutting down never waits on it.
        group.MapGet("/stream", (ClaimsPrincipal user, IServiceScopeFactory scopes, LiveNotifications live, IHostApplicationLifetime lifetime, CancellationToken cancel) =>
            TypedResults.ServerSentEvents(Stream(user.MemberId(), scopes, live, lifetime, cancel), eventType: "notifications"))
            .RequireAuthorization(WebAuth.MemberAnyScheme)
            .Describe("streamNotifications", "Live notifications", "Server-sent events: each new notification as it happens.")
            .DisableRequestTimeout();
    }

    // The current state first, then again after every wake-up, until the client goes away.
    private static async IAsyncEnumerable<LiveJson> Stream(
        long memberId, IServiceScopeFactory scopes, LiveNotifications live, IHostApplicationLifetime lifetime, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var cancel = ends.Token;
        using var subscription = live.Subscribe(memberId);
        while (!cancel.IsCancellationRequested)
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var notifications = scope.ServiceProvider.GetRequiredService<NotificationService>();
                var latest = await notifications.ListAsync(memberId, unreadOnly: true, before: null, cancel);
                var count = await notifications.UnreadCountAsync(memberId, cancel);
                var conversations = await scope.ServiceProvider.GetRequiredService<Reach.Messaging.ConversationService>().UnreadConversationsAsync(memberId, cancel);
                yield return new LiveJson(count, latest.Count > 0 ? NotificationJson.From(latest[0]) : null, conversations);
            }

            try
            {
                await subscription.WaitAsync(cancel);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
