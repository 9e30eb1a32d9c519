using Reach.Server.Api;

namespace Reach.Server.Web;

/// <summary>
/// The reasons of a locked message in plain words, as the sender reads them on a page. The words say what the sender
/// may know and nothing more: never a count, an address book, an email, or that a block exists (SPEC §2.3).
/// </summary>
public static class LockWords
{
    public static string Reason(string code, string name, DecisionJson decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return code switch
        {
            "unavailable" => $"You can't message {name}.",
            "sender_suspended" => "Your account is suspended, so you can't send messages.",
            "sender_restricted" => decision.RestrictedUntil is { } until
                ? $"Your account is restricted until {Show.Moment(until)}: you can reply to conversations, but not write first."
                : "Your account is restricted: you can reply to conversations, but not write first.",
            "connections_only" => $"{name} accepts messages only from their connections.",
            "known_contacts_only" => $"{name} accepts first messages only from people who know their email address.",
            "premium_required" => $"{name} accepts first messages only from members with a premium plan.",
            "monthly_limit_reached" => decision.ResetsAt is { } resets
                ? $"{name} has received all the first messages they take this month. It opens again on {Show.Day(resets)}."
                : $"{name} has received all the first messages they take this month.",
            "awaiting_reply" => $"You have written to {name} already; wait for a reply before writing again.",
            "inmail_not_accepted" => $"{name} does not accept InMail.",
            "inmail_requires_premium" => "Your plan does not include InMail.",
            "insufficient_credits" => "You have no InMail credits left.",
            _ => code,
        };
    }

    /// <summary>How an allowed message travels, in a few words for the Message button.</summary>
    public static string Channel(string? channel, int cost) => channel switch
    {
        "connection" => "You are connected.",
        "conversation" => "You are already in a conversation.",
        "open" => "Open to messages from anyone.",
        "knownContact" => "You know their email address.",
        "openProfile" => "Open profile: anyone may write.",
        "inMail" => $"InMail: costs {Show.Plural(cost, "credit", "credits")}.",
        _ => string.Empty,
    };
}
