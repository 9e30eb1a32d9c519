namespace Reach.Tests.Reliability;

/// <summary>Lines for the long form's results (docs/RELIABILITY.md): appended to <c>REACH_RELIABILITY_LOG</c> when it is set.</summary>
internal static class Report
{
    private static readonly Lock Gate = new();

    /// <summary>How many times the long form repeats each database fault (<c>REACH_DB_FAULTS</c>); CI once.</summary>
    public static int FaultRepeats => int.TryParse(Environment.GetEnvironmentVariable("REACH_DB_FAULTS"), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;

    public static void Line(string text)
    {
        var path = Environment.GetEnvironmentVariable("REACH_RELIABILITY_LOG");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(path, $"{DateTimeOffset.UtcNow:u} {text}{Environment.NewLine}");
        }
    }
}
