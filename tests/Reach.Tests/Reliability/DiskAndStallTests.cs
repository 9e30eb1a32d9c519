using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reach.Tests.Reliability;

/// <summary>
/// A database whose disk fills up and one that stalls, under real server processes. A full disk (SQLite on a small
/// tmpfs the test mounts): sends answer 507 <c>insufficient_storage</c>, nothing half-written, the file passes
/// <c>integrity_check</c>, and sends succeed again once space is freed. A stalled database (PostgreSQL, a table locked
/// by the test): requests answer 503 <c>unavailable</c> after <c>--request-timeout</c> instead of piling up, and
/// change nothing.
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
                var recipient = await SignUpAsync(server.Address, "rc");
                var senders = new List<(string Handle, HttpClient Http)>();
                for (var i = 0; i < 4; i++)
                {
                    var sender = await SignUpAsync(server.Address, "sd");
                    var invitation = await (await sender.Http.PostAsJsonAsync("/api/invitations", new { toHandle = recipient.Handle })).Content.ReadFromJsonAsync<JsonElement>();
                    Assert.Equal(HttpStatusCode.OK, (await recipient.Http.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null)).StatusCode);
                    senders.Add(sender);
                }

                // Everything but a little room taken by a file of the test's.
                var filler = Path.Combine(folder, "filler");
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
    public async Task AStalledDatabaseAnswers503AfterTheRequestTimeoutAndChangesNothing()
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database.Db, "--policy", TestPolicy.WithoutLimits, "--request-timeout", "2");
        var recipient = await SignUpAsync(server.Address, "rc");
        var sender = await SignUpAsync(server.Address, "sd");
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

    private static async Task<(string Handle, HttpClient Http)> SignUpAsync(Uri server, string prefix)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..24];
        var email = handle + "@example.com";
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, handle, displayName = "Member " + handle })).StatusCode);
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { email, password = Api.Password })).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return (handle, http);
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
