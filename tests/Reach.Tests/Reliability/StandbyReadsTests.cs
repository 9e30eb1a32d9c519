using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Reach.Tests.Reliability;

/// <summary>
/// Reads on the standby (<c>--db-read</c>) of a pg_auto_failover formation. The standby's replay is paused, so that
/// what it serves is visibly behind: another member's new post and headline are not seen by a reader (the read was
/// served by the standby), while their author reads them back at once (read-your-writes: the standby has not replayed
/// the author's write, so the primary serves the author). Once replay resumes, the reader sees them too. Runs with the
/// formation's other tests (<c>REACH_HA=1</c>).
/// </summary>
public sealed class StandbyReadsTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reach-ha-" + Guid.NewGuid().ToString("N")[..8]);
    private bool _started;

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresScript.FormationAsync("stop", _root);
        }
    }

    [Fact]
    public async Task AStaleTolerantReadIsServedByTheStandbyWhileAMemberReadsTheirOwnWritesAtOnce()
    {
        Assert.SkipUnless(FailoverTests.Enabled, "The formation's tests run in scripts/reliability.sh (REACH_HA=1).");
        var port = PostgresScript.FreePorts();
        _started = true;
        var db = (await PostgresScript.FormationAsync("start", _root, port.ToString(CultureInfo.InvariantCulture))).Trim();
        var dbRead = (await PostgresScript.FormationAsync("db-read", _root)).Trim();
        var standbyNode = (await PostgresScript.FormationAsync("state", _root)).Split('\n').Single(line => line.Contains(" secondary", StringComparison.Ordinal)).Split(' ')[0];
        await using var standby = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port + int.Parse(standbyNode[^1..], CultureInfo.InvariantCulture)};Database=reach;Username=postgres;Pooling=false");
        await using var primary = NpgsqlDataSource.Create(db);
        await using var server = await RunningServer.StartAsync(db, "--db-read", dbRead);

        var author = await Member.SignUpAsync(server.Address, "author");
        var reader = await Member.SignUpAsync(server.Address, "reader");
        await CaughtUpAsync(primary, standby);
        Assert.Empty(await PostsAsync(reader, author.Handle));

        // The standby stops replaying: from here on it serves what it had.
        await ExecuteAsync(standby, "SELECT pg_wal_replay_pause()");
        try
        {
            Assert.Equal(HttpStatusCode.Created, (await author.Http.PostAsJsonAsync("/api/posts", new { body = "Hiring two engineers this winter." })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await author.Http.PatchAsJsonAsync("/api/me/profile", new { headline = "Now hiring" })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await author.Http.PutAsync($"/api/me/bookmarks/{reader.Handle}", null)).StatusCode);

            // A reader's stale-tolerant reads are the paused standby's: neither the post nor the headline yet.
            Assert.Empty(await PostsAsync(reader, author.Handle));
            Assert.False((await ProfileAsync(reader, author.Handle)).TryGetProperty("headline", out _));

            // The author reads their own writes at once: their post, their bookmark, their headline as others see it.
            Assert.Single(await PostsAsync(author, author.Handle));
            var bookmarks = await author.Http.GetFromJsonAsync<JsonElement>("/api/me/bookmarks");
            Assert.Equal(reader.Handle, bookmarks.GetProperty("items").EnumerateArray().Single().GetProperty("member").GetProperty("handle").GetString());
            Assert.Equal("Now hiring", (await ProfileAsync(author, author.Handle)).GetProperty("headline").GetString());

            var metrics = await MetricsAsync(server);
            Assert.Contains("from=\"standby\",why=\"routed\"", metrics, StringComparison.Ordinal);
            Assert.Contains("from=\"primary\",why=\"behind\"", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(standby, "SELECT pg_wal_replay_resume()");
        }

        // Replayed, the standby serves the reader the post.
        await CaughtUpAsync(primary, standby);
        Assert.Single(await PostsAsync(reader, author.Handle));
        Assert.Equal("Now hiring", (await ProfileAsync(reader, author.Handle)).GetProperty("headline").GetString());
        Report.Line("standby reads: a reader's posts and profile served by a paused standby (stale), the author's own post, headline and bookmark read back at once");
    }

    [Fact]
    public async Task WithDbReadTheStaleTolerantReadsRunOnItsConnectionsAndAWriterIsCheckedAgainstItsReplay()
    {
        // Without a formation (CI): --db-read names the primary itself, which is not in recovery and so has replayed
        // everything. The reads run on the standby's contexts, the writer's through the replay check, and answer alike.
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            await using var host = new ReachHost(database.Db, new Dictionary<string, string> { ["db-read"] = database.Db });
            var api = new Api(host);
            var author = await api.SignUpAsync("author");
            var reader = await api.SignUpAsync("reader");
            Assert.Equal(HttpStatusCode.Created, (await author.Client.PostAsJsonAsync("/api/posts", new { body = "Hiring this winter." })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await author.Client.PutAsync($"/api/me/bookmarks/{reader.Handle}", null)).StatusCode);
            foreach (var viewer in new[] { author.Client, reader.Client })
            {
                Assert.Single((await viewer.GetFromJsonAsync<JsonElement>($"/api/members/{author.Handle}/posts")).GetProperty("items").EnumerateArray());
                Assert.Equal(author.Handle, (await viewer.GetFromJsonAsync<JsonElement>($"/api/members/{author.Handle}")).GetProperty("member").GetProperty("handle").GetString());
                Assert.NotEmpty((await viewer.GetFromJsonAsync<JsonElement>("/api/search/members?q=member")).GetProperty("items").EnumerateArray());
            }

            Assert.Equal(reader.Handle, (await author.Client.GetFromJsonAsync<JsonElement>("/api/me/bookmarks")).GetProperty("items").EnumerateArray().Single().GetProperty("member").GetProperty("handle").GetString());
            Assert.Contains("from=\"standby\",why=\"routed\"", await api.Admin.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task<List<JsonElement>> PostsAsync(Member viewer, string author) =>
        [.. (await viewer.Http.GetFromJsonAsync<JsonElement>($"/api/members/{author}/posts")).GetProperty("items").EnumerateArray()];

    private static async Task<JsonElement> ProfileAsync(Member viewer, string handle) =>
        (await viewer.Http.GetFromJsonAsync<JsonElement>($"/api/members/{handle}")).GetProperty("member");

    private static async Task<string> MetricsAsync(RunningServer server)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        return await http.GetStringAsync("/metrics");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    // Waits until the standby has replayed everything the primary has written so far.
    private static async Task CaughtUpAsync(NpgsqlDataSource primary, NpgsqlDataSource standby)
    {
        await using var written = primary.CreateCommand("SELECT pg_current_wal_lsn()");
        var target = (NpgsqlTypes.NpgsqlLogSequenceNumber)(await written.ExecuteScalarAsync())!;
        for (var i = 0; i < 200; i++)
        {
            await using var replayed = standby.CreateCommand("SELECT pg_last_wal_replay_lsn()");
            if ((NpgsqlTypes.NpgsqlLogSequenceNumber)(await replayed.ExecuteScalarAsync())! >= target)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The standby did not catch up with the primary in 10 s.");
    }
}
