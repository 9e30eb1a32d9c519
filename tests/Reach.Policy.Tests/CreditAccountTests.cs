using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>InMail credits over time (SPEC §2.2): grants, rollover, expiry, spend, credit back, tier changes.</summary>
public sealed class CreditAccountTests
{
    private static readonly DateTimeOffset Nov1 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static CreditAccount Granted(Tier tier, DateTimeOffset at) =>
        CreditAccount.Empty.GrantForPeriod(Defaults, tier, Defaults.Periods.Containing(at), at).Account;

    [Fact]
    public void APeriodGrantGivesTheTiersCreditsOnce()
    {
        var account = Granted(PremiumBusiness, Nov1);

        var again = account.GrantForPeriod(Defaults, PremiumBusiness, Defaults.Periods.Containing(Nov1), Nov1.AddDays(3));

        Assert.Equal(15, account.Balance);
        Assert.Equal(15, again.Account.Balance);
        Assert.Empty(again.Added);
    }

    [Fact]
    public void ABasicMemberGetsNoGrant()
    {
        Assert.Equal(0, Granted(Basic, Nov1).Balance);
    }

    [Fact]
    public void UnusedCreditsRollOverUpToTheCap()
    {
        var account = CreditAccount.Empty;
        var at = Nov1;
        for (var month = 0; month < 4; month++)
        {
            account = account.GrantForPeriod(Defaults, PremiumBusiness, Defaults.Periods.Containing(at), at).Account;
            at = Defaults.Periods.Containing(at).End;
        }

        // 15 a month for four months would be 60, but the premium business rollover cap is 45 (and the oldest
        // lot expired after 90 days anyway).
        Assert.Equal(45, account.Balance);
    }

    [Fact]
    public void TheRolloverCapTrimsTheOldestCreditsFirst()
    {
        var account = Granted(PremiumBusiness, Nov1)
            .Adjust(Defaults, PremiumBusiness, 20, LedgerEntryKind.Adjust, "gift", Nov1.AddDays(1)).Account;

        var change = account.GrantForPeriod(Defaults, PremiumBusiness, Defaults.Periods.Of(2026, 12), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(45, change.Account.Balance);
        var trimmed = Assert.Single(change.Added, entry => entry.Kind == LedgerEntryKind.Expire);
        Assert.Equal(-5, trimmed.Amount);
        Assert.Equal("grant:2026-11", trimmed.LotId);
    }

    [Fact]
    public void AGrantExpiresNinetyDaysAfterItWasGranted()
    {
        var account = Granted(PremiumBusiness, Nov1);

        Assert.Equal(15, account.ExpireDue(Nov1.AddDays(90).AddTicks(-1)).Account.Balance);
        var expired = account.ExpireDue(Nov1.AddDays(90));
        Assert.Equal(0, expired.Account.Balance);
        var entry = Assert.Single(expired.Added);
        Assert.Equal(LedgerEntryKind.Expire, entry.Kind);
        Assert.Equal(Nov1.AddDays(90), entry.At);
    }

    [Fact]
    public void SpendingTakesTheOldestLotFirst()
    {
        var account = Granted(PremiumBusiness, Nov1)
            .GrantForPeriod(Defaults, PremiumBusiness, Defaults.Periods.Of(2026, 12), Nov1.AddDays(30)).Account;

        var change = account.Spend(1, "m1", Nov1.AddDays(31));

        Assert.Equal(29, change.Account.Balance);
        Assert.Equal("grant:2026-11", Assert.Single(change.Added).LotId);
    }

    [Fact]
    public void ASpendLargerThanTheBalanceIsRefusedAndChangesNothing()
    {
        var account = Granted(PremiumBusiness, Nov1);

        var change = account.Spend(16, "m1", Nov1);

        Assert.Equal(CreditRefusal.InsufficientCredits, change.Refusal);
        Assert.Equal(15, change.Account.Balance);
        Assert.Empty(change.Added);
    }

    [Fact]
    public void ASpendIsIdempotentByItsMessage()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(1, "m1", Nov1).Account;

        var again = account.Spend(1, "m1", Nov1.AddMinutes(1));

        Assert.True(again.Succeeded);
        Assert.Equal(14, again.Account.Balance);
        Assert.Empty(again.Added);
    }

    [Fact]
    public void ACreditComesBackOnceWhenTheRecipientAnswersWithinNinetyDays()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(1, "m1", Nov1).Account;

        var refund = account.Refund(Defaults, PremiumBusiness, "m1", Nov1, Nov1.AddDays(2));
        var twice = refund.Account.Refund(Defaults, PremiumBusiness, "m1", Nov1, Nov1.AddDays(3));

