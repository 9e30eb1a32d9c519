using System.Globalization;

namespace Reach.Policy;

/// <summary>
/// One period of the receive cap and the InMail grant: a calendar month in the policy's time zone,
/// from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive).
/// </summary>
/// <param name="Year">The local calendar year.</param>
/// <param name="Month">The local calendar month, 1–12.</param>
/// <param name="Start">The first instant of the period.</param>
/// <param name="End">The first instant of the next period: the moment a receive cap resets.</param>
public readonly record struct Period(int Year, int Month, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>A stable key such as <c>2026-11</c>, for counters stored per period.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");

    /// <summary>Whether <paramref name="instant"/> falls in this period.</summary>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;
}

/// <summary>
/// Calendar months in one time zone (the policy's <c>period.timeZone</c>, an IANA id, UTC by default).
/// A month starts at local midnight on its first day; where that midnight does not exist (a daylight-saving
/// gap) it starts at the first local time after the gap, and where it occurs twice, at the first occurrence.
/// </summary>
public sealed class PeriodCalendar
{
    private PeriodCalendar(TimeZoneInfo zone) => TimeZone = zone;

    /// <summary>Calendar months in UTC.</summary>
    public static PeriodCalendar Utc { get; } = new(TimeZoneInfo.Utc);

    /// <summary>The time zone of the months.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The IANA id of <see cref="TimeZone"/>.</summary>
    public string TimeZoneId => TimeZone.Id;

    /// <summary>The calendar for an IANA time zone id, or <see langword="null"/> when this machine does not know the id.</summary>
    public static PeriodCalendar? Find(string timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(timeZoneId);
        if (timeZoneId is "UTC" or "Etc/UTC")
        {
            return Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? new PeriodCalendar(zone) : null;
    }

    /// <summary>The period that contains <paramref name="instant"/>.</summary>
    public Period Containing(DateTimeOffset instant)
    {
        var local = ReferenceEquals(TimeZone, TimeZoneInfo.Utc)
            ? instant.UtcDateTime
            : TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime;
        return Of(local.Year, local.Month);
    }

    /// <summary>The period of a local calendar month.</summary>
    public Period Of(int year, int month)
    {
        var (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1);
        return new Period(year, month, StartOf(year, month), StartOf(nextYear, nextMonth));
    }

    /// <summary>The first instant of a local calendar month.</summary>
    public DateTimeOffset StartOf(int year, int month)
    {
        var midnight = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        if (ReferenceEquals(TimeZone, TimeZoneInfo.Utc))
        {
            return new DateTimeOffset(midnight, TimeSpan.Zero);
        }

        if (TimeZone.IsAmbiguousTime(midnight))
        {
            // The earlier of the two instants that show this local time carries the larger offset.
            var offset = TimeZone.GetAmbiguousTimeOffsets(midnight).Max();
            return new DateTimeOffset(midnight, offset).ToUniversalTime();
        }

        var local = midnight;
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }
}
