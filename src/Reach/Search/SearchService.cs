using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;

namespace Reach.Search;

public sealed record SearchQuery(string? Q, bool? OpenToWork, int? MinConnections, bool? Premium, bool? Reachable, string? Sort, int? Page);

public sealed record SearchHit(Member Member, Decision Decision);

public sealed record SearchPage(IReadOnlyList<SearchHit> Hits, int? NextPage);

/// <summary>
/// Advanced search of members (SPEC §4): words in name, handle, headline and company; filters on open to work,
/// connections, the premium badge and "I can message now"; sorted by relevance or receptiveness. Blocks hide members
/// both ways. Each hit carries the viewer's decision, read for the whole page at once.
/// </summary>
public sealed class SearchService(ReachDb db, ReachPolicy policy, FactsReader facts, TimeProvider clock)
{
    public const int PageSize = 20;

    /// <summary>How many candidates "I can message now" decides at most for one page before it stops looking.</summary>
    public const int ReachableScanLimit = 400;

    public async Task<Outcome<SearchPage>> SearchAsync(long viewerId, SearchQuery query, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Q is { Length: > 100 })
        {
            return Failure.Invalid("q", "q must have at most 100 characters.");
        }

        if (query.MinConnections is < 0 or > 1_000_000)
        {
            return Failure.Invalid("minConnections", "minConnections must be from 0 to 1000000.");
        }

        if (query.Sort is not (null or "relevance" or "receptive"))
        {
            return Failure.Invalid("sort", "sort must be 'relevance' or 'receptive'.");
        }

        if (query.Page is < 0 or > 500)
        {
            return Failure.Invalid("page", "page must be from 0 to 500.");
        }

        var page = query.Page ?? 0;
        var words = (query.Q ?? string.Empty).ToLowerInvariant()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(5)
            .Select(word => "%" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%")
            .ToList();

        var members = db.Members.AsNoTracking()
            .Where(m => m.Id != viewerId && m.Status != AccountStatus.Deactivated)
            .Where(m => !db.Blocks.Any(b => (b.BlockerId == viewerId && b.BlockedId == m.Id) || (b.BlockerId == m.Id && b.BlockedId == viewerId)));
        foreach (var word in words)
        {
            members = members.Where(m => EF.Functions.Like(m.SearchText, word, "\\"));
        }

        if (query.OpenToWork == true)
        {
            members = members.Where(m => m.OpenToWork);
        }

        if (query.MinConnections is { } min and > 0)
        {
            members = members.Where(m => m.ConnectionCount >= min);
        }

        if (query.Premium is { } premium)
        {
            var badged = policy.Tiers.Where(t => t.PremiumBadge).Select(t => t.Id).ToList();
            members = premium ? members.Where(m => badged.Contains(m.TierId)) : members.Where(m => !badged.Contains(m.TierId));
        }

        var first = words.Count > 0 ? words[0][1..^1] : null;
        var ordered = query.Sort == "receptive" || first is null
            ? members.OrderByDescending(m => m.Receptiveness).ThenBy(m => m.Id)
            : members
                .OrderBy(m => EF.Functions.Like(m.SearchText, first + "%", "\\") ? 0 : 1)
                .ThenByDescending(m => m.Receptiveness)
                .ThenBy(m => m.Id);

        var viewer = await db.Members.AsNoTracking().FirstAsync(m => m.Id == viewerId, cancel);
        var now = clock.GetUtcNow();
        if (query.Reachable != true)
        {
            var rows = await ordered.Skip(page * PageSize).Take(PageSize + 1).ToListAsync(cancel);
            var shown = rows.Take(PageSize).ToList();
            var decisions = await DecideAsync(viewer, shown, now, cancel);
            return new SearchPage([.. shown.Select((m, i) => new SearchHit(m, decisions[i]))], rows.Count > PageSize ? page + 1 : null);
        }

        // "I can message now": the policy decides for the viewer, a chunk of candidates at a time, until the page is
        // full (and one more hit shows there is a next page) or the scan limit is reached.
        var wanted = ((page + 1) * PageSize) + 1;
        var hits = new List<SearchHit>();
        for (var offset = 0; hits.Count < wanted && offset < ReachableScanLimit * (page + 1); offset += 100)
        {
            var chunk = await ordered.Skip(offset).Take(100).ToListAsync(cancel);
            var decisions = await DecideAsync(viewer, chunk, now, cancel);
            hits.AddRange(chunk.Select((m, i) => new SearchHit(m, decisions[i])).Where(hit => hit.Decision.Allowed));
            if (chunk.Count < 100)
            {
                break;
            }
        }

        return new SearchPage([.. hits.Skip(page * PageSize).Take(PageSize)], hits.Count > (page + 1) * PageSize ? page + 1 : null);
    }

    private async Task<Decision[]> DecideAsync(Member viewer, List<Member> members, DateTimeOffset now, CancellationToken cancel)
    {
        if (members.Count == 0)
        {
            return [];
        }

        var all = await facts.ReadManyAsync(viewer, members, MessageKind.Regular, null, now, cancel);
        return [.. all.Select(f => MessageRules.Decide(policy, f))];
    }
}
