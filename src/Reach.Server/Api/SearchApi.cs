using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reach.Policy;
using Reach.Search;

namespace Reach.Server.Api;

public sealed record SearchHitJson(MemberJson Member, int Receptiveness, int Connections, DecisionJson Decision);

/// <summary>Advanced search of members (SPEC §4).</summary>
public static class SearchApi
{
    public static void MapSearch(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/search/members", async Task<Results<Ok<ListJson<SearchHitJson>>, ProblemHttpResult>> (
            ClaimsPrincipal user, SearchService search, ReachPolicy policy,
            [FromQuery] string? q, [FromQuery] string? openToWork, [FromQuery] string? minConnections, [FromQuery] string? premium,
            [FromQuery] string? reachable, [FromQuery] string? sort, [FromQuery] string? page, CancellationToken cancel) =>
        {
            if (Parse(q, openToWork, minConnections, premium, reachable, sort, page) is not { } query)
            {
                return Problems.For(Invalid(openToWork, minConnections, premium, reachable, page)!, policy);
            }

            var outcome = await search.SearchAsync(user.MemberId(), query, cancel);
            if (outcome.Failure is { } failure)
            {
                return Problems.For(failure, policy);
            }

            var result = outcome.Value!;
            return TypedResults.Ok(new ListJson<SearchHitJson>(
                [.. result.Hits.Select(hit => new SearchHitJson(MemberJson.From(hit.Member, policy), hit.Member.Receptiveness, hit.Member.ConnectionCount, DecisionJson.From(hit.Decision, policy)))],
                result.NextPage?.ToString(CultureInfo.InvariantCulture)));
        }).WithTags("Search").RequireAuthorization()
            .Describe("searchMembers", "Search members", "Members by name, headline or company, each with whether the caller can message them; `reachable=true` keeps only those.");

    /// <summary>Reads the query string's values, or null when one is not of its type.</summary>
    public static SearchQuery? Parse(string? q, string? openToWork, string? minConnections, string? premium, string? reachable, string? sort, string? page) =>
        Invalid(openToWork, minConnections, premium, reachable, page) is not null
            ? null
            : new SearchQuery(q, Bool(openToWork), Int(minConnections), Bool(premium), Bool(reachable), string.IsNullOrEmpty(sort) ? null : sort, Int(page));

    private static Failure? Invalid(string? openToWork, string? minConnections, string? premium, string? reachable, string? page) =>
        !IsBool(openToWork) ? Failure.Invalid("openToWork", "openToWork must be true or false.")
        : !IsInt(minConnections) ? Failure.Invalid("minConnections", "minConnections must be a whole number.")
        : !IsBool(premium) ? Failure.Invalid("premium", "premium must be true or false.")
        : !IsBool(reachable) ? Failure.Invalid("reachable", "reachable must be true or false.")
        : !IsInt(page) ? Failure.Invalid("page", "page must be a whole number.")
        : null;

    private static bool IsBool(string? value) => value is null or "" or "true" or "false";

    private static bool IsInt(string? value) => string.IsNullOrEmpty(value) || int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool? Bool(string? value) => value switch { "true" => true, "false" => false, _ => null };

    private static int? Int(string? value) => string.IsNullOrEmpty(value) ? null : int.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
