using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Policy;
using Reach.Safety;

namespace Reach.Server.Api;

/// <summary>Blocks and reports (SPEC §7).</summary>
public static class SafetyApi
{
    public static void MapSafety(this IEndpointRouteBuilder app)
    {
        var blocks = app.MapGroup("/api/me/blocks").WithTags("Safety").RequireAuthorization();

        blocks.MapGet("/", async Task<Ok<ListJson<MemberJson>>> (ClaimsPrincipal user, SafetyService safety, ReachPolicy policy, CancellationToken cancel) =>
            TypedResults.Ok(new ListJson<MemberJson>([.. (await safety.ListBlockedAsync(user.MemberId(), cancel)).Select(m => MemberJson.From(m, policy))])))
            .Describe("listBlocks", "List blocked members", "List blocked members.");

        blocks.MapPut("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, SafetyService safety, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await safety.BlockAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("blockMember", "Block a member", "Neither member can message or invite the other; the blocked member is not told.");

        blocks.MapDelete("/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, SafetyService safety, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await safety.UnblockAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("unblockMember", "Unblock a member", "Unblock a member.");

        app.MapPost("/api/reports", async Task<Results<NoContent, ProblemHttpResult>> (
            ReportRequest request, ClaimsPrincipal user, SafetyService safety, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await safety.ReportAsync(user.MemberId(), request, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        }).WithTags("Safety").RequireAuthorization()
            .Describe("reportMember", "Report a member", "Reports a member for spam or abuse; enough reports restrict the member.").CanAnswer(StatusCodes.Status404NotFound);
    }
}
