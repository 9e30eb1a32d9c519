using System.Globalization;

namespace Reach.Policy;

/// <summary>A tip on a first message (SPEC §6). Tips advise; they never lock a message.</summary>
public enum Tip : byte
{
    /// <summary><c>not_personal</c>: the message names nothing of the recipient (first name, company, headline words).</summary>
    NotPersonal,

    /// <summary><c>no_reason_first</c>: the first sentence does not say why the sender writes.</summary>
    NoReasonFirst,

    /// <summary><c>too_long</c>: long for a first contact.</summary>
    TooLong,

    /// <summary><c>follow_up_too_soon</c>: less than three days after the last unanswered message.</summary>
    FollowUpTooSoon,

    /// <summary><c>connect_first</c>: an invitation first may work better.</summary>
    ConnectFirst,
}

/// <summary>What the advice reads: the draft, what is public about the recipient, and the history of the pair.</summary>
public readonly record struct AdviceFacts(
    string? Body,
    string RecipientName,
    string? RecipientCompany,
    string? RecipientHeadline,
    bool Connected,
    bool OpenConversation,
    DateTimeOffset? LastUnansweredAt,
    DateTimeOffset Now,
    bool InvitationPossible);

/// <summary>The advice on compose and pre-flight (SPEC §6).</summary>
public static class OutreachAdvice
{
    /// <summary>A first message longer than this many characters is long.</summary>
    public const int LongFirstMessage = 600;

    /// <summary>The least time between a message and a follow-up to it.</summary>
    public static readonly TimeSpan FollowUpAfter = TimeSpan.FromDays(3);

    private static readonly string[] ReasonWords =
    [
        "because", "reason", "why", "regarding", "about", "reaching out", "writing to", "i'm writing", "i am writing",
        "would like to", "i'd like to", "hoping to", "interested in", "saw your", "read your", "noticed", "introduce",
        "question", "ask", "help", "opportunity", "role", "position", "hiring", "collaborat", "invite", "propos",
    ];

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "and", "the", "for", "with", "from", "into", "that", "this", "your", "you", "our", "are", "was", "were", "has",
        "have", "at", "of", "in", "on", "to", "a", "an", "or", "by", "as", "is", "it", "be", "we", "i", "my", "new",
    };

    /// <summary>
    /// The tips for a draft, in the order of SPEC §6. An empty draft gets only the tips that do not read it. A message
    /// inside a conversation or to a connection gets none of the first-contact tips.
    /// </summary>
    public static IReadOnlyList<Tip> For(in AdviceFacts facts)
    {
        var tips = new List<Tip>();
        var firstContact = !facts.Connected && !facts.OpenConversation;
        var body = facts.Body?.Trim() ?? string.Empty;
        if (firstContact && body.Length > 0)
        {
            if (!MentionsRecipient(body, facts))
            {
                tips.Add(Tip.NotPersonal);
            }

            if (!SaysWhy(FirstSentence(body)))
            {
                tips.Add(Tip.NoReasonFirst);
            }

            if (body.Length > LongFirstMessage)
            {
                tips.Add(Tip.TooLong);
            }
        }

        if (!facts.OpenConversation && facts.LastUnansweredAt is { } last && facts.Now - last < FollowUpAfter)
        {
            tips.Add(Tip.FollowUpTooSoon);
        }

        if (firstContact && facts.InvitationPossible)
        {
            tips.Add(Tip.ConnectFirst);
        }

        return tips;
    }

    /// <summary>The tip's code on the wire.</summary>
    public static string Code(this Tip tip) => tip switch
    {
        Tip.NotPersonal => "not_personal",
        Tip.NoReasonFirst => "no_reason_first",
        Tip.TooLong => "too_long",
        Tip.FollowUpTooSoon => "follow_up_too_soon",
        _ => "connect_first",
    };

    private static bool MentionsRecipient(string body, in AdviceFacts facts)
    {
        var text = body.ToLower(CultureInfo.InvariantCulture);
        var firstName = facts.RecipientName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (firstName is { Length: > 1 } && ContainsWord(text, firstName.ToLower(CultureInfo.InvariantCulture)))
        {
            return true;
        }

        if (facts.RecipientCompany is { Length: > 1 } company && text.Contains(company.ToLower(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            return true;
        }

        return facts.RecipientHeadline is { } headline
            && Words(headline).Any(word => word.Length >= 4 && !StopWords.Contains(word) && ContainsWord(text, word));
    }

    private static bool SaysWhy(string sentence)
    {
        var text = sentence.ToLower(CultureInfo.InvariantCulture);
        return ReasonWords.Any(word => text.Contains(word, StringComparison.Ordinal));
    }

    private static string FirstSentence(string body)
    {
        // A greeting line ("Hi Ada,") is not the first sentence.
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var start = lines.Length > 1 && lines[0].Length <= 30 ? string.Join(' ', lines.Skip(1)) : string.Join(' ', lines);
        var end = start.IndexOfAny(['.', '!', '?']);
        return end < 0 ? start : start[..(end + 1)];
    }

    private static string[] Words(string text) =>
        text.ToLower(CultureInfo.InvariantCulture).Split([' ', ',', '.', ';', ':', '/', '|', '-', '(', ')', '&'], StringSplitOptions.RemoveEmptyEntries);

    private static bool ContainsWord(string text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var after = at + word.Length == text.Length || !char.IsLetterOrDigit(text[at + word.Length]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }
}
