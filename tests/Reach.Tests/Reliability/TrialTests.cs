using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using Reach.Policy;
using static Reach.Tests.Api;

namespace Reach.Tests.Reliability;

/// <summary>One randomized trial: who sends what to one recipient, how requests are retried, and whether a period ends midway.</summary>
/// <param name="Senders">How many members send at once (2–64).</param>
/// <param name="Cap">The recipient's receive cap (0–50), a tier of the trial policy.</param>
/// <param name="Sends">For each sender, its sends: InMail or not, and how the request is retried.</param>
/// <param name="Rollover">Whether the period ends while the sends run.</param>
/// <param name="Replies">Of the InMails delivered, the share the recipient answers (credits come back).</param>
public sealed record Trial(int Senders, int Cap, (bool InMail, Retry Retry)[][] Sends, bool Rollover, double Replies)
{
    public override string ToString() =>
        $"senders={Senders} cap={Cap} sends={Sends.Sum(s => s.Length)} inMails={Sends.Sum(s => s.Count(x => x.InMail))} rollover={Rollover} replies={Replies:0.00}";
}

/// <summary>How a send is repeated: not at all, twice at once with one Idempotency-Key, or twice at once without one.</summary>
public enum Retry
{
    None,
    SameKey,
    NoKey,
}

/// <summary>
/// Randomized concurrent trials (issue: reliability suite). Each trial makes a fresh recipient whose cap is drawn from
/// 0–50, lets 2–64 pooled senders send regular messages and InMails at once (some retried with or without an
/// Idempotency-Key, a period rollover in the middle for some), has the recipient answer some InMails, and then
/// checks the database: no period's cold messages exceed the cap by even one, the counter agrees with the messages,
/// every acknowledged send is stored (and nothing else), one key gave one message, and every ledger is balanced and
/// never negative. <c>REACH_TRIALS</c> sets the number of trials (CI runs the short form).
/// </summary>
public abstract class TrialTests : IAsyncLifetime
{
    private const string Policy = """
        {
          "tiers": {
            "sender": { "receiveCap": 15, "inMailCredits": 6, "creditRolloverCap": 12, "premiumBadge": false, "premiumSender": true },
            "cap0": { "receiveCap": 0, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap1": { "receiveCap": 1, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap2": { "receiveCap": 2, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap3": { "receiveCap": 3, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap5": { "receiveCap": 5, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap8": { "receiveCap": 8, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap13": { "receiveCap": 13, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap21": { "receiveCap": 21, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap34": { "receiveCap": 34, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
            "cap50": { "receiveCap": 50, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false }
          },
          "defaultTier": "sender",
          "premiumOnlyRecipients": [],
          "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 }
        }
        """;

    private static readonly int[] Caps = [0, 1, 2, 3, 5, 8, 13, 21, 34, 50];

    private static readonly Gen<Trial> GenTrial =
        from senders in Gen.Int[2, 64]
        from cap in Gen.Int[0, Caps.Length - 1].Select(i => Caps[i])
        from sends in Gen.Select(Gen.Bool, Gen.Frequency((6, Gen.Const(Retry.None)), (2, Gen.Const(Retry.SameKey)), (2, Gen.Const(Retry.NoKey)))).Array[1, 3].Array[senders]
        from rollover in Gen.Bool
        from replies in Gen.Int[0, 4].Select(quarters => quarters / 4.0)
        select new Trial(senders, cap, sends, rollover, replies);

    private readonly Database _database;
    private readonly int _hosts;
    private readonly List<ReachHost> _hostList = [];
    private readonly List<Api> _apis = [];
    private readonly List<TestMember> _pool = [];
    private DateTimeOffset _month = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected TrialTests(Database database, int hosts)
    {
        _database = database;
        _hosts = hosts;
    }

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        var file = Path.Combine(Path.GetTempPath(), $"reach-trials-{Guid.NewGuid():N}.policy.json");
        await File.WriteAllTextAsync(file, Policy);
        for (var i = 0; i < _hosts; i++)
        {
            var host = new ReachHost(_database.Db, new Dictionary<string, string> { ["policy"] = file });
            _hostList.Add(host);
            var api = new Api(host);
            await api.Anonymous.GetAsync(new Uri("/health", UriKind.Relative));
            _apis.Add(api);
        }

