using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reach.Tests.Reliability;

/// <summary>The load under which the database faults strike (<see cref="PostgresFaultTests"/>, <see cref="FailoverTests"/>).</summary>
internal static class FaultLoad
{
    /// <summary>
    /// One fault under load: 24 senders (a third sending InMail) send to <paramref name="recipientCount"/> recruiters
    /// through the servers until 40 sends are acknowledged, <paramref name="strike"/> runs (it returns once the database
    /// is back, or at once when it comes back by itself), and the load goes on until 40 more are acknowledged after it
    /// returned. Each sender may have two unanswered cold messages or one unanswered InMail per recipient, so a round
    /// stores at most 40 per recipient, and the healthy database stores hundreds a second while a strike is being
    /// applied: sixteen recipients keep the load going through a fault of several seconds (with eight, a failover's
    /// rounds ran out, every send locked as awaiting a reply). Every answer must be 201, 403, or 503
    /// <c>unavailable</c> with <c>Retry-After</c>. Answers the time from the fault to the first send stored once the
    /// database was back, and how many sends answered 503.
    /// </summary>
    public static async Task<(TimeSpan Healed, int Unavailable)> RoundAsync(List<RunningServer> servers, Func<Task> strike, ConcurrentBag<long> acknowledged, int recipientCount = 16)
    {
        var recipients = new List<Member>();
        var senders = new List<Member>();
        for (var i = 0; i < recipientCount; i++)
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
        var lockedAfter = new ConcurrentDictionary<string, int>();
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
                            if (struck.ElapsedTicks > Interlocked.Read(ref backAt))
                            {
                                // Locked after the fault: its reasons, for a round that times out.
                                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                                var why = problem.TryGetProperty("reasons", out var reasons) ? string.Join('+', reasons.EnumerateArray().Select(r => r.GetString())) : problem.GetProperty("code").GetString()!;
                                lockedAfter.AddOrUpdate(why, 1, (_, n) => n + 1);
                            }

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
        await strike();
        Interlocked.Exchange(ref backAt, struck.ElapsedTicks);
        before = acknowledged.Count;
        await WaitAsync(
            () => acknowledged.Count >= before + 40,
            () => $"40 sends acknowledged after the fault ({acknowledged.Count - before} were; {unavailable} answered 503 in the round; locked after it: {string.Join(", ", lockedAfter.Select(x => $"{x.Key} ×{x.Value}"))})",
            TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        if (!unexpected.IsEmpty)
        {
            Assert.Fail($"{await LastExceptionsAsync(servers)}\n{unexpected.Count} answers other than 201, 403 and 503; the first: {unexpected.FirstOrDefault()}");
        }

        var healed = TimeSpan.FromTicks(Math.Max(0, Interlocked.Read(ref healedAt) - faultAt) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        return (healed, unavailable);
    }

    /// <summary>
    /// A member's live stream on one process hears of a message sent through another: the wake-up travels by
    /// PostgreSQL's LISTEN, whose connection the fault broke.
    /// </summary>
    public static async Task LiveNotificationsArriveAsync(List<RunningServer> servers)
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

    private static Task WaitAsync(Func<bool> condition, string what, TimeSpan? limit = null) => WaitAsync(condition, () => what, limit);

    private static async Task WaitAsync(Func<bool> condition, Func<string> what, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < (limit ?? TimeSpan.FromSeconds(60)), "Timed out waiting for " + what());
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


    /// <summary>
    /// The last exceptions the servers logged, each with its first lines, errors (a 500) before warnings (a 503): why an
    /// answer was what it was.
    /// </summary>
    public static async Task<string> LastExceptionsAsync(List<RunningServer> servers)
    {
        // A server's console logger writes from a queue of its own: the line of a failure may come after its answer.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var logged = servers.SelectMany(server => server.Output.Split('\n')).Where(line => line.Contains("\"Exception\"", StringComparison.Ordinal)).ToList();
        return string.Join('\n', logged.Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)).TakeLast(2)
            .Concat(logged.Where(line => !line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)).TakeLast(2))
            .Select(line => line.Length > 3000 ? line[..3000] : line));
    }
}
