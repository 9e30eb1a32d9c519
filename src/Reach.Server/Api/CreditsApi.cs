using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Credits;
using Reach.Policy;

namespace Reach.Server.Api;

public sealed record LedgerEntryJson(DateTimeOffset At, string Kind, int Amount, int BalanceAfter, string Ref);

public sealed record CreditsJson(int Balance, IReadOnlyList<LedgerEntryJson> Entries, DateTimeOffset? NextGrantAt, int NextGrantAmount, int ExpiringWithin30Days);

/// <summary>The signed-in member's InMail credits and ledger (SPEC §2.2).</summary>
public static class CreditsApi
{
    public static void MapCredits(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/credits", async Task<Ok<CreditsJson>> (ClaimsPrincipal user, CreditService credits, CancellationToken cancel) =>
        {
            var statement = await credits.StatementAsync(user.MemberId(), cancel);
            return TypedResults.Ok(new CreditsJson(
                statement.Balance,
                [.. statement.Entries.Select(e => new LedgerEntryJson(e.At, e.Kind.Code(), e.Amount, e.BalanceAfter, e.Ref))],
                statement.NextGrantAt,
                statement.NextGrantAmount,
                statement.ExpiringWithin30Days));
        }).WithTags("Credits").RequireAuthorization()
            .Describe("getCredits", "InMail credits", "The balance, the next grant and expiry, and the ledger of the caller's InMail credits.");
    }
}
