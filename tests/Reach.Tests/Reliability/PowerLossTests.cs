using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>
/// A power cut, as far as one can be simulated without cutting the power: the SQLite database and its write-ahead log
/// copied at random instants while a server process is under a load of sends. Each copy must open, pass
/// <c>integrity_check</c>, keep the stored-state promises, and hold every send acknowledged before its copy began.
/// <para>
/// A plain copy of the two files is not what a crash leaves: a checkpoint between the copy of the log and the copy of
/// the database would pair a log with a database it was not written for. So the copy holds a read transaction open
/// (the writer may then only append to the log, and may copy into the database only frames the copy's log has), and
/// copies the log first, then the database. The log is read as the writer appends to it, so its tail may be torn,
/// as a power cut would leave it; SQLite's checksums must find the last whole commit.
/// </para>
/// <c>REACH_POWER_CUTS</c> sets how many copies (the long form); CI takes three.
/// </summary>
public sealed class PowerLossTests
{
    [Fact]
    public async Task ACopyTakenUnderLoadOpensIntactAndHoldsEverySendAcknowledgedBeforeIt()
    {
        var cuts = int.TryParse(Environment.GetEnvironmentVariable("REACH_POWER_CUTS"), CultureInfo.InvariantCulture, out var n) ? n : 3;
        var folder = Directory.CreateTempSubdirectory("reach-power-loss-").FullName;
        var db = Path.Combine(folder, "reach.db");
        var copies = new List<(string Path, long[] Acknowledged)>();
        try
        {
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits))
            {
                var acknowledged = new ConcurrentQueue<long>();
                var unexpected = new ConcurrentQueue<string>();
                using var stop = new CancellationTokenSource();
                var load = await StartLoadAsync(server.Address, acknowledged, unexpected, stop.Token);
                for (var cut = 0; cut < cuts; cut++)
                {
                    var wait = Environment.TickCount64 + 10_000;
                    var enough = acknowledged.Count + Random.Shared.Next(5, 40);
                    while (acknowledged.Count < enough && Environment.TickCount64 < wait)
                    {
                        await Task.Delay(Random.Shared.Next(1, 20));
                    }

                    var before = acknowledged.ToArray();
                    var copy = Path.Combine(folder, $"cut-{cut}.db");
                    await CopyAsACrashLeavesItAsync(db, copy);
                    copies.Add((copy, before));
                }

                await stop.CancelAsync();
                await Task.WhenAll(load);
                Assert.True(unexpected.IsEmpty, $"{unexpected.Count} answers other than 201 and 403; the first: {unexpected.FirstOrDefault()}");
            }

            foreach (var (copy, before) in copies)
            {
                await using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
                {
                    await connection.OpenAsync();
                    await using var check = new SqliteCommand("PRAGMA integrity_check", connection);
                    Assert.Equal("ok", (string)(await check.ExecuteScalarAsync())!);
                }

                var (messages, _) = await StoredState.AssertHeldAsync(copy, before, ReachPolicy.Default.Tier("recruiter").ReceiveCap);
                Assert.True(messages >= before.Length);
            }

            Report.Line($"power loss SQLite: {cuts} copies taken under load, each opened, passed integrity_check and held the {string.Join(", ", copies.Select(c => c.Acknowledged.Length))} sends acknowledged before it");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // The log, then the database, with a read transaction open on the live file for the time of the copy.
    private static async Task CopyAsACrashLeavesItAsync(string db, string copy)
    {
        await using var pin = new SqliteConnection($"Data Source={db};Pooling=False;Mode=ReadOnly");
        await pin.OpenAsync();
        await using var transaction = pin.BeginTransaction(deferred: true);
        await using (var read = new SqliteCommand("SELECT count(*) FROM \"Messages\"", pin, transaction))
        {
            await read.ExecuteScalarAsync();
        }

        await CopyFileAsync(db + "-wal", copy + "-wal");
        await CopyFileAsync(db, copy);
        await transaction.RollbackAsync();
    }

    // Reads the file as it is now, in small pieces with the writer going on between them.
    private static async Task CopyFileAsync(string from, string to)
    {
        await using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
        await using var target = File.Create(to);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, read));
            if (Random.Shared.Next(8) == 0)
            {
                await Task.Yield();
            }
        }
    }

    // Recipients (recruiters: 300 cold messages a month) and senders, a third of them sending InMail, each sending to the
    // recipients in turn until stopped.
    private static async Task<List<Task>> StartLoadAsync(Uri server, ConcurrentQueue<long> acknowledged, ConcurrentQueue<string> unexpected, CancellationToken stop)
    {
        var recipients = new List<Member>();
        // Enough pairs that the sends go on through twenty copies: each pair takes two unanswered messages.
        for (var i = 0; i < 24; i++)
        {
            var recipient = await Member.SignUpAsync(server, "rc");
            await recipient.SetTierAsync("recruiter");
            recipients.Add(recipient);
        }

        var senders = new List<Member>();
        for (var i = 0; i < 24; i++)
        {
            var sender = await Member.SignUpAsync(server, "sd");
            if (i % 3 == 0)
            {
                await sender.SetTierAsync("premium_business");
            }

            senders.Add(sender);
        }

        return [.. senders.Select(async (sender, index) =>
        {
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var inMail = index % 3 == 0;
                var recipient = recipients[(index + round) % recipients.Count].Handle;
                var response = await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient, body = $"Before the cut, {round}", subject = inMail ? "Hello" : null, inMail }, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Enqueue((await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("messageId").GetInt64());
                }
                else if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    unexpected.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
                else
                {
                    // Locked (every pair's unanswered messages used up): the next recipient, after a breath.
                    await Task.Delay(5, CancellationToken.None);
                }
            }
        })];
    }

}
