using System.Globalization;
using Reach.Policy;

namespace Reach.Server.Web;

/// <summary>How pages write dates, tiers and counts. Times are UTC, written so that nobody has to guess the zone.</summary>
public static class Show
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>"1 December 2026".</summary>
    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy", English);

    /// <summary>"1 December 2026, 09:30 UTC".</summary>
    public static string Moment(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy, HH:mm", English) + " UTC";

    /// <summary>"27 Nov, 09:30" for lists.</summary>
    public static string Brief(DateTimeOffset at) => at.UtcDateTime.ToString("d MMM, HH:mm", English);

    /// <summary>The machine-readable form for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A file of the site, linked with its version (<see cref="Assets"/>).</summary>
    public static string Asset(string path) => Assets.Versioned(path);

    public static string TierName(ReachPolicy policy, string tierId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.FindTier(tierId)?.DisplayName ?? tierId;
    }

    public static string Plural(int count, string one, string many) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);

    /// <summary>Two letters for an avatar without a photo.</summary>
    public static string Initials(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var parts = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => "?",
            1 => parts[0][..1].ToUpperInvariant(),
            _ => (parts[0][..1] + parts[^1][..1]).ToUpperInvariant(),
        };
    }
}
