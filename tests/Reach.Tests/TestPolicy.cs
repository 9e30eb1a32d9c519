namespace Reach.Tests;

/// <summary>Policy files for test hosts, written once per test run into the temp folder.</summary>
public static class TestPolicy
{
    private static readonly Lazy<string> NoLimits = new(() => Write("""{ "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 } }"""));

    /// <summary>The default policy with the abuse limits off: tests sign hundreds of members up from one address and send in bursts.</summary>
    public static string WithoutLimits => NoLimits.Value;

    /// <summary>Writes <paramref name="json"/> to a file of its own; its path.</summary>
    public static string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reach-test-policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
