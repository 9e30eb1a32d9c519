namespace Reach.Policy.Tests;

/// <summary>Facts for the default policy, starting from a cold message that is allowed.</summary>
internal static class Scenario
{
    public static readonly ReachPolicy Defaults = ReachPolicy.Default;
    public static readonly Tier Basic = Defaults.Tier("basic");
    public static readonly Tier PremiumBusiness = Defaults.Tier("premium_business");
    public static readonly Tier SalesNavigator = Defaults.Tier("sales_navigator");
    public static readonly Tier RecruiterLite = Defaults.Tier("recruiter_lite");
    public static readonly Tier Recruiter = Defaults.Tier("recruiter");

    /// <summary>Mid-November 2026, UTC.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A basic member writes cold to a basic member who accepts anyone: allowed on the open channel.</summary>
    public static DecisionFacts Cold => new()
    {
        Sender = new Party(Basic),
        Recipient = new Party(Basic),
        Settings = MessagingSettings.Default,
        Now = Now,
        InvitationsLeft = 100,
        EmailAttemptsLeft = 5,
    };

    /// <summary>A Premium Business member with 10 credits sends InMail to a basic member: allowed on the InMail channel.</summary>
    public static DecisionFacts InMail => Cold with
    {
        Kind = MessageKind.InMail,
        Sender = new Party(PremiumBusiness),
        CreditBalance = 10,
    };

    public static Decision Decide(DecisionFacts facts) => MessageRules.Decide(Defaults, facts);

    public static Reason[] Reasons(this Decision decision) => [.. decision.Reasons.ToList()];

    public static Remedy[] Remedies(this Decision decision)
    {
        var list = new List<Remedy>();
        foreach (var remedy in decision.Remedies)
        {
            list.Add(remedy);
        }

        return [.. list];
    }

    public static string[] UpgradeTierIds(this Decision decision) =>
        [.. decision.Remedies.UpgradeTiers.In(Defaults).Select(tier => tier.Id)];
}
