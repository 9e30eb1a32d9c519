namespace Reach.Policy;

/// <summary>Optional instants stored compactly as UTC ticks, 0 meaning none.</summary>
internal static class Instants
{
    public static long ToTicks(DateTimeOffset? instant) => instant?.UtcTicks ?? 0;

    public static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
