using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reach.Tests.Reliability;

/// <summary>
/// A database whose disk fills up and one that stalls, under real server processes. A full disk (SQLite on a small
/// tmpfs the test mounts, or PostgreSQL's data folder on one): sends answer 507 <c>insufficient_storage</c>, nothing half-written, the file passes
/// <c>integrity_check</c>, and sends succeed again once space is freed. A stalled database (PostgreSQL, a table locked
/// by the test): requests answer 503 <c>unavailable</c> after <c>--request-timeout</c> instead of piling up, and
/// change nothing. A stalled SQLite writer (the file's write lock held by another program): the group commit's queue is
/// bounded by <c>--write-queue</c>, and a send past it answers 503 at once instead of waiting in memory.
/// </summary>
public sealed class DiskAndStallTests
{
    private static readonly string Body = new('x', 6000);

    [Fact]
    public async Task AFullDiskRefusesSendsWith507AndSendsResumeOnceSpaceIsFreed()
    {
        var folder = Directory.CreateTempSubdirectory("reach-full-disk-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", folder);
        var db = Path.Combine(folder, "reach.db");
        List<long> acknowledged;
        try
        {
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits))
            {
                acknowledged = await FillTheDiskAsync(server.Address, folder);
            }

            SqliteConnection.ClearAllPools();
            await using var connection = new SqliteConnection($"Data Source={db}");
            await connection.OpenAsync();
            await using (var check = new SqliteCommand("PRAGMA integrity_check", connection))
            {
                Assert.Equal("ok", (string)(await check.ExecuteScalarAsync())!);
            }

