using CsCheck;
using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>The ledger's invariants for any sequence of grants, spends, refunds, expiries and tier changes.</summary>
public sealed class CreditPropertyTests
{
    private enum Op
    {
        AdvanceDays,
        PeriodGrant,
        Spend,
        Refund,
        ChangeTier,
        Adjust,
    }

    private static readonly Gen<(Op Op, int A, int B)> GenStep =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 60], Gen.Int[-20, 20], (op, a, b) => (op, a, b));

    [Fact]
    public void TheBalanceIsTheSumOfTheEntriesAndNeverNegative()
    {
        GenStep.Array[1, 60].Sample(steps =>
        {
            var account = CreditAccount.Empty;
            var tier = PremiumBusiness;
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var spends = new List<(string Ref, DateTimeOffset At)>();
            var n = 0;
            foreach (var (op, a, b) in steps)
            {
                n++;
                CreditChange change;
                switch (op)
                {
                    case Op.AdvanceDays:
                        now = now.AddDays(a).AddHours(b);
                        change = account.ExpireDue(now);
                        break;
                    case Op.PeriodGrant:
                        change = account.GrantForPeriod(Defaults, tier, Defaults.Periods.Containing(now), now);
                        break;
                    case Op.Spend:
                        var reference = "m" + n;
                        change = account.Spend(1 + (a % 3), reference, now);
                        if (change.Succeeded)
                        {
                            spends.Add((reference, now));
                        }

                        break;
                    case Op.Refund when spends.Count > 0:
                        var spent = spends[a % spends.Count];
                        change = account.Refund(Defaults, tier, spent.Ref, spent.At, now);
                        break;
                    case Op.ChangeTier:
                        var to = Defaults.Tiers[a % Defaults.Tiers.Count];
                        change = account.MoveToTier(Defaults, tier, to, "t" + n, now);
                        tier = to;
                        break;
                    case Op.Adjust when b != 0:
                        change = account.Adjust(Defaults, tier, b, LedgerEntryKind.Adjust, "a" + n, now);
                        break;
                    default:
                        change = account.ExpireDue(now);
                        break;
                }

                Assert.True(change.Account.Entries.Length >= account.Entries.Length);
                if (change.Refusal is not null)
                {
                    Assert.All(change.Added, entry => Assert.Equal(LedgerEntryKind.Expire, entry.Kind));
                }

                account = change.Account;
                AssertBalanced(account, now);
                if (!tier.HasInMail)
                {
                    Assert.Equal(0, account.Balance);
                }
            }
        }, iter: 2_000);
    }

    private static void AssertBalanced(CreditAccount account, DateTimeOffset now)
    {
        var running = 0;
        foreach (var entry in account.Entries)
        {
            running += entry.Amount;
            Assert.Equal(running, entry.BalanceAfter);
            Assert.True(entry.BalanceAfter >= 0);
        }

        Assert.Equal(account.Entries.Sum(entry => entry.Amount), account.Balance);
        Assert.Equal(account.Lots.Sum(lot => lot.Remaining), account.Balance);
        Assert.All(account.Lots, lot => Assert.InRange(lot.Remaining, 0, lot.Amount));
        Assert.DoesNotContain(account.Lots, lot => lot.Remaining > 0 && lot.ExpiresAt <= now);
        Assert.Equal(account.Entries.Length, account.Entries.Select(entry => entry.Key).Distinct().Count());
    }
}
