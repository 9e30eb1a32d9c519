using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

/// <summary>
/// One word of a member's name, handle, headline or company, in lower case, with a copy of what search filters and
/// sorts on. A word search is answered from this table alone, a range on its (word, member) key, and reads the
/// members table only for the page it shows (docs/PERFORMANCE.md, "Search at 100,000 members"). The copies are kept
/// by <see cref="ReplaceAsync"/> (profile), <see cref="SyncAsync"/> (tier, status, connections) and
/// <see cref="Hints.RefreshAsync"/> (score), in the same unit of work as the member's change.
/// </summary>
public sealed class MemberWord
{
    public const int MaxLength = 40;

    public required string Word { get; set; }

    public long MemberId { get; set; }

    /// <summary>Whether this is the first word of the member's name: relevance puts these members first.</summary>
    public bool First { get; set; }

    /// <summary>Whether the member is shown in search (not deactivated).</summary>
    public bool Listed { get; set; }

    public bool OpenToWork { get; set; }

    public int ConnectionCount { get; set; }

    public required string TierId { get; set; }

    public int Receptiveness { get; set; }

    /// <summary>The distinct words of a text, as search indexes and queries them, in the order they first appear.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                start = start < 0 ? i : start;
            }
            else if (start >= 0)
            {
                var word = text[start..i].ToLowerInvariant();
                words.Add(word.Length > MaxLength ? word[..MaxLength] : word);
                start = -1;
            }
        }

        return [.. words.Distinct(StringComparer.Ordinal).Take(60)];
    }

    /// <summary>Replaces the member's indexed words with those of their profile now.</summary>
    public static async Task ReplaceAsync(ReachDb db, Member member, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(member);
        await db.MemberWords.Where(w => w.MemberId == member.Id).ExecuteDeleteAsync(cancel);

        // Words added earlier by this unit of work are gone from the table; they must not stay tracked either.
        foreach (var entry in db.ChangeTracker.Entries<MemberWord>().Where(e => e.Entity.MemberId == member.Id).ToList())
        {
            entry.State = EntityState.Detached;
        }

        db.MemberWords.AddRange(Of(member));
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>The word rows of a member's profile as it is now.</summary>
    public static IEnumerable<MemberWord> Of(Member member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Split(member.SearchText).Select((word, index) => new MemberWord
        {
            Word = word,
            MemberId = member.Id,
            First = index == 0,
            Listed = member.Status is not (AccountStatus.Deactivated or AccountStatus.Suspended),
            OpenToWork = member.OpenToWork,
            ConnectionCount = member.ConnectionCount,
            TierId = member.TierId,
            Receptiveness = member.Receptiveness,
        });
    }

    /// <summary>
    /// Copies the members' stored tier, status, connection count and score onto their words, from the members' rows
    /// as this transaction sees them: call it after the change is written, in the same transaction.
    /// </summary>
    public static Task SyncAsync(ReachDb db, long first, long? second, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(db);
        var members = db.Members;
        return db.MemberWords
            .Where(w => w.MemberId == first || w.MemberId == second)
            .ExecuteUpdateAsync(set => set
                .SetProperty(w => w.Listed, w => members.Where(m => m.Id == w.MemberId).Select(m => m.Status != AccountStatus.Deactivated && m.Status != AccountStatus.Suspended).First())
                .SetProperty(w => w.OpenToWork, w => members.Where(m => m.Id == w.MemberId).Select(m => m.OpenToWork).First())
                .SetProperty(w => w.ConnectionCount, w => members.Where(m => m.Id == w.MemberId).Select(m => m.ConnectionCount).First())
                .SetProperty(w => w.TierId, w => members.Where(m => m.Id == w.MemberId).Select(m => m.TierId).First())
                .SetProperty(w => w.Receptiveness, w => members.Where(m => m.Id == w.MemberId).Select(m => m.Receptiveness).First()),
                cancel);
    }
}
