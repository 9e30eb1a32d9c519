using Reach.Server.Api;

namespace Reach.Server.Web;

/// <summary>
/// The reasons of a locked message in plain words, as the sender reads them on a page. The words say what the sender
/// may know and nothing more: never a count, an address book, an email, or that a block exists (SPEC §2.3).
/// </summary>
public static class LockWords
{
    public static string Reason(string code, string name, DecisionJson decision, bool inMail = false)
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
            "awaiting_reply" => inMail
                ? $"Your InMail to {name} is not answered yet; you can send another once {name} replies."
                : $"You have written to {name} already; wait for a reply before writing again.",
            "inmail_not_accepted" => $"{name} does not accept InMail.",
            "inmail_requires_premium" => "Your plan does not include InMail.",
            "insufficient_credits" => "You have no InMail credits left.",
            _ => code,
        };
    }

    /// <summary>An outreach tip (SPEC §6) in plain words.</summary>
    public static string Tip(string code, string name) => code switch
    {
        "not_personal" => $"Say something of {name}'s own: their name, their company, their work.",
        "no_reason_first" => "Say in your first sentence why you are writing.",
        "too_long" => "This is long for a first message; a few lines are read more often.",
        "follow_up_too_soon" => $"Your last message to {name} is less than three days old; give it time.",
        "connect_first" => $"An invitation to connect first may work better.",
        _ => code,
    };

    /// <summary>A receptiveness signal (SPEC §4) in plain words.</summary>
    public static string Signal(string code) => code switch
    {
        "premium_badge" => "Premium badge",
        "anonymous_profile" => "No photo and no headline",
        "engagement" => "Answers comments on their posts",
        "many_connections" => "500+ connections",
        "open_to_work" => "Open to work",
        _ => code,
    };

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
