using Microsoft.EntityFrameworkCore;
using Reach.Data;

namespace Reach.Members;

/// <summary>
/// One word of a member's name, handle, headline or company, in lower case: search finds members by word prefix
/// through the index on (word, member), on both databases, instead of scanning every profile.
/// </summary>
public sealed class MemberWord
{
    public const int MaxLength = 40;

    public required string Word { get; set; }

    public long MemberId { get; set; }

    /// <summary>The distinct words of a text, as search indexes and queries them.</summary>
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

        db.MemberWords.AddRange(Split(member.SearchText).Select(word => new MemberWord { Word = word, MemberId = member.Id }));
        await db.SaveChangesAsync(cancel);
    }
}
