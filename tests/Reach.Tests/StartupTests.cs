using System.Diagnostics;

namespace Reach.Tests;

/// <summary>Start options and the <c>reach</c> commands, run as the real executable (SPEC §10).</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reach-start").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the machine's temp cleaning.
        }
    }

    [Fact]
    public async Task AnUnknownOptionStopsTheServerNamingIt()
    {
        var (exit, output) = await RunAsync("--colour", "blue");

        Assert.Equal(2, exit);
        Assert.Contains("--colour", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadPolicyFileStopsTheServerNamingTheSetting()
    {
        var policy = Path.Combine(_folder, "reach.policy.json");
        await File.WriteAllTextAsync(policy, """{ "tiers": { "basic": { "receiveCap": -1, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""");

        var (exit, output) = await RunAsync("--db", Path.Combine(_folder, "a.db"), "--policy", policy);

        Assert.Equal(2, exit);
        Assert.Contains("tiers.basic.receiveCap must be >= 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadClockOrAShortAdminKeyStopsTheServer()
    {
        var (clockExit, clockOutput) = await RunAsync("--db", Path.Combine(_folder, "b.db"), "--clock", "sundial");
        var (keyExit, keyOutput) = await RunAsync("--db", Path.Combine(_folder, "c.db"), "--admin-key", "short");

        Assert.Equal(2, clockExit);
        Assert.Contains("--clock", clockOutput, StringComparison.Ordinal);
        Assert.Equal(2, keyExit);
        Assert.Contains("--admin-key", keyOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReachCommandsWorkOnTheSameDatabase()
    {
        var db = Path.Combine(_folder, "cli.db");
        Assert.Equal(0, (await RunAsync("migrate", "--db", db)).Exit);

        var (missingExit, missing) = await RunAsync("tier", "nobody", "recruiter", "--db", db);
        Assert.Equal(1, missingExit);
        Assert.Contains("not found", missing, StringComparison.OrdinalIgnoreCase);

        var (usageExit, usage) = await RunAsync("tier", "--db", db);
        Assert.Equal(2, usageExit);
        Assert.Contains("Usage:", usage, StringComparison.Ordinal);
        Assert.Contains("reach tier <handle> <tier>", usage, StringComparison.Ordinal);

        var (badAmountExit, _) = await RunAsync("credits", "nobody", "lots", "--db", db);
        Assert.Equal(2, badAmountExit);
    }

    [Fact]
    public async Task TheCommandAndEachSubcommandPrintTheirHelp()
    {
        var (exit, help) = await RunAsync("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "migrate", "tier", "status", "credits", "explain", "whatif", "--db" })
        {
            Assert.Contains(command, help, StringComparison.Ordinal);
        }

        foreach (var (command, usage) in new[] { ("migrate", "reach migrate"), ("tier", "reach tier <handle> <tier>"), ("status", "--until <time>"), ("credits", "reach credits <handle> <amount> [<note>]"), ("explain", "reach explain <sender> <recipient>"), ("tier", "--policy <file>"), ("whatif", "--in-force <file>") })
        {
            var (commandExit, commandHelp) = await RunAsync(command, "--help");
            Assert.Equal(0, commandExit);
            Assert.Contains(usage, commandHelp, StringComparison.Ordinal);
        }

        Assert.Equal(0, (await RunAsync("help", "tier")).Exit);
    }

    [Fact]
    public async Task EachCommandAnswersDoneRefusedOrBadUsage()
    {
        var db = Path.Combine(_folder, "exits.db");
        TestMember ada, bob;
        await using (var host = new ReachHost(db))
        {
            var api = new Api(host);
            (ada, bob) = (await api.SignUpAsync("ada"), await api.SignUpAsync("bob"));
            Assert.Equal(System.Net.HttpStatusCode.Created, (await Api.SendAsync(ada, bob)).StatusCode);
        }

        var candidate = TestPolicy.Write("""{ "tiers": { "basic": { "receiveCap": 0, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""");
        var badCandidate = TestPolicy.Write("""{ "tiers": 5 }""");

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        (string[] Args, int Exit)[] cases =
        [
            (["migrate"], 0),
            (["tier", ada.Handle, "premium_business"], 0),
            (["tier", "nobody", "basic"], 1),
            (["tier", ada.Handle, "gold"], 1),
            (["tier", ada.Handle], 2),
            (["status", bob.Handle, "restricted", "--until", "2030-01-01T00:00:00Z"], 0),
            (["status", bob.Handle, "restricted", "--until", "someday"], 2),
            (["status", "nobody", "active"], 1),
            (["credits", ada.Handle, "5", "goodwill"], 0),
            (["credits", ada.Handle, "lots"], 2),
            (["credits", "nobody", "5"], 1),
            (["explain", ada.Handle, bob.Handle], 0),
            (["explain", ada.Handle, "nobody"], 1),
            (["explain", ada.Handle], 2),
            (["tier", ada.Handle, "basic", "--colour", "blue"], 2),
            (["whatif", "--policy", candidate, "--in-force", TestPolicy.WithoutLimits], 0),
            (["whatif", "--policy", badCandidate], 2),
            (["whatif", "--policy", Path.Combine(_folder, "no-such.json")], 2),
            (["whatif"], 2),
            (["whatif", "--policy", candidate, "--from", "someday"], 2),
        ];
        foreach (var (args, expected) in cases)
        {
            var (exit, output) = await RunAsync([.. args, "--db", db]);
            Assert.True(expected == exit, $"reach {string.Join(' ', args)}: exit {exit}, expected {expected}\n{output}");
        }

        Assert.Contains("restricted until 2030-01-01", (await RunAsync("status", bob.Handle, "restricted", "--until", "2030-01-01", "--db", db)).Output, StringComparison.Ordinal);
        // Spectre wraps lines at the console's width.
        var whatIf = System.Text.RegularExpressions.Regex.Replace((await RunAsync("whatif", "--policy", candidate, "--in-force", TestPolicy.WithoutLimits, "--db", db)).Output, @"\s+", " ");
        Assert.Contains("1 replayed, 0 unchanged, 1 now locked", whatIf, StringComparison.Ordinal);
        Assert.Contains("monthly_limit_reached", whatIf, StringComparison.Ordinal);
    }

    [Fact]
    public Task StartedFromAnotherFolderARequestWritesNoInformationLine() => RequestsWriteNoInformationLineAsync(Path.Combine(_folder, "logs.db"));

    [Fact]
    public async Task OnPostgreSqlARequestWritesNoInformationLine()
    {
        // Npgsql logs every command at Information through the host's loggers.
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            await RequestsWriteNoInformationLineAsync(database.Db);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task WithOtlpARequestIsTracedThroughItsUseCaseToItsStatements()
    {
        // A stand-in collector: OTLP over HTTP posts protobuf to /v1/traces; the span names are plain UTF-8 in it.
        var collectorPort = FreePort();
        using var collector = new System.Net.HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        collector.Start();
        var posts = new System.Collections.Concurrent.ConcurrentQueue<(string Path, byte[] Body)>();
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                posts.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        await RequestsWriteNoInformationLineAsync(Path.Combine(_folder, "otlp.db"), null, "--otlp", $"http://127.0.0.1:{collectorPort}");
        collector.Stop();
        await receiving;

        Assert.NotEmpty(posts);
        Assert.All(posts, post => Assert.Equal("/v1/traces", post.Path));
        var exported = System.Text.Encoding.Latin1.GetString([.. posts.SelectMany(post => post.Body)]);
        foreach (var span in new[] { "/api/reach/{handle}", "/api/messages", "preflight", "send", "db.batch", "reach" })
        {
            Assert.Contains(span, exported, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--otlp", "collector:4318")]
    [InlineData("--request-timeout", "0")]
    [InlineData("--write-queue", "0")]
    [InlineData("--write-queue", "many")]
    [InlineData("--db-read", "Host=127.0.0.1;Database=reach")]
    public async Task ABadStartOptionStopsTheServerNamingIt(string option, string value)
    {
        var (exit, output) = await RunAsync("--db", Path.Combine(_folder, "o.db"), option, value);
        Assert.Equal(2, exit);
        Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Fact]
    public Task StartedInTheDatabaseFolderTheServerWatchesNoFile() =>
        // Every commit writes to the folder of the database; a watcher there (the settings' reload) would wake on each.
        RequestsWriteNoInformationLineAsync(Path.Combine(_folder, "watch.db"), serverId =>
        {
            var watchers = new DirectoryInfo($"/proc/{serverId}/fd").GetFileSystemInfos()
                .Count(fd => fd.LinkTarget?.Contains("inotify", StringComparison.Ordinal) == true);
            Assert.Equal(0, watchers);
        });

    private async Task RequestsWriteNoInformationLineAsync(string db, Action<int>? whileRunning = null, params string[] options)
    {
        // The real executable, started in a folder without appsettings.json: the defaults in code must hold.
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Reach.Server.dll"), "--db", db, "--urls", $"http://127.0.0.1:{port}", "--admin-key", "log-test-admin-key-0123", .. options])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("Logging__", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line.Contains("Reach is listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) => lines.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var other = await SignUpAsync(http, "logs_other");
            var me = await SignUpAsync(http, "logs_me");
            using var authorized = new HttpClient { BaseAddress = http.BaseAddress };
            authorized.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", me);
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await authorized.GetAsync(new Uri($"/api/reach/{other}", UriKind.Relative))).IsSuccessStatusCode);
            }

            Assert.True((await authorized.PostAsync(new Uri("/api/messages", UriKind.Relative), JsonBody($$"""{"toHandle":"{{other}}","body":"Hello"}"""))).IsSuccessStatusCode);
            Assert.True((await authorized.GetAsync(new Uri("/api/conversations", UriKind.Relative))).IsSuccessStatusCode);
            Assert.True((await http.GetAsync(new Uri("/signin", UriKind.Relative))).IsSuccessStatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await authorized.GetAsync(new Uri("/api/reach/nobody_here", UriKind.Relative))).StatusCode);
            whileRunning?.Invoke(process.Id);
        }
        finally
        {
            // A graceful stop (SIGTERM), so that every line the server logged is written out before it exits.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.Contains(lines, line => line.Contains("Reach is listening on", StringComparison.Ordinal));
        // The start-up facts are the one Information line (event 100); requests write none.
        Assert.Single(lines, line => line.Contains("\"EventId\":100,", StringComparison.Ordinal) && line.Contains("Reach started: SQLite", StringComparison.Ordinal) != db.Contains("Host=", StringComparison.Ordinal));
        var information = lines.Where(line => line.Contains("\"LogLevel\":\"Information\"", StringComparison.Ordinal) && !line.Contains("\"EventId\":100,", StringComparison.Ordinal)).ToList();
        Assert.True(information.Count == 0, "Information lines: " + string.Join(Environment.NewLine, information.Take(5)));
    }

    private static async Task<string> SignUpAsync(HttpClient http, string handle)
    {
        var email = handle + "@example.com";
        var register = await http.PostAsync(new Uri("/api/auth/register", UriKind.Relative), JsonBody($$"""{"email":"{{email}}","password":"{{Api.Password}}","handle":"{{handle}}","displayName":"{{handle}}"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Created, register.StatusCode);
        if (handle.EndsWith("other", StringComparison.Ordinal))
        {
            return handle;
        }

        var token = await http.PostAsync(new Uri("/api/auth/token", UriKind.Relative), JsonBody($$"""{"email":"{{email}}","password":"{{Api.Password}}"}"""));
        using var json = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Reach.Server.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(server);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["REACH_ADMIN_KEY"] = null;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The server did not stop by itself: " + await stdout);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
