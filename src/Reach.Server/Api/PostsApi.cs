using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Policy;
using Reach.Posts;

namespace Reach.Server.Api;

public sealed record PostRequest(string? Body);

public sealed record CommentJson(long Id, MemberJson Author, string Body, long? ReplyToId, DateTimeOffset CreatedAt);

public sealed record PostJson(long Id, MemberJson Author, string Body, DateTimeOffset CreatedAt, PostJson? Shared, int ShareCount, IReadOnlyList<CommentJson> Comments)
{
    public static PostJson From(PostView post, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(post);
        return new(
            post.Id, MemberJson.From(post.Author, policy), post.Body, post.CreatedAt,
            post.Shared is null ? null : From(post.Shared, policy), post.ShareCount,
            [.. post.Comments.Select(c => new CommentJson(c.Id, MemberJson.From(c.Author, policy), c.Body, c.ReplyToId, c.CreatedAt))]);
    }
}

/// <summary>Posts, comments, shares and mentions (SPEC §5).</summary>
public static class PostsApi
{
    public static void MapPosts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/posts").WithTags("Posts").RequireAuthorization();

        group.MapPost("/", async Task<Results<Created<PostJson>, ProblemHttpResult>> (
            PostRequest request, ClaimsPrincipal user, PostService posts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await posts.CreateAsync(user.MemberId(), request.Body, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Created($"/api/posts/{outcome.Value!.Id}", PostJson.From(outcome.Value, policy));
        })
            .Describe("createPost", "Write a post", "A post; each `@handle` in it mentions that member, who is notified.");

        group.MapGet("/{id:long}", async Task<Results<Ok<PostJson>, ProblemHttpResult>> (
            long id, ClaimsPrincipal user, PostService posts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await posts.GetAsync(user.MemberId(), id, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Ok(PostJson.From(outcome.Value!, policy));
        })
            .Describe("getPost", "A post", "The post with its comments.");

        group.MapPost("/{id:long}/comments", async Task<Results<Created<CommentJson>, ProblemHttpResult>> (
            long id, CommentRequest request, ClaimsPrincipal user, PostService posts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await posts.CommentAsync(user.MemberId(), id, request, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            var c = outcome.Value!;
            return TypedResults.Created($"/api/posts/{id}", new CommentJson(c.Id, MemberJson.From(c.Author, policy), c.Body, c.ReplyToId, c.CreatedAt));
        })
            .Describe("commentOnPost", "Comment on a post", "Comment on a post.");

        group.MapPost("/{id:long}/shares", async Task<Results<Created<PostJson>, ProblemHttpResult>> (
            long id, ShareRequest request, ClaimsPrincipal user, PostService posts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await posts.ShareAsync(user.MemberId(), id, request, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Created($"/api/posts/{outcome.Value!.Id}", PostJson.From(outcome.Value, policy));
        })
            .Describe("sharePost", "Share a post", "Share a post.");

        app.MapGet("/api/members/{handle}/posts", async Task<Results<Ok<ListJson<PostJson>>, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, ReachDb db, PostService posts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var member = await db.FindByHandleAsync(handle, cancel);
            var me = user.MemberId();
            if (member is null || (member.Status is AccountStatus.Deactivated or AccountStatus.Suspended && member.Id != me)
                || await db.Blocks.AnyAsync(b => (b.BlockerId == me && b.BlockedId == member.Id) || (b.BlockerId == member.Id && b.BlockedId == me), cancel))
            {
                return Problems.For(Failure.NotFound("Member"), policy);
            }

            var list = await posts.ListAsync(me, member.Id, cancel);
            return TypedResults.Ok(new ListJson<PostJson>([.. list.Select(p => PostJson.From(p, policy))]));
        }).WithTags("Posts").RequireAuthorization()
            .Describe("listMemberPosts", "A member's posts", "Newest first, a page at a time.");
    }
}
