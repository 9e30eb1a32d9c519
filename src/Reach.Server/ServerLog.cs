namespace Reach.Server;

/// <summary>The server's log lines, written by source-generated code (event ids 100–199; the library's: <c>ReachLog</c>).</summary>
internal static partial class ServerLog
{
    /// <summary>The start-up facts: the one Information line of a server that runs as expected.</summary>
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Reach started: {Database} at {Where}, policy {Policy}, {Clock} clock, listening on {Addresses}.")]
    public static partial void Started(ILogger logger, string database, string where, string policy, string clock, string addresses);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "The reachability sweep failed; it runs again in {Minutes} minutes.")]
    public static partial void SweepFailed(ILogger logger, Exception exception, double minutes);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Database unavailable on {Method} {Path}.")]
    public static partial void DatabaseUnavailable(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}.")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
