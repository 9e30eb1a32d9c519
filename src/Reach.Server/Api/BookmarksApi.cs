using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Bookmarks;
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
            ClaimsPrincipal user, BookmarkService bookmarks, ReachPolicy policy, CancellationToken cancel) =>
        {
            var list = await bookmarks.ListWithDecisionsAsync(user.MemberId(), cancel);
            return TypedResults.Ok(new ListJson<BookmarkJson>([.. list.Select(b => new BookmarkJson(MemberJson.From(b.Member, policy), DecisionJson.From(b.Decision, policy)))]));
        })
            .Describe("listBookmarks", "List bookmarks", "The members the caller bookmarked, each with whether the caller can message them now.");

        group.MapPut("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, BookmarkService bookmarks, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await bookmarks.AddAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("addBookmark", "Bookmark a member", "The caller is notified when the member becomes reachable.");

        group.MapDelete("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, BookmarkService bookmarks, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await bookmarks.RemoveAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("removeBookmark", "Remove a bookmark", "Remove a bookmark.");
    }
}
