using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>What happens to the PostgreSQL server under a load of sends.</summary>
public enum PostgresFault
{
    /// <summary>SIGKILL to the postmaster (a crash), started again on its data after a while.</summary>
    Killed,

    /// <summary>A clean restart (fast shutdown).</summary>
    Restarted,

    /// <summary>Every connection of Reach's database ended by <c>pg_terminate_backend</c>: the pools hold dead connections.</summary>
    ConnectionsTerminated,
}

/// <summary>
/// The database itself hurt under load: a PostgreSQL server of the test's own, durable (<c>fsync</c> and
/// <c>synchronous_commit</c> on), killed, restarted or its connections ended while three Reach processes serve 24
/// senders. While it is away every send answers 201, 403 or 503 <c>unavailable</c> with <c>Retry-After</c> — no 500,
/// none hangs past the client's timeout; after it is back Reach serves again by itself, live notifications arrive
/// again (the <c>LISTEN</c> connection reconnects), every acknowledged send is stored, and caps, counters and ledgers
/// hold. <c>REACH_DB_FAULTS</c> repeats each fault (the long form); CI runs each once.
/// </summary>
public sealed class PostgresFaultTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reach-pg-fault-" + Guid.NewGuid().ToString("N")[..8]);
    private int _port;
    private string _server = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _port = PostgresScript.FreePort();
        _server = (await PostgresScript.RunAsync(new Dictionary<string, string> { ["REACH_PG_FSYNC"] = "on" }, "start", _root, _port.ToString(CultureInfo.InvariantCulture))).Trim();
    }

    public async ValueTask DisposeAsync() => await PostgresScript.RunAsync(null, "stop", _root);

    [Theory]
    [InlineData(PostgresFault.Killed)]
    [InlineData(PostgresFault.Restarted)]
    [InlineData(PostgresFault.ConnectionsTerminated)]
    public async Task NothingAcknowledgedIsLostAndReachHealsByItself(PostgresFault fault)
    {
        var times = Report.FaultRepeats;
        var name = "reach_fault_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var db = new NpgsqlConnectionStringBuilder(_server) { Database = name, Timeout = 5, CommandTimeout = 20 }.ToString();
        var servers = new List<RunningServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                servers.Add(await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits));
            }

            var acknowledged = new ConcurrentBag<long>();
            var heal = new List<double>();
            var unavailable = 0;
            for (var round = 0; round < times; round++)
            {
                var (healed, refused) = await RoundAsync(servers, fault, acknowledged);
                heal.Add(healed.TotalSeconds);
                unavailable += refused;
            }

            await StoredState.AssertHeldAsync(db, acknowledged, ReachPolicy.Default.Tier("recruiter").ReceiveCap);
            await LiveNotificationsArriveAsync(servers);
            heal.Sort();
            Report.Line($"postgres fault {fault}: {times} times under load of 3 processes and 24 senders; {acknowledged.Count} sends acknowledged, all stored; {unavailable} answered 503; healed in {heal[heal.Count / 2]:0.0} s (median), {heal[^1]:0.0} s (worst)");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    // One fault under load: senders send until some are acknowledged, the fault strikes, and the load goes on until as
    // many again are acknowledged after it (each sender may have two unanswered messages per recipient, so a round
    // stores at most 160). Answers the time from the fault to the first send stored once the database was back (for a
    // crash, the two seconds it stays down included).
    private async Task<(TimeSpan Healed, int Unavailable)> RoundAsync(List<RunningServer> servers, PostgresFault fault, ConcurrentBag<long> acknowledged)
    {
        var recipients = new List<Member>();
        var senders = new List<Member>();
        for (var i = 0; i < 4; i++)
        {
            // Recruiters take 300 cold messages a month: the load is not stopped by the cap before the fault.
            var recipient = await Member.SignUpAsync(servers[i % servers.Count].Address, "rc");
            await recipient.SetTierAsync("recruiter");
            recipients.Add(recipient);
        }

        for (var i = 0; i < 24; i++)
        {
            var sender = await Member.SignUpAsync(servers[i % servers.Count].Address, "sd");
            if (i % 3 == 0)
            {
                await sender.SetTierAsync("premium_business");
            }

            senders.Add(sender);
        }

        var unexpected = new ConcurrentQueue<string>();
        var unavailable = 0;
        var struck = Stopwatch.StartNew();
        long faultAt = long.MaxValue, backAt = long.MaxValue, healedAt = long.MaxValue;
        using var stop = new CancellationTokenSource();
        var load = senders.Select(async (sender, index) =>
        {
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var inMail = index % 3 == 0;
                var recipient = recipients[(index + round) % recipients.Count].Handle;
                try
                {
                    var response = await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient, body = $"Through the fault, {round}", subject = inMail ? "Hello" : null, inMail });
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.Created:
                            acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
                            var now = struck.ElapsedTicks;
                            if (now > Interlocked.Read(ref backAt))
                            {
                                // The first send stored once the database was back: Reach has healed.
                                InterlockedMin(ref healedAt, now);
                            }

                            break;
                        case HttpStatusCode.Forbidden:
                            break;
                        case HttpStatusCode.ServiceUnavailable:
                            Interlocked.Increment(ref unavailable);
                            if (response.Headers.RetryAfter is null || (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString() != "unavailable")
                            {
                                unexpected.Enqueue("a 503 without Retry-After or the code unavailable");
                            }

                            await Task.Delay(100);
                            break;
                        default:
                            unexpected.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                            break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    unexpected.Enqueue($"no answer: {e.Message}");
                }
            }
        }).ToList();

        var first = acknowledged.Count;
        await WaitAsync(() => acknowledged.Count >= first + 40, "40 sends acknowledged before the fault");
        var before = acknowledged.Count;
        Interlocked.Exchange(ref faultAt, struck.ElapsedTicks);
        switch (fault)
        {
            case PostgresFault.Killed:
                await PostgresScript.RunAsync(null, "kill", _root);
                await Task.Delay(TimeSpan.FromSeconds(2));
                await PostgresScript.RunAsync(null, "resume", _root, _port.ToString(CultureInfo.InvariantCulture));
                break;
            case PostgresFault.Restarted:
                await PostgresScript.RunAsync(null, "restart", _root);
                break;
            case PostgresFault.ConnectionsTerminated:
                await using (var admin = new NpgsqlConnection(_server))
                {
                    await admin.OpenAsync();
                    await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname <> 'postgres' AND pid <> pg_backend_pid()", admin);
                    Assert.True((long)(await terminate.ExecuteScalarAsync())! > 0);
                }

                break;
        }

        Interlocked.Exchange(ref backAt, struck.ElapsedTicks);
        await WaitAsync(() => acknowledged.Count >= before + 40, "40 sends acknowledged after the fault", TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.True(unexpected.IsEmpty, $"{fault}: {unexpected.Count} answers other than 201, 403 and 503; the first: {unexpected.FirstOrDefault()}");
        var healed = TimeSpan.FromTicks(Math.Max(0, Interlocked.Read(ref healedAt) - faultAt) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        return (healed, unavailable);
    }

    // A member's live stream on one process hears of a message sent through another: the wake-up travels by
    // PostgreSQL's LISTEN, whose connection the fault broke.
    private static async Task LiveNotificationsArriveAsync(List<RunningServer> servers)
    {
        var recipient = await Member.SignUpAsync(servers[0].Address, "lv");
        var sender = await Member.SignUpAsync(servers[1].Address, "ls");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // A stream of its own each time: a read given up on leaves its connection closed.
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                using var stream = await recipient.Http.GetStreamAsync(new Uri("/api/me/notifications/stream", UriKind.Relative), wait.Token);
                using var reader = new StreamReader(stream);
                var before = (await Api.NextEventAsync(reader, wait.Token)).GetProperty("unreadCount").GetInt32();
                Assert.Equal(HttpStatusCode.Created, (await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Live again?" })).StatusCode);
                var live = await Api.NextEventAsync(reader, wait.Token);
                Assert.True(live.GetProperty("unreadCount").GetInt32() > before);
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                // The listener may still be reconnecting (it tries each second).
            }
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < (limit ?? TimeSpan.FromSeconds(60)), "Timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

}
