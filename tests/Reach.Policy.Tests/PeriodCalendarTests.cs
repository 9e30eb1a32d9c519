using CsCheck;

namespace Reach.Policy.Tests;

/// <summary>Periods are calendar months in the policy's time zone, DST days included.</summary>
public sealed class PeriodCalendarTests
{
    // Zones with DST at 02:00 (New York, London), at midnight (Santiago, Havana, Beirut), half-hour shifts
    // (Lord Howe), odd offsets (Kathmandu), and a skipped calendar day (Apia, 30 December 2011).
    public static readonly string[] Zones =
    [
        "UTC", "America/New_York", "Europe/London", "America/Santiago", "America/Havana", "Asia/Beirut",
        "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "Pacific/Chatham",
    ];

    public static TheoryData<string> ZoneNames => [.. Zones];

    [Fact]
    public void UtcMonthsStartAtMidnightUtc()
    {
        var period = PeriodCalendar.Utc.Containing(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), period.End);
        Assert.Equal("2026-11", period.Key);
    }

    [Fact]
    public void AMonthInAnotherZoneStartsAtItsLocalMidnight()
    {
        var newYork = PeriodCalendar.Find("America/New_York")!;

        // 03:00 UTC on 1 December is still 30 November in New York.
        var period = newYork.Containing(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

        Assert.Equal("2026-11", period.Key);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void AMonthWhoseMidnightFallsInADstGapStartsWhenTheClockJumps()
    {
        // Chile moved its clocks from 00:00 to 01:00 on 1 September 2019 (America/Santiago).
        var santiago = PeriodCalendar.Find("America/Santiago")!;

        var start = santiago.StartOf(2019, 9);

        Assert.Equal(new DateTimeOffset(2019, 9, 1, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(8, santiago.Containing(start.AddTicks(-1)).Month);
        Assert.Equal(9, santiago.Containing(start).Month);
    }

    [Fact]
    public void AnUnknownZoneIsNotFound()
    {
        Assert.Null(PeriodCalendar.Find("Mars/Olympus_Mons"));
    }

    [Theory]
    [MemberData(nameof(ZoneNames))]
    public void EveryInstantLiesInExactlyOnePeriodAndPeriodsTile(string zone)
    {
        var calendar = PeriodCalendar.Find(zone)!;
        var start = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var end = new DateTimeOffset(2060, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

        Gen.Long[start, end].Sample(seconds =>
        {
            var instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
            var period = calendar.Containing(instant);
            Assert.True(period.Contains(instant), $"{instant:o} not in {period}");
            Assert.Equal(period.End, calendar.Containing(period.End).Start);
            Assert.Equal(period.Start, calendar.Containing(period.Start.AddTicks(-1)).End);
            Assert.True(period.End - period.Start >= TimeSpan.FromDays(27));
            Assert.True(period.End - period.Start <= TimeSpan.FromDays(32));
        }, iter: 2_000);
    }

    [Theory]
    [MemberData(nameof(ZoneNames))]
    public void InstantsNearEveryMonthBoundaryFallInTheRightMonth(string zone)
    {
        // Month boundaries, where DST days and midnight gaps bite: instants within a day of each period start.
        var calendar = PeriodCalendar.Find(zone)!;

        Gen.Select(Gen.Int[1990, 2059], Gen.Int[1, 12], Gen.Int[-86_400, 86_400]).Sample((year, month, offset) =>
        {
            var boundary = calendar.StartOf(year, month);
            var instant = boundary.AddSeconds(offset);
            var period = calendar.Containing(instant);
            var local = TimeZoneInfo.ConvertTime(instant, calendar.TimeZone);
            Assert.Equal((local.Year, local.Month), (period.Year, period.Month));
            Assert.Equal(offset >= 0, period.Start == boundary);
        }, iter: 2_000);
    }
}