        await SetClockAsync(_month.AddDays(10));
        for (var i = 0; i < 64; i++)
        {
            _pool.Add(await _apis[i % _hosts].SignUpAsync("pool"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hostList)
        {
            await host.DisposeAsync();
        }

        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task NoCapExceededNoSendLostLedgersBalanced()
    {
        var trials = int.TryParse(Environment.GetEnvironmentVariable("REACH_TRIALS"), CultureInfo.InvariantCulture, out var n) ? n : 3;
        await GenTrial.SampleAsync(RunAsync, iter: trials, threads: 1);
    }

    private async Task RunAsync(Trial trial)
    {
        // Each trial has a month of its own; a rollover moves to the next one midway.
        _month = _month.AddMonths(2);
        await SetClockAsync(_month.AddDays(27));
        var api = _apis[0];
        var recipient = await api.SignUpAsync("r", tier: "cap" + trial.Cap.ToString(CultureInfo.InvariantCulture));
        var senders = _pool.Take(trial.Senders).Select((sender, i) => sender with { Client = ClientFor(sender, i % _hosts) }).ToList();

        var acknowledged = new List<(long SenderIndex, long MessageId, bool InMail, string? Key)>();
        var gate = new object();
        var started = 0;
        var total = trial.Sends.Sum(s => s.Length);
        var rollover = trial.Rollover ? new TaskCompletionSource() : null;
        async Task SendOneAsync(int index, bool inMail, Retry retry)
        {
            if (rollover is not null && Interlocked.Increment(ref started) == (total / 2) + 1)
            {
                await SetClockAsync(_month.AddMonths(1));
                rollover.TrySetResult();
            }

            var key = retry == Retry.SameKey ? Guid.NewGuid().ToString("N") : null;
            var tries = retry == Retry.None ? 1 : 2;
            var responses = await Task.WhenAll(Enumerable.Range(0, tries).Select(_ => SendAsync(senders[index], recipient, inMail ? "An InMail in a trial" : "A message in a trial", inMail, key: key)));
            foreach (var response in responses)
            {
                Assert.True((int)response.StatusCode < 500, $"{trial}: a send answered {(int)response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var id = (await ReadAsync(response)).GetProperty("messageId").GetInt64();
                    lock (gate)
                    {
                        acknowledged.Add((index, id, inMail, key));
                    }
                }
            }
        }

        await Task.WhenAll(trial.Sends.SelectMany((sends, index) => sends.Select(send => SendOneAsync(index, send.InMail, send.Retry))));

        // The recipient answers a share of the InMails it received: their credits go back.
        var inMails = acknowledged.Where(a => a.InMail).Select(a => a.MessageId).Distinct().ToList();
        var answered = inMails.Take((int)Math.Round(inMails.Count * trial.Replies)).ToList();
        await using (var scope = _hostList[0].Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
            var conversations = await db.Messages.Where(m => answered.Contains(m.Id)).Select(m => m.ConversationId).ToListAsync();
            foreach (var conversation in conversations)
            {
                var reply = await recipient.Client.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { body = "Thanks, happy to talk" });
                Assert.True(reply.StatusCode == HttpStatusCode.Created, $"{trial}: a reply answered {(int)reply.StatusCode}");
            }
        }

        await CheckAsync(trial, recipient, senders, acknowledged, answered.Count);
        await CheckReplayAsync(trial);
        Report.Line($"trial {GetType().Name}: {trial}; acknowledged {acknowledged.Select(a => a.MessageId).Distinct().Count()} (InMail {inMails.Count}, answered {answered.Count}) of {total} sends; invariants held");
    }

    private async Task CheckAsync(Trial trial, TestMember recipient, List<TestMember> senders, List<(long SenderIndex, long MessageId, bool InMail, string? Key)> acknowledged, int answered)
    {
        await using var scope = _hostList[0].Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        var recipientId = await db.Members.Where(m => m.Handle == recipient.Handle).Select(m => m.Id).SingleAsync();
        var received = await db.Messages.AsNoTracking().Where(m => m.RecipientId == recipientId).ToListAsync();

        // No period's cold messages exceed the cap, and the counter says exactly how many there were.
        var cold = received.Where(m => m.Channel is "open" or "knownContact" or "openProfile").GroupBy(m => m.SentAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        var counters = await db.ReceiveCounters.Where(c => c.MemberId == recipientId).ToDictionaryAsync(c => c.PeriodKey, c => c.Used);
        foreach (var period in cold)
        {
            Assert.True(period.Count() <= trial.Cap, $"{trial}: {period.Count()} cold messages in {period.Key} over a cap of {trial.Cap}");
            Assert.Equal(period.Count(), counters.GetValueOrDefault(period.Key));
        }

        // Every acknowledged send is stored, nothing else is, and one Idempotency-Key gave one message.
        var ids = acknowledged.Select(a => a.MessageId).ToHashSet();
        Assert.Equal(ids.Order(), received.Select(m => m.Id).Order());
        foreach (var keyed in acknowledged.Where(a => a.Key is not null).GroupBy(a => a.Key))
        {
            Assert.Single(keyed.Select(a => a.MessageId).Distinct());
        }

        // Every ledger is balanced and never negative; one spend per InMail, one refund per answered InMail.
        var memberIds = await db.Members.Where(m => senders.Select(s => s.Handle).Contains(m.Handle)).Select(m => new { m.Id, m.CreditBalance }).ToListAsync();
        var ledgerIds = memberIds.Select(m => m.Id).ToList();
        var ledger = await db.Ledger.AsNoTracking().Where(e => ledgerIds.Contains(e.MemberId)).OrderBy(e => e.Id).ToListAsync();
        foreach (var member in memberIds)
        {
            var running = 0;
            foreach (var entry in ledger.Where(e => e.MemberId == member.Id))
            {
                running += entry.Amount;
                Assert.Equal(running, entry.BalanceAfter);
                Assert.True(entry.BalanceAfter >= 0, $"{trial}: a balance went below zero");
            }

            Assert.Equal(running, member.CreditBalance);
        }

        var inMailRefs = received.Where(m => m.Channel == "inMail").Select(m => "m" + m.Id.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(inMailRefs.Count, ledger.Where(e => e.Kind == LedgerEntryKind.Spend).Select(e => e.Ref).Where(r => inMailRefs.Contains(r["spend:".Length..])).Distinct().Count());
        var refunds = ledger.Where(e => e.Kind == LedgerEntryKind.Refund).Select(e => e.Ref).Where(r => inMailRefs.Contains(r["refund:".Length..])).Distinct().Count();
        Assert.Equal(answered, refunds);
    }

    // Replaying the trial's sends under the policy that decided them (a what-if with the policy in force) gives every
    // logged outcome again, concurrent sends, retries, a cap taken by a race and a rollover included.
    private async Task CheckReplayAsync(Trial trial)
    {
        var response = await _apis[0].Admin.PostAsJsonAsync("/api/admin/whatif", new
        {
            policy = System.Text.Json.JsonDocument.Parse(Policy).RootElement,
            from = _month,
            to = _month.AddMonths(2),
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await ReadAsync(response);
        Assert.True(report.GetProperty("decisions").GetInt32() > 0, $"{trial}: no decision was replayed");
        Assert.Equal(0, report.GetProperty("skipped").GetInt32());
        Assert.True(report.GetProperty("unchanged").GetInt32() == report.GetProperty("decisions").GetInt32(), $"{trial}: the replay under the policy in force changed {report}");
    }

    private HttpClient ClientFor(TestMember member, int host)
    {
        var client = _apis[host].NewClient();
        client.DefaultRequestHeaders.Authorization = member.Client.DefaultRequestHeaders.Authorization;
        return client;
    }

    private async Task SetClockAsync(DateTimeOffset now)
    {
        foreach (var api in _apis)
        {
            await api.SetClockAsync(now);
        }
    }
}

public sealed class TrialSqliteTests() : TrialTests(new SqliteDatabase(), hosts: 1);

public sealed class TrialPostgresTests() : TrialTests(new PostgresDatabase(), hosts: 1);

public sealed class TrialThreeHostsPostgresTests() : TrialTests(new PostgresDatabase(), hosts: 3);
