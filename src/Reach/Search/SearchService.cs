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

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1309", Justification = "string.Compare in the query is SQL's comparison of the column.")]
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
        var words = MemberWord.Split(query.Q ?? string.Empty).Take(5).ToList();

        // The viewer's blocks, both ways, are few: read them first, rather than probe the blocks for every member.
        var hidden = await db.Blocks
            .Where(b => b.BlockerId == viewerId || b.BlockedId == viewerId)
            .Select(b => b.BlockerId == viewerId ? b.BlockedId : b.BlockerId)
            .ToListAsync(cancel);
        hidden.Add(viewerId);
        var members = db.Members.AsNoTracking()
            .Where(m => m.Status != AccountStatus.Deactivated && !hidden.Contains(m.Id));
        // Each word is a prefix of one of the member's words: a range on the (word, member) index.
        foreach (var word in words)
        {
            var next = word[..^1] + (char)(word[^1] + 1);
            var matching = db.MemberWords.Where(w => string.Compare(w.Word, word) >= 0 && string.Compare(w.Word, next) < 0).Select(w => w.MemberId);
            members = members.Where(m => matching.Contains(m.Id));
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

        var first = words.Count > 0 ? words[0] : null;
        var ordered = query.Sort == "receptive" || first is null
            ? members.OrderByDescending(m => m.Receptiveness).ThenBy(m => m.Id)
            : members
                .OrderBy(m => m.SearchText.StartsWith(first) ? 0 : 1)
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