            var stored = new HashSet<long>();
            await using (var messages = new SqliteCommand("SELECT \"Id\" FROM \"Messages\"", connection))
            await using (var reader = await messages.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    stored.Add(reader.GetInt64(0));
                }
            }

            Assert.Equal(acknowledged.Order(), stored.Order());
            await StoredState.AssertHeldAsync(db, acknowledged, int.MaxValue);
            Report.Line($"full disk SQLite: {acknowledged.Count} sends stored, the refused ones answered 507, integrity_check ok, sends again after space was freed");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", folder);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task APostgresDataDirectoryOnAFullDiskRefusesSendsWith507AndSendsResumeOnceSpaceIsFreed()
    {
        // A server of the test's own whose data folder is a 48 MB tmpfs (its WAL outside: a full WAL disk stops
        // PostgreSQL itself, which is the crash of PostgresFaultTests).
        var root = Path.Combine(Path.GetTempPath(), "reach-pg-full-" + Guid.NewGuid().ToString("N")[..8]);
        var port = PostgresScript.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var admin = (await PostgresScript.RunAsync(new Dictionary<string, string> { ["REACH_PG_DATA_SIZE"] = "48m", ["REACH_PG_FSYNC"] = "on" }, "start", root, port)).Trim();
        try
        {
            var db = new NpgsqlConnectionStringBuilder(admin) { Database = "reach" }.ToString();
            List<long> acknowledged;
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits))
            {
                acknowledged = await FillTheDiskAsync(server.Address, Path.Combine(root, "disk"));
            }

            var (messages, _) = await StoredState.AssertHeldAsync(db, acknowledged, int.MaxValue);
            Assert.Equal(acknowledged.Count, messages);
            NpgsqlConnection.ClearAllPools();
            Report.Line($"full disk PostgreSQL (data folder): {acknowledged.Count} sends stored, the refused ones answered 507, sends again after space was freed");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresScript.RunAsync(null, "stop", root);
        }
    }

    // Signs up four senders and a recipient, fills the disk mounted at <paramref name="disk"/> with a file of the test's
    // but for a little room, sends until five sends in a row answer 507, removes the file and sends once more.
    // Answers the ids of the sends acknowledged.
    private static async Task<List<long>> FillTheDiskAsync(Uri server, string disk)
    {
        var acknowledged = new List<long>();
        var recipient = await Member.SignUpAsync(server, "rc");
        var senders = new List<Member>();
        for (var i = 0; i < 4; i++)
        {
            var sender = await Member.SignUpAsync(server, "sd");
            var invitation = await (await sender.Http.PostAsJsonAsync("/api/invitations", new { toHandle = recipient.Handle })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, (await recipient.Http.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null)).StatusCode);
            senders.Add(sender);
        }

        var filler = Path.Combine(disk, "filler");
        await using (var fill = File.Create(filler))
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    await fill.WriteAsync(chunk);
                    await fill.FlushAsync();
                }
            }
            catch (IOException)
            {
            }

            fill.SetLength(Math.Max(0, fill.Length - (384 * 1024)));
        }

        var full = 0;
        for (var i = 0; i < 3000 && full < 5; i++)
        {
            var response = await senders[i % senders.Count].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = Body });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"a send on a full disk answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("insufficient_storage", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            full++;
        }

        Assert.True(full > 0, "the disk never filled up");
        Assert.NotEmpty(acknowledged);

        File.Delete(filler);
        var again = await senders[0].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Room again." });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        acknowledged.Add((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
        return acknowledged;
    }

    [Fact]
    public async Task AStalledDatabaseAnswers503AfterTheRequestTimeoutAndChangesNothing()
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database.Db, "--policy", TestPolicy.WithoutLimits, "--request-timeout", "2");
        var recipient = await Member.SignUpAsync(server.Address, "rc");
        var sender = await Member.SignUpAsync(server.Address, "sd");
        Assert.Equal(HttpStatusCode.Created, (await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Before the stall." })).StatusCode);

        await using (var stall = new NpgsqlConnection(database.Db))
        {
            await stall.OpenAsync();
            await using var transaction = await stall.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE \"Messages\" IN ACCESS EXCLUSIVE MODE", stall, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var timer = Stopwatch.StartNew();
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = $"During the stall {i}." })));
            timer.Stop();
            foreach (var answer in answers)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
                Assert.NotNull(answer.Headers.RetryAfter);
                Assert.Equal("unavailable", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            }

            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(15), $"the stalled sends took {timer.Elapsed.TotalSeconds:0.0} s to answer");
            await transaction.CommitAsync();
        }

        Assert.Equal(HttpStatusCode.Created, (await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "After the stall." })).StatusCode);
        await using var count = new NpgsqlConnection(database.Db);
        await count.OpenAsync();
        await using var messages = new NpgsqlCommand("SELECT count(*) FROM \"Messages\"", count);
        Assert.Equal(2L, (long)(await messages.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AStalledSqliteWriterFillsTheBoundedQueueAndSendsPastItAnswer503AtOnce()
    {
        var folder = Directory.CreateTempSubdirectory("reach-write-queue-").FullName;
        var db = Path.Combine(folder, "reach.db");
        try
        {
            var acknowledged = 0;
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits, "--write-queue", "4"))
            {
                // Forty sends of forty pairs: none is locked by the pacing of unanswered messages.
                var recipients = new List<Member>();
                var senders = new List<Member>();
                for (var i = 0; i < 8; i++)
                {
                    senders.Add(await Member.SignUpAsync(server.Address, "sd"));
                    if (i < 5)
                    {
                        recipients.Add(await Member.SignUpAsync(server.Address, "rc"));
                    }
                }

                var recipient = recipients[0];

                Assert.Equal(HttpStatusCode.Created, (await senders[0].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Before the stall." })).StatusCode);
                acknowledged++;

                // Another program takes the file's write lock: the group commit's writer waits on it (busy_timeout).
                await using var stall = new SqliteConnection($"Data Source={db};Pooling=False");
                await stall.OpenAsync();
                await using (var begin = new SqliteCommand("BEGIN IMMEDIATE", stall))
                {
                    await begin.ExecuteNonQueryAsync();
                }

                var timer = Stopwatch.StartNew();
                var sends = Enumerable.Range(0, 40).Select(async i =>
                {
                    var response = await senders[i % senders.Count].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipients[i / senders.Count].Handle, body = $"During the stall {i}." });
                    return (Response: response, At: timer.Elapsed);
                }).ToList();

                // The sends past the queue's four places are refused while the lock is still held.
                var refused = await Task.WhenAny(sends);
                Assert.True(refused.Result.Response.StatusCode == HttpStatusCode.ServiceUnavailable, $"the first answer in the stall was {(int)refused.Result.Response.StatusCode}");
                await Task.Delay(TimeSpan.FromSeconds(2));
                using (var release = new SqliteCommand("ROLLBACK", stall))
                {
                    await release.ExecuteNonQueryAsync();
                }

                var released = timer.Elapsed;
                var answers = await Task.WhenAll(sends);
                var early = 0;
                foreach (var (response, at) in answers)
                {
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged++;
                        continue;
                    }

                    Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"a send in the stall answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    Assert.NotNull(response.Headers.RetryAfter);
                    Assert.Equal("unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
                    early += at < released ? 1 : 0;
                }

                Assert.True(early >= 20, $"only {early} of 40 sends were refused before the lock was released");
                Assert.Equal(HttpStatusCode.Created, (await senders[1].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "After the stall." })).StatusCode);
                acknowledged++;
                Report.Line($"stalled SQLite writer, --write-queue 4: {early} of 40 sends refused with 503 while it stalled, {acknowledged - 2} waited and were stored after");
            }

            SqliteConnection.ClearAllPools();
            await using var connection = new SqliteConnection($"Data Source={db}");
            await connection.OpenAsync();
            await using var count = new SqliteCommand("SELECT count(*) FROM \"Messages\"", connection);
            Assert.Equal((long)acknowledged, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {errors}");
    }
}
