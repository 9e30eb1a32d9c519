using Reach.Policy;

namespace Reach.Server.Api;

/// <summary>A remedy on the wire: its code and the facts it carries.</summary>
public sealed record RemedyJson(
    string Code,
    int? InvitationsLeft = null,
    DateTimeOffset? SentAt = null,
    int? Cost = null,
    int? Balance = null,
    IReadOnlyList<string>? Tiers = null,
    DateTimeOffset? ResetsAt = null);

/// <summary>A decision on the wire (pre-flight, profiles, bookmarks, and the 403 of a locked send).</summary>
public sealed record DecisionJson(
    bool Allowed,
    string? Channel,
    int Cost,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<RemedyJson> Remedies,
    DateTimeOffset? ResetsAt,
    DateTimeOffset? RestrictedUntil,
    IReadOnlyList<string>? Tips = null)
{
    /// <summary>The pre-flight's view: the decision and the outreach tips (SPEC §6).</summary>
    public static DecisionJson From(Messaging.PreflightResult preflight, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(preflight);
        return From(preflight.Decision, policy) with { Tips = [.. preflight.Tips.Select(tip => tip.Code())] };
    }

    /// <summary>The sender's view: the explain mode of the policy applies, the trace never appears.</summary>
    public static DecisionJson From(Decision decision, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var view = decision.ForSender(policy.Explain);
        var reasons = new List<string>();
        foreach (var reason in view.Reasons)
        {
            reasons.Add(reason.Code());
        }

        var remedies = new List<RemedyJson>();
        var r = view.Remedies;
        foreach (var remedy in r)
        {
            remedies.Add(remedy switch
            {
                Remedy.SendInvitation => new RemedyJson(remedy.Code(), InvitationsLeft: r.InvitationsLeft),
                Remedy.InvitationPending => new RemedyJson(remedy.Code(), SentAt: r.InvitationSentAt),
                Remedy.UseInMail => new RemedyJson(remedy.Code(), Cost: r.InMailCost, Balance: r.CreditBalance),
                Remedy.Upgrade => new RemedyJson(remedy.Code(), Tiers: [.. r.UpgradeTiers.In(policy).Select(tier => tier.Id)]),
                Remedy.WaitUntil => new RemedyJson(remedy.Code(), ResetsAt: r.ResetsAt),
                _ => new RemedyJson(remedy.Code()),
            });
        }

        return new DecisionJson(view.Allowed, view.Channel.Code(), view.Allowed ? view.Cost : 0, reasons, remedies, view.ResetsAt, view.RestrictedUntil);
    }
}

/// <summary>A decision's trace for operators: each rule and its outcome.</summary>
/// <summary>A receptiveness hint on the wire: the score and each signal behind it.</summary>
public sealed record HintsJson(int Score, IReadOnlyList<HintSignalJson> Signals)
{
    public static HintsJson From(Receptiveness hint)
    {
        ArgumentNullException.ThrowIfNull(hint);
        return new(hint.Score, [.. hint.Signals.Select(s => new HintSignalJson(s.Code, s.Present, s.Points))]);
    }
}

public sealed record HintSignalJson(string Code, bool Present, int Points);

public sealed record TraceJson(DecisionJson Decision, IReadOnlyDictionary<string, string> Rules)
{
    public static TraceJson From(Decision decision, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rules = new Dictionary<string, string>();
        foreach (var rule in DecisionTrace.Rules)
        {
            var name = rule.ToString();
            rules[char.ToLowerInvariant(name[0]) + name[1..]] = decision.Trace[rule] switch
            {
                RuleOutcome.Passed => "passed",
                RuleOutcome.Failed => "failed",
                RuleOutcome.Exempt => "exempt",
                _ => "not_evaluated",
            };
        }

        var detailed = policy with { Explain = ExplainMode.Detailed };
        return new TraceJson(DecisionJson.From(decision, detailed), rules);
    }
}
