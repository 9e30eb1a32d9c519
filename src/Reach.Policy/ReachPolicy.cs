namespace Reach.Policy;

/// <summary>How much a locked decision tells the sender (SPEC §2.3).</summary>
public enum ExplainMode
{
    /// <summary>Reason codes, remedies and <c>resetsAt</c>: the default.</summary>
    Detailed,

    /// <summary>Only that the message is locked, and the remedies.</summary>
    Minimal,
}

/// <summary>
/// Every setting of SPEC §1–§3 and §7–§8 that the rules read. <see cref="Default"/> is the spec's tables;
/// <see cref="PolicyFile"/> reads and validates <c>reach.policy.json</c>.
/// </summary>
public sealed record ReachPolicy
{
    private readonly Tier[] _tiers = [];

    /// <summary>The tiers in the policy file's order; each tier's <see cref="Tier.Index"/> is its position here.</summary>
    public required IReadOnlyList<Tier> Tiers
    {
        get => _tiers;
        init => _tiers = [.. value.Select((tier, index) => tier with { Index = index })];
    }

    /// <summary>The tier a new member starts in.</summary>
    public required string DefaultTierId { get; init; }

    /// <summary>Credits one InMail costs.</summary>
    public int InMailCost { get; init; } = 1;

    /// <summary>Cold messages a sender may have waiting for a reply from one recipient before <see cref="Reason.AwaitingReply"/>.</summary>
    public int MaxUnansweredColdMessages { get; init; } = 2;

    /// <summary>Unanswered InMails a sender may have to one recipient before <see cref="Reason.AwaitingReply"/>.</summary>
    public int MaxUnansweredInMails { get; init; } = 1;

    /// <summary>Days after its grant that a credit lot expires.</summary>
    public int CreditExpiryDays { get; init; } = 90;

    /// <summary>Days after an InMail within which a reply, accept or decline returns its credit.</summary>
    public int CreditBackDays { get; init; } = 90;

    /// <summary>Invitations a sender may send in any rolling <see cref="InvitationWindowDays"/>.</summary>
    public int InvitationWeeklyLimit { get; init; } = 100;

    /// <summary>The length of the rolling invitation window, in days.</summary>
    public int InvitationWindowDays { get; init; } = 7;

    /// <summary>Days after a withdrawal during which the same member cannot be invited again.</summary>
    public int ReinviteBlockDays { get; init; } = 21;

    /// <summary>The longest invitation note, in characters.</summary>
    public int InvitationNoteMaxLength { get; init; } = 300;

    /// <summary>The longest message body, in characters.</summary>
    public int MessageBodyMaxLength { get; init; } = 8000;

    /// <summary>The longest InMail subject, in characters.</summary>
    public int InMailSubjectMaxLength { get; init; } = 200;

    /// <summary>Reports from distinct members within <see cref="ReportWindowDays"/> that restrict a sender.</summary>
    public int RestrictAfterReports { get; init; } = 3;

    /// <summary>The window in which reports are counted, in days.</summary>
    public int ReportWindowDays { get; init; } = 30;

    /// <summary>How long a restriction from reports lasts, in days.</summary>
    public int RestrictionDays { get; init; } = 7;

    /// <summary>Wrong-email attempts on <c>knownContacts</c> members a sender may make per day (SPEC §8).</summary>
    public int WrongEmailAttemptsPerDay { get; init; } = 5;

    /// <summary>
    /// Posts a minute from one client address to the endpoints that take a password or make an account (sign-in,
    /// sign-up, token, refresh, the admin sign-in); 0: no limit (a test harness that signs hundreds up from one address).
    /// </summary>
    public int SignInPerMinute { get; init; } = 20;

    /// <summary>Password attempts per account in a quarter of an hour, in one process; Identity locks the account out after as many failures in a row.</summary>
    public int SignInAttemptsPerAccount { get; init; } = 10;

    /// <summary>Messages (sends and replies) a minute from one member; 0: no limit. People write far fewer; a script is held to it.</summary>
    public int SendsPerMinute { get; init; } = 60;

    /// <summary>Pre-flights a minute from one member; 0: no limit.</summary>
    public int PreflightsPerMinute { get; init; } = 600;

    /// <summary>The calendar of receive-cap and credit periods.</summary>
    public PeriodCalendar Periods { get; init; } = PeriodCalendar.Utc;

    /// <summary>How much a locked decision tells the sender.</summary>
    public ExplainMode Explain { get; init; } = ExplainMode.Detailed;

    /// <summary>The weights of the receptiveness hint (SPEC §4).</summary>
    public HintWeights Hints { get; init; } = HintWeights.Default;

    /// <summary>The tier a new member starts in.</summary>
    public Tier DefaultTier => Tier(DefaultTierId);

    /// <summary>The tiers whose members can be cold-messaged only by premium senders (<c>premiumOnlyRecipients</c>).</summary>
    public TierSet PremiumOnlyRecipients => SetOf(tier => tier.PremiumOnlyRecipient);

    /// <summary>The tiers for which <paramref name="predicate"/> holds.</summary>
    public TierSet SetOf(Func<Tier, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var set = TierSet.Empty;
        foreach (var tier in _tiers)
        {
            if (predicate(tier))
            {
                set = set.With(tier);
            }
        }

        return set;
    }

    /// <summary>The tiers as an array, for loops on the decision's hot path that must not allocate an enumerator.</summary>
    internal ReadOnlySpan<Tier> TierSpan => _tiers;

    /// <summary>The tier with this id, or <see langword="null"/>.</summary>
    public Tier? FindTier(string id)
    {
        foreach (var tier in _tiers)
        {
            if (string.Equals(tier.Id, id, StringComparison.Ordinal))
            {
                return tier;
            }
        }

        return null;
    }

    /// <summary>The tier with this id; throws <see cref="KeyNotFoundException"/> when the policy has none.</summary>
    public Tier Tier(string id) => FindTier(id) ?? throw new KeyNotFoundException($"The policy has no tier '{id}'.");

    /// <summary>The policy of SPEC §1–§3 with every default of the spec's tables.</summary>
    public static ReachPolicy Default { get; } = new()
    {
        Tiers =
        [
            new Tier { Id = "basic", DisplayName = "Basic (free)", ReceiveCap = 15, InMailCredits = 0, CreditRolloverCap = 0, PremiumBadge = false, PremiumSender = false, PremiumOnlyRecipient = false },
            new Tier { Id = "premium_business", DisplayName = "Premium Business", ReceiveCap = 25, InMailCredits = 15, CreditRolloverCap = 45, PremiumBadge = true, PremiumSender = true, PremiumOnlyRecipient = true },
            new Tier { Id = "sales_navigator", DisplayName = "Sales Navigator Pro", ReceiveCap = 50, InMailCredits = 50, CreditRolloverCap = 150, PremiumBadge = true, PremiumSender = true, PremiumOnlyRecipient = true },
            new Tier { Id = "recruiter_lite", DisplayName = "Recruiter Lite", ReceiveCap = 150, InMailCredits = 30, CreditRolloverCap = 120, PremiumBadge = true, PremiumSender = false, PremiumOnlyRecipient = false },
            new Tier { Id = "recruiter", DisplayName = "Recruiter", ReceiveCap = 300, InMailCredits = 150, CreditRolloverCap = 600, PremiumBadge = true, PremiumSender = false, PremiumOnlyRecipient = false },
        ],
        DefaultTierId = "basic",
    };
}