        Assert.Equal(15, refund.Account.Balance);
        Assert.Equal(LedgerEntryKind.Refund, Assert.Single(refund.Added).Kind);
        Assert.Equal(15, twice.Account.Balance);
        Assert.Empty(twice.Added);
    }

    [Fact]
    public void NoCreditComesBackAfterNinetyDays()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(1, "m1", Nov1.AddDays(1)).Account;

        var refund = account.Refund(Defaults, PremiumBusiness, "m1", Nov1.AddDays(1), Nov1.AddDays(91).AddTicks(1));

        Assert.Equal(CreditRefusal.RefundWindowClosed, refund.Refusal);
    }

    [Fact]
    public void ACreditReturnedAfterItsLotExpiredArrivesInANewLot()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(1, "m1", Nov1.AddDays(80)).Account;
        var returnedAt = Nov1.AddDays(95);

        var refund = account.Refund(Defaults, PremiumBusiness, "m1", Nov1.AddDays(80), returnedAt);

        Assert.True(refund.Succeeded);
        Assert.Equal(1, refund.Account.Balance);
        var lot = Assert.Single(refund.Account.Lots, lot => lot.Remaining > 0);
        Assert.Equal(returnedAt.AddDays(90), lot.ExpiresAt);
    }

    [Fact]
    public void AnExpiredLotStaysClosedWhenTheClockReadsEarlier()
    {
        var spentAt = Nov1.AddDays(80);
        var expired = Granted(PremiumBusiness, Nov1).Spend(1, "m1", spentAt).Account.ExpireDue(Nov1.AddDays(91)).Account;

        var refund = expired.Refund(Defaults, PremiumBusiness, "m1", spentAt, Nov1.AddDays(89));
        var later = refund.Account.ExpireDue(Nov1.AddDays(200)).Account;

        Assert.Equal(1, refund.Account.Balance);
        Assert.Equal(Nov1.AddDays(179), Assert.Single(refund.Account.Lots, lot => lot.Remaining > 0).ExpiresAt);
        Assert.Equal(0, later.Balance);
        Assert.Equal(later.Entries.Length, later.Entries.Select(entry => entry.Key).Distinct().Count());
    }

    [Fact]
    public void NothingToRefundWithoutASpend()
    {
        Assert.Equal(CreditRefusal.NothingToRefund, Granted(PremiumBusiness, Nov1).Refund(Defaults, PremiumBusiness, "m9", Nov1, Nov1).Refusal);
    }

    [Fact]
    public void NoRefundToATierWithoutInMail()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(1, "m1", Nov1).Account
            .MoveToTier(Defaults, PremiumBusiness, Basic, "down", Nov1.AddDays(1)).Account;

        Assert.Equal(CreditRefusal.NoInMail, account.Refund(Defaults, Basic, "m1", Nov1, Nov1.AddDays(2)).Refusal);
    }

    [Fact]
    public void MovingToATierWithoutInMailForfeitsTheBalance()
    {
        var change = Granted(SalesNavigator, Nov1).MoveToTier(Defaults, SalesNavigator, Basic, "c1", Nov1.AddDays(5));

        Assert.Equal(0, change.Account.Balance);
        Assert.All(change.Added, entry => Assert.Equal(LedgerEntryKind.Expire, entry.Kind));
        Assert.Equal(-50, change.Added.Sum(entry => entry.Amount));
    }

    [Fact]
    public void MovingToATierWithInMailGrantsItsCreditsWithinItsRolloverCap()
    {
        var up = CreditAccount.Empty.MoveToTier(Defaults, Basic, SalesNavigator, "c1", Nov1);
        var sideways = Granted(Recruiter, Nov1).Adjust(Defaults, Recruiter, 500, LedgerEntryKind.Adjust, "a", Nov1).Account
            .MoveToTier(Defaults, Recruiter, PremiumBusiness, "c2", Nov1.AddDays(1));

        Assert.Equal(50, up.Account.Balance);
        Assert.Equal(45, sideways.Account.Balance);
    }

    [Fact]
    public void ANegativeAdjustmentCannotTakeTheBalanceBelowZero()
    {
        var change = Granted(PremiumBusiness, Nov1).Adjust(Defaults, PremiumBusiness, -16, LedgerEntryKind.Adjust, "fix", Nov1);

        Assert.Equal(CreditRefusal.InsufficientCredits, change.Refusal);
        Assert.Equal(15, change.Account.Balance);
    }

    [Fact]
    public void ExpiringByCountsTheCreditsThatWillBeGone()
    {
        var account = Granted(PremiumBusiness, Nov1)
            .GrantForPeriod(Defaults, PremiumBusiness, Defaults.Periods.Of(2026, 12), Nov1.AddDays(30)).Account;

        Assert.Equal(15, account.ExpiringBy(Nov1.AddDays(90)));
        Assert.Equal(30, account.ExpiringBy(Nov1.AddDays(120)));
    }

    [Fact]
    public void EveryEntryHasADistinctKey()
    {
        var account = Granted(PremiumBusiness, Nov1).Spend(2, "m1", Nov1).Account
            .Refund(Defaults, PremiumBusiness, "m1", Nov1, Nov1.AddDays(1)).Account
            .Spend(1, "m2", Nov1.AddDays(2)).Account;

        Assert.Equal(account.Entries.Length, account.Entries.Select(entry => entry.Key).Distinct().Count());
    }

    [Fact]
    public void NoCreditsCanBeAddedToATierWithoutInMail()
    {
        var change = CreditAccount.Empty.Adjust(Defaults, Basic, 5, LedgerEntryKind.Adjust, "gift", Nov1);

        Assert.Equal(CreditRefusal.NoInMail, change.Refusal);
        Assert.Equal(0, change.Account.Balance);
    }
}
