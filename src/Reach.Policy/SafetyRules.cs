namespace Reach.Policy;

/// <summary>The restriction rule of SPEC §7.</summary>
public static class SafetyRules
{
    /// <summary>The start of the window in which reports against a sender are counted.</summary>
    public static DateTimeOffset ReportWindowStart(ReachPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return now.AddDays(-policy.ReportWindowDays);
    }

    /// <summary>
    /// Until when a sender reported by <paramref name="distinctReporters"/> members within the window is restricted,
    /// or <see langword="null"/> when the reports do not reach <see cref="ReachPolicy.RestrictAfterReports"/>.
    /// </summary>
    public static DateTimeOffset? RestrictionUntil(ReachPolicy policy, int distinctReporters, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return distinctReporters >= policy.RestrictAfterReports ? now.AddDays(policy.RestrictionDays) : null;
    }
}
