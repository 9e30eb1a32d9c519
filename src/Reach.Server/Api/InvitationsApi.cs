using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reach.Invitations;
using Reach.Policy;

namespace Reach.Server.Api;

/// <summary>Connection requests (SPEC §2.4).</summary>
public static class InvitationsApi
{
    public static void MapInvitations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/invitations").WithTags("Invitations").RequireAuthorization();

        group.MapPost("/", async Task<Results<Created<InvitationView>, Ok<InvitationView>, ProblemHttpResult>> (
            InvitationRequest request, ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await invitations.InviteAsync(user.MemberId(), request, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            // A crossing invitation was accepted instead: nothing new was created.
            return outcome.Value!.State == "accepted"
                ? TypedResults.Ok(outcome.Value)
                : TypedResults.Created($"/api/invitations/{outcome.Value.Id}", outcome.Value);
        })
            .Describe("sendInvitation", "Send a connection invitation", "Invites a member to connect, with an optional note; 403 `invitation_refused` with its `reason` when the weekly limit, a block or the recipient's settings refuse it. A crossing invitation is accepted instead (200).").CanAnswer(StatusCodes.Status404NotFound);

        group.MapGet("/", async Task<Results<Ok<ListJson<InvitationView>>, ProblemHttpResult>> (
            ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, [FromQuery] string? box, CancellationToken cancel) =>
        {
            if (box is not (null or "received" or "sent"))
            {
                return Problems.Invalid("box", "box must be 'received' or 'sent'.", policy);
            }

            return TypedResults.Ok(new ListJson<InvitationView>(await invitations.ListAsync(user.MemberId(), box != "sent", cancel)));
        })
            .Describe("listInvitations", "List invitations", "The invitations the caller received (`box=received`, the default) or sent (`box=sent`).");

        group.MapPost("/{id:long}/accept", (long id, ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, CancellationToken cancel) =>
            Respond(invitations.AcceptAsync(user.MemberId(), id, cancel), policy))
            .Describe("acceptInvitation", "Accept an invitation", "Connects the two members.");
        group.MapPost("/{id:long}/ignore", (long id, ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, CancellationToken cancel) =>
            Respond(invitations.IgnoreAsync(user.MemberId(), id, cancel), policy))
            .Describe("ignoreInvitation", "Ignore an invitation", "The sender is not told.");
        group.MapPost("/{id:long}/report", (long id, ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, CancellationToken cancel) =>
            Respond(invitations.ReportAsync(user.MemberId(), id, cancel), policy))
            .Describe("reportInvitation", "Report an invitation", "Ignores it and reports its sender for abuse.");
        group.MapDelete("/{id:long}", (long id, ClaimsPrincipal user, InvitationService invitations, ReachPolicy policy, CancellationToken cancel) =>
            Respond(invitations.WithdrawAsync(user.MemberId(), id, cancel), policy))
            .Describe("withdrawInvitation", "Withdraw an invitation", "The sender withdraws a pending invitation; the same member can be invited again after the waiting period.");
    }

    private static async Task<Results<Ok<InvitationView>, ProblemHttpResult>> Respond(Task<Outcome<InvitationView>> work, ReachPolicy policy)
    {
        var outcome = await work;
        return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Ok(outcome.Value!);
    }
}
