using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>
/// The promises the stored state keeps after a fault (a server killed, a database hurt): every acknowledged send is
/// stored, no recipient has more cold messages than <c>cap</c>, the counters equal the messages, every ledger is
/// balanced and never negative, and there is one spend per InMail.
/// </summary>
public static class StoredState
{
    /// <summary>Checks the database <paramref name="db"/>; answers how many messages and InMails it holds.</summary>
    public static async Task<(int Messages, int InMails)> AssertHeldAsync(string db, IEnumerable<long> acknowledged, int cap)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(ReachPolicy.Default).AddSingleton(TimeProvider.System)
            .AddReach(_ => DatabaseOptions.Parse(db)).BuildServiceProvider();
        await using (services)
        {
            await using var scope = services.CreateAsyncScope();
            var reach = scope.ServiceProvider.GetRequiredService<ReachDb>();
            var stored = (await reach.Messages.Select(m => m.Id).ToListAsync()).ToHashSet();
            Assert.All(acknowledged, id => Assert.Contains(id, stored));

            var cold = await reach.Messages.Where(m => m.Channel == "open").GroupBy(m => m.RecipientId).Select(g => g.Count()).ToListAsync();
            Assert.All(cold, count => Assert.InRange(count, 0, cap));
            Assert.Equal(cold.Sum(), (await reach.ReceiveCounters.ToListAsync()).Sum(c => c.Used));

            var members = await reach.Members.Select(m => new { m.Id, m.CreditBalance }).ToListAsync();
            var ledger = await reach.Ledger.OrderBy(e => e.Id).ToListAsync();
            foreach (var member in members)
            {
                var running = 0;
                foreach (var entry in ledger.Where(e => e.MemberId == member.Id))
                {
                    running += entry.Amount;
                    Assert.Equal(running, entry.BalanceAfter);
                    Assert.True(running >= 0);
                }

                Assert.Equal(running, member.CreditBalance);
            }

            var inMails = await reach.Messages.CountAsync(m => m.Channel == "inMail");
            Assert.Equal(inMails, ledger.Count(e => e.Kind == LedgerEntryKind.Spend));
            return (stored.Count, inMails);
        }
    }
}
