using Microsoft.Extensions.Logging;

namespace Reach;

/// <summary>
/// Reach's log lines, written by source-generated code (no boxing, no parsing of the template per call). Event ids:
/// 1001–1099 the data layer (<see cref="Data.DataLog"/>), 1100–1199 members and messaging, 1200–1299 background work,
/// 100–199 the server (<c>ServerLog</c>).
/// </summary>
internal static partial class ReachLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "An operator set member {Handle} to {Status} (until {Until}: none is until lifted).")]
    public static partial void StatusSet(ILogger logger, string handle, Policy.AccountStatus status, DateTimeOffset? until);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "The outbox worker failed; it tries again in {Seconds} seconds.")]
    public static partial void OutboxFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "The notification listener lost its PostgreSQL connection; it reconnects in a second.")]
    public static partial void ListenerLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Live wake-ups for {Count} members could not reach the other processes.")]
    public static partial void WakeupsLost(ILogger logger, Exception exception, int count);
}
