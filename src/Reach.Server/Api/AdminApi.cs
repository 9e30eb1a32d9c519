using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reach.Policy;

namespace Reach.Server.Api;

public sealed record AdminMemberJson(MemberJson Member, string Status, DateTimeOffset? RestrictedUntil, int CreditBalance);

public sealed record ExplanationJson(string Sender, string Recipient, TraceJson Regular, TraceJson InMail);

public sealed record ClockRequest(DateTimeOffset? Now);

public sealed record ClockJson(DateTimeOffset Now);

/// <summary>The operator's API (SPEC §10), behind the admin key.</summary>
public static class AdminApi
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Admin").AddEndpointFilter<AdminKeyFilter>().WithMetadata(new AdminKeyRequired());

        group.MapPut("/members/{handle}/tier", async Task<Results<Ok<AdminMemberJson>, ProblemHttpResult>> (
            string handle, TierRequest request, AdminService admin, ReachPolicy policy, CancellationToken cancel) =>
            Respond(await admin.SetTierAsync(handle, request, cancel), policy))
            .Describe("setMemberTier", "Set a member's tier", "Moves the member to a tier of the policy; a tier with InMail grants its credits at once.");

        group.MapPut("/members/{handle}/status", async Task<Results<Ok<AdminMemberJson>, ProblemHttpResult>> (
            string handle, StatusRequest request, AdminService admin, ReachPolicy policy, CancellationToken cancel) =>
            Respond(await admin.SetStatusAsync(handle, request, cancel), policy))
            .Describe("setMemberStatus", "Set a member's status", "Active, restricted (until a date: may read but not write first messages), suspended or deactivated.");

        group.MapPost("/members/{handle}/credits", async Task<Results<Ok<CreditsJson>, ProblemHttpResult>> (
            string handle, CreditGrantRequest request, AdminService admin, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await admin.GrantCreditsAsync(handle, request, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            var change = outcome.Value!;
            return TypedResults.Ok(new CreditsJson(
                change.Account.Balance,
                [.. change.Added.Select(e => new LedgerEntryJson(e.At, e.Kind.Code(), e.Amount, e.BalanceAfter, e.Ref))],
                null, 0, 0));
        })
            .Describe("grantCredits", "Grant or take InMail credits", "Adds (or, with a negative amount, takes) InMail credits, with a note kept in the member's ledger.").CanAnswer(StatusCodes.Status409Conflict);

        group.MapGet("/decisions", async Task<Results<Ok<ExplanationJson>, ProblemHttpResult>> (
            AdminService admin, ReachPolicy policy, [FromQuery] string? sender, [FromQuery] string? recipient, CancellationToken cancel) =>
        {
            var outcome = await admin.ExplainAsync(sender, recipient, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            var x = outcome.Value!;
            return TypedResults.Ok(new ExplanationJson(x.Sender.Handle, x.Recipient.Handle, TraceJson.From(x.Regular, policy), TraceJson.From(x.InMail, policy)));
        })
            .Describe("explainDecision", "The trace of a decision", "Every rule between a sender and a recipient with its outcome, for a regular message and for an InMail, decided now.").CanAnswer(StatusCodes.Status404NotFound);

        group.MapGet("/decisions/locked", async Task<Results<Ok<ListJson<LockedCount>>, ProblemHttpResult>> (
            AdminService admin, ReachPolicy policy, TimeProvider clock, [FromQuery] string? from, [FromQuery] string? to, CancellationToken cancel) =>
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            if (!TryDay(from, today.AddDays(-30), out var first))
            {
                return Problems.Invalid("from", "from must be a day such as 2026-11-01, in the years 2000–2199.", policy);
            }

            if (!TryDay(to, today, out var last))
            {
                return Problems.Invalid("to", "to must be a day such as 2026-11-30, in the years 2000–2199.", policy);
            }

            return TypedResults.Ok(new ListJson<LockedCount>(await admin.LockedCountsAsync(first, last, cancel)));
        })
            .Describe("countLockedDecisions", "Locked decisions by reason", "How many sends were locked, by reason, in a period of the decision log.");

        group.MapPut("/clock", async Task<Results<Ok<ClockJson>, ProblemHttpResult>> (
            ClockRequest request, TimeProvider clock, ReachPolicy policy, Bookmarks.Reachability reachability, CancellationToken cancel) =>
        {
            if (clock is not ManualClock manual)
            {
                return Problems.For(new Failure(Failure.Codes.ClockNotManual, "The clock can be set only when the server runs with --clock manual."), policy);
            }

            if (request.Now is not { } now)
            {
                return Problems.Invalid("now", "now is required, e.g. 2026-12-01T00:00:00Z.", policy);
            }

            if (now < Earliest || now > Latest)
            {
                return Problems.Invalid("now", "now must be in the years 2000–2199.", policy);
            }

            manual.Set(now);

            // What the new time changes (a period's start, an expiry) is found now, as the sweep would on a real clock.
            await reachability.SweepAsync(cancel);
            return TypedResults.Ok(new ClockJson(manual.GetUtcNow()));
        })
            .Describe("setClock", "Set the clock", "Sets the server's time, when it runs with `--clock manual` (demos of month ends and expiries); 409 `clock_not_manual` otherwise.").CanAnswer(StatusCodes.Status409Conflict);
    }

    private static Results<Ok<AdminMemberJson>, ProblemHttpResult> Respond(Outcome<Members.Member> outcome, ReachPolicy policy)
    {
        if (outcome.Failure is { } failure)
        {
            return Problems.For(failure, policy);
        }

        var member = outcome.Value!;
        return TypedResults.Ok(new AdminMemberJson(MemberJson.From(member, policy), member.Status.Code(), member.RestrictedUntil, member.CreditBalance));
    }

    /// <summary>
    /// The times Reach works in: a clock or a day outside them is a 400, not a date that overflows a period, a
    /// timestamp column or an expiry further on.
    /// </summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc cref="Earliest"/>
    public static readonly DateTimeOffset Latest = new(2199, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return text is null
            || (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out day)
                && day >= DateOnly.FromDateTime(Earliest.UtcDateTime) && day <= DateOnly.FromDateTime(Latest.UtcDateTime));
    }
}

/// <summary>Admin calls carry <c>Authorization: Bearer &lt;admin key&gt;</c>; without a configured key, admin is closed.</summary>
public sealed class AdminKeyFilter(StartOptions options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Carries(context.HttpContext.Request, options) ? await next(context) : Refusal;
    }

    /// <summary>The answer to a request without the admin key.</summary>
    public static ProblemHttpResult Refusal => TypedResults.Problem(
        title: "The admin key is required.", statusCode: StatusCodes.Status401Unauthorized,
        extensions: new Dictionary<string, object?> { ["code"] = "unauthorized" });

    /// <summary>Whether the request carries <c>Authorization: Bearer &lt;admin key&gt;</c> (never, when no key is set).</summary>
    public static bool Carries(HttpRequest request, StartOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var header = request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : string.Empty;
        return options.AdminKey is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(options.AdminKey));
    }
}
