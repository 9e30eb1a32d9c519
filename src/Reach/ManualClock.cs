namespace Reach;

/// <summary>
/// A clock that stands still until set, like a payment provider's test clock (SPEC §10, <c>--clock manual</c>).
/// It never goes backwards on its own; an operator may set any instant.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _utcTicks, now.UtcTicks);
}
