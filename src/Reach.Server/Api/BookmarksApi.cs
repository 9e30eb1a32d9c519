using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Bookmarks;
using Reach.Messaging;
using Reach.Policy;

namespace Reach.Server.Api;

public sealed record BookmarkJson(MemberJson Member, DecisionJson Decision);

/// <summary>Bookmarks (SPEC §4): add, remove, and list with each one's current decision for me.</summary>
public static class BookmarksApi
{
    public static void MapBookmarks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me/bookmarks").WithTags("Bookmarks").RequireAuthorization();

        group.MapGet("/", async Task<Ok<ListJson<BookmarkJson>>> (
            ClaimsPrincipal user, BookmarkService bookmarks, MessagingService messaging, ReachPolicy policy, CancellationToken cancel) =>
        {
            var me = user.MemberId();
            var items = new List<BookmarkJson>();
            foreach (var member in await bookmarks.ListAsync(me, cancel))
            {
                var preflight = await messaging.PreflightAsync(me, member.Handle, inMail: false, recipientEmail: null, cancel);
                if (preflight.Value is { } result)
                {
                    items.Add(new BookmarkJson(MemberJson.From(member, policy), DecisionJson.From(result.Decision, policy)));
                }
            }

            return TypedResults.Ok(new ListJson<BookmarkJson>(items));
        });

        group.MapPut("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, BookmarkService bookmarks, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await bookmarks.AddAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        });

        group.MapDelete("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, BookmarkService bookmarks, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await bookmarks.RemoveAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        });
    }
}
