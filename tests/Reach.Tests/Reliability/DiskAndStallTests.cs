using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reach.Tests.Reliability;

/// <summary>
/// A database whose disk fills up and one that stalls, under real server processes; <c>REACH_DB_FAULTS</c> repeats each.
/// <list type="bullet">
/// <item>A full disk (SQLite on a small tmpfs the test mounts, or PostgreSQL's data folder on one): sends answer 507
/// <c>insufficient_storage</c>, nothing is half-written (SQLite's <c>integrity_check</c>, the stored-state promises),
/// and sends succeed again once space is freed.</item>
/// <item>A stalled PostgreSQL (a table locked by the test, or inserts slowed by a trigger): requests answer 503
/// <c>unavailable</c> after <c>--request-timeout</c> instead of piling up, and change nothing.</item>
/// <item>A stalled SQLite writer (the file's write lock held by another program): the group commit's queue is bounded
/// by <c>--write-queue</c>, and a send past it answers 503 at once instead of waiting in memory.</item>
/// </list>
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
        var acknowledged = new List<long>();
        try
        {
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits))
            {
                for (var round = 0; round < Report.FaultRepeats; round++)
                {
                    acknowledged.AddRange(await FillTheDiskAsync(server, folder));
                }
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
            Report.Line($"full disk SQLite, filled and freed {Report.FaultRepeats} times: {acknowledged.Count} sends stored, the refused ones answered 507, integrity_check ok, sends again after space was freed");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", folder);
            Directory.Delete(folder, recursive: true);
        }
    }

    // PostgreSQL's log line when it has ended every process after one crashed (a PANIC among them) and starts again.
    private const string Restarted = "all server processes terminated; reinitializing";

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
            var acknowledged = new List<long>();
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits))
            {
                for (var round = 0; round < Report.FaultRepeats; round++)
                {
                    // The test's own session, opened while there is room: a session started on the full folder is
                    // refused whenever PostgreSQL has dropped its relation cache's init files (catalog changes, a restart).
                    await using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ToString());
                    await session.OpenAsync();
                    acknowledged.AddRange(await FillTheDiskAsync(server, Path.Combine(root, "disk"), (sender, recipient) => RefuseNewSessionsAsync(server, session, root, sender, recipient), Path.Combine(root, "log")));
                }
            }

            var (messages, _) = await StoredState.AssertHeldAsync(db, acknowledged, int.MaxValue);
            Assert.Equal(acknowledged.Count, messages);
            NpgsqlConnection.ClearAllPools();
            var restarts = (await File.ReadAllLinesAsync(Path.Combine(root, "log"))).Count(line => line.Contains(Restarted, StringComparison.Ordinal));
            Report.Line($"full disk PostgreSQL (data folder), filled and freed {Report.FaultRepeats} times: {acknowledged.Count} sends stored, the refused ones answered 507 (a new session refused each time among them), sends again after space was freed; PostgreSQL restarted itself {restarts} times, sends answered 503 while it recovered");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresScript.RunAsync(null, "stop", root);
        }
    }

    // With the data folder full: the relation cache's init files removed and their room filled too, Reach's sessions
    // ended, so that the next send needs a new session whose backend cannot write its init file (PostgreSQL refuses it
    // with a FATAL XX000, which is a full disk too). Sends then answer 507 (or 503 while the ended sessions are noticed),
    // and PostgreSQL's log shows the refusal. Once the room is given back, Reach serves again by itself: a read that
    // finds one of the ended sessions answers 503 and drops the pools' idle connections.
    private static async Task RefuseNewSessionsAsync(RunningServer running, NpgsqlConnection admin, string root, Member sender, string recipient)
    {
        Task<HttpResponseMessage> send() => sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient, body = "No room." });

        var data = Path.Combine(root, "disk", "data");
        foreach (var initFile in Directory.EnumerateFiles(data, "pg_internal.init", SearchOption.AllDirectories))
        {
            File.Delete(initFile);
        }

        await FillAsync(Path.Combine(root, "disk", "filler-init"), slack: 0);
        try
        {
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'", admin);
            await terminate.ExecuteScalarAsync();
        }
        catch (NpgsqlException) when (File.ReadAllText(Path.Combine(root, "log")).Contains(Restarted, StringComparison.Ordinal))
        {
            // PostgreSQL restarted itself on the full folder during the round: every session ended with it, and its
            // recovery removed the init files.
        }

        var refused = 0;
        for (var i = 0; i < 150 && refused == 0; i++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.InsufficientStorage)
            {
                refused++;
            }
            else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await Task.Delay(200); // an ended session noticed, or PostgreSQL recovering: polled, as a client would
            }
            else
            {
                Assert.Fail($"a send needing a new session on a full data folder answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{await FaultLoad.LastExceptionsAsync([running])}");
            }
        }

        Assert.True(refused > 0, "no send answered 507 once new sessions could not start");
        Assert.Contains("could not write init file", await File.ReadAllTextAsync(Path.Combine(root, "log")), StringComparison.Ordinal);
        // The room given back: the init files' and a megabyte more (the folder is otherwise still full, and the room of
        // the init files alone can be taken by anything PostgreSQL wrote meanwhile).
        File.Delete(Path.Combine(root, "disk", "filler-init"));
        await using (var filler = File.Open(Path.Combine(root, "disk", "filler"), FileMode.Open))
        {
            filler.SetLength(Math.Max(0, filler.Length - (1024 * 1024)));
        }

        var healed = false;
        for (var i = 0; i < 20 && !healed; i++)
        {
            var preflight = await sender.Http.GetAsync(new Uri($"/api/reach/{recipient}", UriKind.Relative));
            healed = preflight.StatusCode == HttpStatusCode.OK;
            Assert.True(healed || preflight.StatusCode == HttpStatusCode.ServiceUnavailable, $"a pre-flight after the room was given back answered {(int)preflight.StatusCode}: {await preflight.Content.ReadAsStringAsync()}");
        }

        Assert.True(healed, "Reach did not serve pre-flights again once the room was given back");
    }

    // PostgreSQL's lines of a crash and restart, if its log has any, for a failure's message.
    private static async Task<string> PanicsAsync(string? postgresLog) => postgresLog is null ? string.Empty
        : "\n" + string.Join('\n', (await File.ReadAllLinesAsync(postgresLog)).Where(line => line.Contains("PANIC:", StringComparison.Ordinal) || line.Contains("terminated by signal", StringComparison.Ordinal) || line.Contains(Restarted, StringComparison.Ordinal)).TakeLast(6));

    // Writes a file at <paramref name="path"/> until its disk is full, then gives back <paramref name="slack"/> bytes.
    private static async Task FillAsync(string path, long slack)
    {
        await using var fill = File.Create(path);
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

        fill.SetLength(Math.Max(0, fill.Length - slack));
    }

    // Signs up four senders and a recipient, fills the disk mounted at <paramref name="disk"/> with a file of the test's
    // but for a little room, sends until five sends in a row answer 507, lets <paramref name="whileFull"/> (given a
    // sender and the recipient's handle) act on the full disk, removes the file and sends once more. Answers the ids of
    // the sends acknowledged.
    private static async Task<List<long>> FillTheDiskAsync(RunningServer running, string disk, Func<Member, string, Task>? whileFull = null, string? postgresLog = null)
    {
        // PostgreSQL can restart itself on a full disk (a write it cannot make in a critical section is a PANIC, which
        // ends every process); while it recovers a send answers 503, which is right. A 503 is accepted only when its
        // log shows that restart.
        async Task<bool> restartedAsync() => postgresLog is not null && (await File.ReadAllTextAsync(postgresLog)).Contains(Restarted, StringComparison.Ordinal);

        var server = running.Address;
        var acknowledged = new List<long>();
        var recipient = await Member.SignUpAsync(server, "rc");
        var senders = new List<Member>();
        for (var i = 0; i < 4; i++)
        {
            var sender = await Member.SignUpAsync(server, "sd");
            var invited = await sender.Http.PostAsJsonAsync("/api/invitations", new { toHandle = recipient.Handle });
            Assert.True(invited.IsSuccessStatusCode, $"an invitation answered {(int)invited.StatusCode}: {await invited.Content.ReadAsStringAsync()}\n{await FaultLoad.LastExceptionsAsync([running])}");
            var invitation = await invited.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, (await recipient.Http.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null)).StatusCode);
            senders.Add(sender);
        }

        var filler = Path.Combine(disk, "filler");
        await FillAsync(filler, slack: 384 * 1024);

        var full = 0;
        for (var i = 0; i < 3000 && full < 5; i++)
        {
            var response = await senders[i % senders.Count].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = Body });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
                continue;
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && await restartedAsync())
            {
                continue;
            }

            if (response.StatusCode != HttpStatusCode.InsufficientStorage)
            {
                Assert.Fail($"a send on a full disk answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{await FaultLoad.LastExceptionsAsync([running])}{await PanicsAsync(postgresLog)}");
            }

            Assert.Equal("insufficient_storage", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            full++;
        }

        Assert.True(full > 0, "the disk never filled up");
        Assert.NotEmpty(acknowledged);
        if (whileFull is not null)
        {
            await whileFull(senders[0], recipient.Handle);
        }

        File.Delete(filler);
        var again = await senders[0].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Room again." });
        for (var i = 0; i < 120 && again.StatusCode == HttpStatusCode.ServiceUnavailable && await restartedAsync(); i++)
        {
            await Task.Delay(500); // PostgreSQL recovering from its restart: polled, as a client would
            again = await senders[0].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Room again." });
        }

        Assert.True(again.StatusCode == HttpStatusCode.Created, $"a send once the room was given back answered {(int)again.StatusCode}: {await again.Content.ReadAsStringAsync()}{await PanicsAsync(postgresLog)}");
        acknowledged.Add((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
        return acknowledged;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStalledDatabaseAnswers503AfterTheRequestTimeoutAndChangesNothing(bool slowStatements)
    {
        // Either a lock held by the test on the messages table, or every insert into it slowed by five seconds (a
        // trigger the test installs, as a slow disk would slow it).
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database.Db, "--policy", TestPolicy.WithoutLimits, "--request-timeout", "2");
        var slowest = TimeSpan.Zero;
        var before = await WarmAsync(server.Address, database.Db);
        for (var round = 0; round < Report.FaultRepeats; round++)
        {
            var recipient = await Member.SignUpPatientlyAsync(server.Address, "rc");
            var sender = await Member.SignUpPatientlyAsync(server.Address, "sd");
            Assert.Equal(HttpStatusCode.Created, (await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "Before the stall." })).StatusCode);

            await using (var stall = new NpgsqlConnection(database.Db))
            {
                await stall.OpenAsync();
                await using var transaction = slowStatements ? null : await stall.BeginTransactionAsync();
                var begin = slowStatements
                    ? """
                      CREATE OR REPLACE FUNCTION reach_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$;
                      CREATE TRIGGER reach_test_slow BEFORE INSERT ON "Messages" FOR EACH ROW EXECUTE FUNCTION reach_test_slow();
                      """
                    : "LOCK TABLE \"Messages\" IN ACCESS EXCLUSIVE MODE";
                await using (var command = new NpgsqlCommand(begin, stall, transaction))
                {
                    await command.ExecuteNonQueryAsync();
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
                slowest = timer.Elapsed > slowest ? timer.Elapsed : slowest;
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                }
                else
                {
                    await using var end = new NpgsqlCommand("DROP TRIGGER reach_test_slow ON \"Messages\"", stall);
                    await end.ExecuteNonQueryAsync();
                }
            }

            Assert.Equal(HttpStatusCode.Created, (await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = "After the stall." })).StatusCode);
        }

        await using var count = new NpgsqlConnection(database.Db);
        await count.OpenAsync();
        await using var messages = new NpgsqlCommand("SELECT count(*) FROM \"Messages\"", count);
        Assert.Equal(before + (2L * Report.FaultRepeats), (long)(await messages.ExecuteScalarAsync())!);
        Report.Line($"{(slowStatements ? "slowed" : "locked")} PostgreSQL, --request-timeout 2, {Report.FaultRepeats} times: every send of the stall answered 503 within {slowest.TotalSeconds:0.0} s, none stored");
    }

    // A cold server's first sign-ups and send (code compiled on first use, on a busy machine) may pass a two-second
    // --request-timeout before any stall: they are tried again until a send is stored, and the messages stored so far
    // are counted, so that the test's count starts from there.
    private static async Task<long> WarmAsync(Uri server, string db)
    {
        var recipient = await Member.SignUpPatientlyAsync(server, "wr");
        var sender = await Member.SignUpPatientlyAsync(server, "ws");
        for (var attempt = 1; ; attempt++)
        {
            var send = await sender.Http.PostAsJsonAsync("/api/messages", new { toHandle = recipient.Handle, body = $"Warming up {attempt}." });
            if (send.StatusCode == HttpStatusCode.Created)
            {
                break;
            }

            Assert.True(send.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5, $"a send before the stall answered {(int)send.StatusCode}");
        }

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM \"Messages\"", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task AStalledSqliteWriterFillsTheBoundedQueueAndSendsPastItAnswer503AtOnce()
    {
        var folder = Directory.CreateTempSubdirectory("reach-write-queue-").FullName;
        var db = Path.Combine(folder, "reach.db");
        try
        {
            var acknowledged = 0;
            int early = 0, waited = 0;
            await using (var server = await RunningServer.StartAsync(db, "--policy", TestPolicy.WithoutLimits, "--write-queue", "4"))
            {
                for (var round = 0; round < Report.FaultRepeats; round++)
                {
                    var (refused, stored) = await StallTheWriterAsync(server.Address, db);
                    early += refused;
                    waited += stored - 2;
                    acknowledged += stored;
                }
            }

            SqliteConnection.ClearAllPools();
            await using var connection = new SqliteConnection($"Data Source={db}");
            await connection.OpenAsync();
            await using var count = new SqliteCommand("SELECT count(*) FROM \"Messages\"", connection);
            Assert.Equal((long)acknowledged, (long)(await count.ExecuteScalarAsync())!);
            Report.Line($"stalled SQLite writer, --write-queue 4, {Report.FaultRepeats} times: {early} of {40 * Report.FaultRepeats} sends refused with 503 while it stalled, {waited} waited and were stored after");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Forty sends of forty pairs (none locked by the pacing of unanswered messages) while another program holds the
    // file's write lock for two seconds: the group commit's writer waits on it (busy_timeout), its queue fills, and the
    // sends past it answer 503 at once. Answers how many were refused before the lock was released, and how many sends
    // were stored (with one before the stall and one after it).
    private static async Task<(int Refused, int Stored)> StallTheWriterAsync(Uri server, string db)
    {
        var recipients = new List<Member>();
        var senders = new List<Member>();
        for (var i = 0; i < 8; i++)
        {
            senders.Add(await Member.SignUpAsync(server, "sd"));
            if (i < 5)
            {
                recipients.Add(await Member.SignUpAsync(server, "rc"));
            }
        }

        Assert.Equal(HttpStatusCode.Created, (await senders[0].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipients[0].Handle, body = "Before the stall." })).StatusCode);
        var stored = 1;
        var refused = 0;
        await using (var stall = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
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
            var first = await Task.WhenAny(sends);
            Assert.True(first.Result.Response.StatusCode == HttpStatusCode.ServiceUnavailable, $"the first answer in the stall was {(int)first.Result.Response.StatusCode}");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await using (var release = new SqliteCommand("ROLLBACK", stall))
            {
                await release.ExecuteNonQueryAsync();
            }

            var released = timer.Elapsed;
            foreach (var (response, at) in await Task.WhenAll(sends))
            {
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    stored++;
                    continue;
                }

                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"a send in the stall answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
                refused += at < released ? 1 : 0;
            }

            Assert.True(refused >= 20, $"only {refused} of 40 sends were refused before the lock was released");
        }

        Assert.Equal(HttpStatusCode.Created, (await senders[1].Http.PostAsJsonAsync("/api/messages", new { toHandle = recipients[0].Handle, body = "After the stall." })).StatusCode);
        return (refused, stored + 1);
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
