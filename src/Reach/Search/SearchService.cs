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
/// both ways. Each hit carries the viewer's decision, read for the whole page at once (on the primary); the members are
/// a stale-tolerant read (<see cref="StaleRead.Search"/>).
/// </summary>
public sealed class SearchService(StaleReads reads, ReachPolicy policy, FactsReader facts, TimeProvider clock)
{
    public const int PageSize = 20;

    /// <summary>How many candidates "I can message now" decides at most for one page before it stops looking.</summary>
    public const int ReachableScanLimit = 400;

    /// <summary>How many candidates "I can message now" decides at once.</summary>
    public const int ReachableChunk = 50;

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

        var db = await reads.ForAsync(StaleRead.Search, viewerId, cancel);
        var page = query.Page ?? 0;
        var words = MemberWord.Split(query.Q ?? string.Empty).Take(5).ToList();

        // The viewer's blocks, both ways, are few: read them first, rather than probe the blocks for every member.
        var hidden = await db.Blocks
            .Where(b => b.BlockerId == viewerId || b.BlockedId == viewerId)
            .Select(b => b.BlockerId == viewerId ? b.BlockedId : b.BlockerId)
            .ToListAsync(cancel);
        hidden.Add(viewerId);
        var badged = policy.Tiers.Where(t => t.PremiumBadge).Select(t => t.Id).ToList();
        var ordered = words.Count > 0 ? MatchingWords(db, words, hidden, badged, query) : MatchingMembers(db, hidden, badged, query);

        var viewer = await db.Members.AsNoTracking().FirstAsync(m => m.Id == viewerId, cancel);
        var now = clock.GetUtcNow();
        if (query.Reachable != true)
        {
            var ids = await FirstIdsAsync(ordered, ((page + 1) * PageSize) + 1, cancel);
            var shown = await MembersAsync(db, ids.Skip(page * PageSize).Take(PageSize), cancel);
            var decisions = await DecideAsync(viewer, shown, now, cancel);
            return new SearchPage([.. shown.Select((m, i) => new SearchHit(m, decisions[i]))], ids.Count > (page + 1) * PageSize ? page + 1 : null);
        }

        // "I can message now": the policy decides for the viewer, a chunk of candidates at a time, until the page is
        // full (and one more hit shows there is a next page) or the scan limit is reached.
        var wanted = ((page + 1) * PageSize) + 1;
        var candidates = await FirstIdsAsync(ordered, ReachableScanLimit * (page + 1), cancel);
        var hits = new List<SearchHit>();
        for (var offset = 0; hits.Count < wanted && offset < candidates.Count; offset += ReachableChunk)
        {
            var chunk = await MembersAsync(db, candidates.Skip(offset).Take(ReachableChunk), cancel);
            var decisions = await DecideAsync(viewer, chunk, now, cancel);
            hits.AddRange(chunk.Select((m, i) => new SearchHit(m, decisions[i])).Where(hit => hit.Decision.Allowed));
        }

        return new SearchPage([.. hits.Skip(page * PageSize).Take(PageSize)], hits.Count > (page + 1) * PageSize ? page + 1 : null);
    }

    // Words: the first word's range of the word index, which carries every filter and sort key, with the other words
    // probed through the (member, word) index; the members table is read only for the page. A member with two words
    // in the first word's range appears twice: FirstIdsAsync keeps the first.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1309", Justification = "string.Compare in the query is SQL's comparison of the column.")]
    private static IQueryable<long> MatchingWords(ReachDb db, List<string> words, List<long> hidden, List<string> badged, SearchQuery query)
    {
        var (from, to) = Range(words[0]);
        var rows = db.MemberWords.AsNoTracking()
            .Where(w => string.Compare(w.Word, from) >= 0 && string.Compare(w.Word, to) < 0 && w.Listed && !hidden.Contains(w.MemberId));
        foreach (var word in words.Skip(1))
        {
            var (low, high) = Range(word);
            rows = rows.Where(w => db.MemberWords.Any(o => o.MemberId == w.MemberId && string.Compare(o.Word, low) >= 0 && string.Compare(o.Word, high) < 0));
        }

        if (query.OpenToWork == true)
        {
            rows = rows.Where(w => w.OpenToWork);
        }

        if (query.MinConnections is { } min and > 0)
        {
            rows = rows.Where(w => w.ConnectionCount >= min);
        }

        if (query.Premium is { } premium)
        {
            rows = premium ? rows.Where(w => badged.Contains(w.TierId)) : rows.Where(w => !badged.Contains(w.TierId));
        }

        var sorted = query.Sort == "receptive"
            ? rows.OrderByDescending(w => w.Receptiveness).ThenBy(w => w.MemberId)
            : rows.OrderByDescending(w => w.First).ThenByDescending(w => w.Receptiveness).ThenBy(w => w.MemberId);
        return sorted.Select(w => w.MemberId);
    }

    // No words: the members themselves, walked in score order through the (receptiveness, id) index.
    private static IQueryable<long> MatchingMembers(ReachDb db, List<long> hidden, List<string> badged, SearchQuery query)
    {
        var members = db.Members.AsNoTracking().Where(m => m.Status != AccountStatus.Deactivated && m.Status != AccountStatus.Suspended && !hidden.Contains(m.Id));
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
            members = premium ? members.Where(m => badged.Contains(m.TierId)) : members.Where(m => !badged.Contains(m.TierId));
        }

        return members.OrderByDescending(m => m.Receptiveness).ThenBy(m => m.Id).Select(m => m.Id);
    }

    // Each word matches as a prefix: the range [word, word with its last character's successor).
    private static (string From, string To) Range(string word) => (word, word[..^1] + (char)(word[^1] + 1));

    // The first `count` distinct ids in order; asks for more rows when repeats left it short.
    private static async Task<List<long>> FirstIdsAsync(IQueryable<long> ordered, int count, CancellationToken cancel)
    {
        var take = count;
        while (true)
        {
            var rows = await ordered.Take(take).ToListAsync(cancel);
            var ids = rows.Distinct().Take(count).ToList();
            if (ids.Count == count || rows.Count < take)
            {
                return ids;
            }

            take *= 2;
        }
    }

    private static async Task<List<Member>> MembersAsync(ReachDb db, IEnumerable<long> ids, CancellationToken cancel)
    {
        var wanted = ids.ToList();
        var members = await db.Members.AsNoTracking().Where(m => wanted.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancel);
        return [.. wanted.Where(members.ContainsKey).Select(id => members[id])];
    }

    private async Task<Decision[]> DecideAsync(Member viewer, List<Member> members, DateTimeOffset now, CancellationToken cancel)
    {
        if (members.Count == 0)
        {
            return [];
        }

        var all = await facts.ReadManyAsync(viewer.Id, [.. members.Select(member => member.Id)], MessageKind.Regular, now, cancel);
        return [.. all.Select(f => MessageRules.Decide(policy, f))];
    }
}
