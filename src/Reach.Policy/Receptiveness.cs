namespace Reach.Policy;

/// <summary>The weights of the receptiveness hint (SPEC §4), from the policy file's <c>hints</c> section.</summary>
public sealed record HintWeights
{
    /// <summary>The defaults: a neutral start of 40, moved by each public signal.</summary>
    public static readonly HintWeights Default = new();

    /// <summary>The score of a member with no signal at all.</summary>
    public int Base { get; init; } = 40;

    /// <summary>Added for a premium badge: a paying member reads their messages, and usually accepts them.</summary>
    public int PremiumBadge { get; init; } = 15;

    /// <summary>Added (a negative number) for an anonymous profile: no photo and no headline.</summary>
    public int AnonymousProfile { get; init; } = -30;

    /// <summary>Added in proportion to engagement: the share of comments on their posts they answered in 90 days.</summary>
    public int Engagement { get; init; } = 25;

    /// <summary>Added for a large network.</summary>
    public int ManyConnections { get; init; } = 10;

    /// <summary>The connection count that makes a network large.</summary>
    public int ManyConnectionsAt { get; init; } = 500;

    /// <summary>Added for a member open to work.</summary>
    public int OpenToWork { get; init; } = 15;
}

/// <summary>The public facts about a member that the hint reads; none of them is private.</summary>
public readonly record struct ReceptivenessFacts(bool PremiumBadge, bool HasPhoto, bool HasHeadline, double? Engagement, int Connections, bool OpenToWork);

/// <summary>One signal behind a hint: its code, whether it applies, and the points it adds.</summary>
public readonly record struct HintSignal(string Code, bool Present, int Points);

/// <summary>A receptiveness hint: a score from 0 to 100 and the signals behind it.</summary>
public sealed record Receptiveness(int Score, IReadOnlyList<HintSignal> Signals)
{
    /// <summary>Scores a member's public signals with the policy's weights.</summary>
    public static Receptiveness Of(ReachPolicy policy, ReceptivenessFacts facts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var w = policy.Hints;
        var anonymous = !facts.HasPhoto && !facts.HasHeadline;
        var engagement = facts.Engagement is { } share ? Math.Clamp(share, 0, 1) : 0;
        HintSignal[] signals =
        [
            new("premium_badge", facts.PremiumBadge, facts.PremiumBadge ? w.PremiumBadge : 0),
            new("anonymous_profile", anonymous, anonymous ? w.AnonymousProfile : 0),
            new("engagement", facts.Engagement is not null, (int)Math.Round(w.Engagement * engagement, MidpointRounding.AwayFromZero)),
            new("many_connections", facts.Connections >= w.ManyConnectionsAt, facts.Connections >= w.ManyConnectionsAt ? w.ManyConnections : 0),
            new("open_to_work", facts.OpenToWork, facts.OpenToWork ? w.OpenToWork : 0),
        ];
        var score = w.Base;
        foreach (var signal in signals)
        {
            score += signal.Points;
        }

        return new Receptiveness(Math.Clamp(score, 0, 100), signals);
    }
}
