using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Decisions;
using Reach.Policy;

namespace Reach.Server.Api;

/// <summary>A what-if: a candidate policy (the policy file's format) and the period of logged sends to replay.</summary>
public sealed record WhatIfRequest(JsonElement? Policy, DateTimeOffset? From, DateTimeOffset? To);

public sealed record CreditsChangeJson(int Before, int After);

public sealed record TierChangeJson(int NowLocked, int NowAllowed);

public sealed record AffectedJson(string Handle, int Changed);

public sealed record BeforeAfterJson(int Before, int After);

public sealed record MostAffectedJson(IReadOnlyList<AffectedJson> Senders, IReadOnlyList<AffectedJson> Recipients);

/// <summary>What a candidate policy would have done to the period's send decisions.</summary>
public sealed record WhatIfJson(
    DateTimeOffset From, DateTimeOffset To, int Decisions, int Unchanged, int NowLocked, int NowAllowed, int ReasonsChanged, int Skipped,
    IReadOnlyDictionary<string, int> ByReason, IReadOnlyDictionary<string, TierChangeJson> BySenderTier,
    IReadOnlyDictionary<string, TierChangeJson> ByRecipientTier, IReadOnlyDictionary<string, BeforeAfterJson> LockedByReason,
    IReadOnlyDictionary<string, BeforeAfterJson> LockedBySenderTier, IReadOnlyDictionary<string, BeforeAfterJson> LockedByRecipientTier,
    CreditsChangeJson Credits, MostAffectedJson MostAffected,
    IReadOnlyList<string> Approximations)
{
    public static WhatIfJson Of(WhatIfResult result, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Report;
        return new WhatIfJson(
            from, to, r.Decisions, r.Unchanged, r.NowLocked, r.NowAllowed, r.ReasonsChanged, r.Skipped,
            r.ByReason,
            r.BySenderTier.ToDictionary(e => e.Key, e => new TierChangeJson(e.Value.NowLocked, e.Value.NowAllowed)),
            r.ByRecipientTier.ToDictionary(e => e.Key, e => new TierChangeJson(e.Value.NowLocked, e.Value.NowAllowed)),
            Totals(r.LockedByReason), Totals(r.LockedBySenderTier), Totals(r.LockedByRecipientTier),
            new CreditsChangeJson(r.CreditsBefore, r.CreditsAfter),
            new MostAffectedJson([.. result.Senders.Select(m => new AffectedJson(m.Handle, m.Changed))], [.. result.Recipients.Select(m => new AffectedJson(m.Handle, m.Changed))]),
            r.Approximations);
    }

    private static Dictionary<string, BeforeAfterJson> Totals(IReadOnlyDictionary<string, BeforeAfter> totals) =>
        totals.ToDictionary(e => e.Key, e => new BeforeAfterJson(e.Value.Before, e.Value.After));
}

/// <summary>Policy what-if for operators: replay logged sends under a candidate policy before putting it in force.</summary>
public static class WhatIfApi
{
    /// <summary>How far back a replay looks when no <c>from</c> is given.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(30);

    /// <summary>The end of a replay when no <c>to</c> is given: the next whole minute, so that what was decided now is in.</summary>
    public static DateTimeOffset DefaultEnd(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute) + TimeSpan.TicksPerMinute, TimeSpan.Zero);

    public static void MapWhatIf(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/admin/whatif", async Task<Results<Ok<WhatIfJson>, ProblemHttpResult>> (
            WhatIfRequest request, WhatIf whatIf, ReachPolicy policy, TimeProvider clock, CancellationToken cancel) =>
        {
            if (request.Policy is not { ValueKind: JsonValueKind.Object } json)
            {
                return Problems.Invalid("policy", "policy is required: an object in the policy file's format.", policy);
            }

            var (candidate, error) = Candidate(json.GetRawText());
            if (error is { } bad)
            {
                return Problems.Invalid(bad.Field, bad.Detail, policy);
            }

            var to = request.To ?? DefaultEnd(clock.GetUtcNow());
            var from = request.From ?? to - DefaultPeriod;
            if (from < AdminApi.Earliest || from > AdminApi.Latest)
            {
                return Problems.Invalid("from", "from must be a time in the years 2000–2199.", policy);
            }

            if (to < from || to > AdminApi.Latest)
            {
                return Problems.Invalid("to", "to must be a time after from, in the years 2000–2199.", policy);
            }

            return TypedResults.Ok(WhatIfJson.Of(await whatIf.ReplayAsync(candidate!, from, to, null, cancel), from, to));
        })
            .WithTags("Admin").AddEndpointFilter<AdminKeyFilter>().WithMetadata(new AdminKeyRequired())
            .Describe("whatIf", "Replay logged sends under a candidate policy",
                "Decides every send logged from `from` to `to` (default: the 30 days up to now) again under the candidate policy, simulating what it changes in the counters and balances later decisions read, and answers what would change: locked and allowed decisions by reason and tier, InMail credits spent, the members most affected, and the approximations made. An invalid policy is a 400 naming the setting (`field` is `policy.` and the setting's path). Nothing is written.");

    /// <summary>A candidate policy from its text, or the problem naming its first bad setting.</summary>
    public static (ReachPolicy? Policy, (string Field, string Detail)? Error) Candidate(string text)
    {
        try
        {
            return (PolicyFile.Parse(text), null);
        }
        catch (PolicyException e)
        {
            var first = e.Errors[0];
            return (null, (first.Path.Length > 0 ? "policy." + first.Path : "policy", "The candidate policy is not valid: " + string.Join("; ", e.Errors.Select(x => x.Message))));
        }
    }
}
