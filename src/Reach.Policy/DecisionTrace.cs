namespace Reach.Policy;

/// <summary>The rules of SPEC §2.1–§2.2, in the order they are evaluated. Each appears in a <see cref="DecisionTrace"/>.</summary>
public enum Rule
{
    /// <summary>Both members exist, are not deactivated, and differ.</summary>
    Members,

    /// <summary>No block either way, and a recipient who can be reached.</summary>
    Block,

    /// <summary>The sender is not suspended, nor restricted for a cold message.</summary>
    SenderStatus,

    /// <summary>A connection or an open conversation exempts the message from every cold rule.</summary>
    Relationship,

    /// <summary>R's <c>whoCanMessage</c>, passed by <c>openProfile</c>.</summary>
    Preference,

    /// <summary>Premium-only recipients.</summary>
    PremiumOnly,

    /// <summary>R's receive cap for the period.</summary>
    ReceiveCap,

    /// <summary>S's unanswered cold messages to R.</summary>
    ColdPacing,

    /// <summary>S's tier may send InMail.</summary>
    InMailTier,

    /// <summary>S has the credits an InMail costs.</summary>
    InMailCredits,

    /// <summary>R accepts InMail.</summary>
    InMailAccepted,

    /// <summary>S's unanswered InMails to R.</summary>
    InMailPacing,
}

/// <summary>What a rule did in one decision.</summary>
public enum RuleOutcome
{
    /// <summary>Not evaluated: an earlier rule settled the decision (a block, or an error).</summary>
    NotEvaluated,

    /// <summary>The rule passed.</summary>
    Passed,

    /// <summary>The rule locked the message.</summary>
    Failed,

    /// <summary>The rule does not apply: a connection or open conversation exempts it, or it belongs to the other kind of message.</summary>
    Exempt,
}

/// <summary>
/// The outcome of every <see cref="Rule"/> in one decision, for operators. It names rules, never the
/// recipient's counts or address book. A value type: four bits per rule.
/// </summary>
public readonly record struct DecisionTrace(ulong Bits)
{
    /// <summary>Every rule, in evaluation order.</summary>
    public static IReadOnlyList<Rule> Rules { get; } = Enum.GetValues<Rule>();

    /// <summary>The outcome of <paramref name="rule"/>.</summary>
    public RuleOutcome this[Rule rule] => (RuleOutcome)((Bits >> ((int)rule * 4)) & 0xF);

    /// <summary>The trace with <paramref name="rule"/> set to <paramref name="outcome"/>.</summary>
    public DecisionTrace With(Rule rule, RuleOutcome outcome)
    {
        var shift = (int)rule * 4;
        return new((Bits & ~(0xFUL << shift)) | ((ulong)outcome << shift));
    }

    /// <summary>The trace with <paramref name="rule"/> passed or failed.</summary>
    public DecisionTrace With(Rule rule, bool failed) => With(rule, failed ? RuleOutcome.Failed : RuleOutcome.Passed);
}
