using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>
/// A server process killed with SIGKILL in the middle of a load of sends, then started again on the same database:
/// every send it acknowledged is stored, no cap is exceeded and every ledger is balanced (SPEC §12, reliability).
/// The server is the real one, run as a process of its own (<c>dotnet Reach.Server.dll</c>).
/// </summary>
public abstract class CrashTests<TDatabase> : IAsyncLifetime where TDatabase : Database, new()
{
    private const string AdminKey = "crash-test-admin-key-0123";
    private readonly TDatabase _database = new();
    private Process? _server;

    public async ValueTask InitializeAsync() => await _database.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task AKilledServerLosesNoAcknowledgedSend()
    {
        // CI kills the server once; the long form (REACH_CRASHES) kills it again and again on the same database.
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("REACH_CRASHES"), CultureInfo.InvariantCulture, out var n) ? n : 1;
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        for (var round = 0; round < rounds; round++)
        {
            await RoundAsync(acknowledged, killAfter: acknowledged.Count + Random.Shared.Next(5, 60));
        }

        await CheckAsync(acknowledged, rounds);
    }

    private async Task RoundAsync(System.Collections.Concurrent.ConcurrentBag<long> acknowledged, int killAfter)
    {
        using var http = await StartAsync(FreePort());
        var recipients = new List<(string Handle, HttpClient Client)>();
        for (var i = 0; i < 4; i++)
        {
            recipients.Add(await SignUpAsync(http, "rc"));
        }

        var senders = new List<(string Handle, HttpClient Client)>();
        for (var i = 0; i < 24; i++)
        {
            var sender = await SignUpAsync(http, "sd");
            if (i % 3 == 0)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/members/{sender.Handle}/tier") { Content = JsonContent.Create(new { tier = "premium_business" }) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
            }

            senders.Add(sender);
        }

        // Every sender writes to the recipients in turn (regular messages, and InMails from the premium ones), as fast
        // as it can, until the server dies under it; it is killed once a random number of sends were acknowledged.
        var sends = senders.Select(async (sender, index) =>
        {
            for (var round = 0; ; round++)
            {
                var recipient = recipients[(index + round) % recipients.Count].Handle;
                try
                {
                    var inMail = index % 3 == 0;
                    var response = await sender.Client.PostAsJsonAsync("/api/messages", new { toHandle = recipient, body = $"Before the crash, {round}", subject = inMail ? "Hello" : null, inMail });
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetInt64());
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    return; // the server is gone: this send was never acknowledged
                }
            }
        }).ToList();

        while (acknowledged.Count < killAfter && !sends.All(send => send.IsCompleted))
        {
            await Task.Delay(5);
        }

        Kill();
        await Task.WhenAll(sends);
        Assert.NotEmpty(acknowledged);
    }

    private async Task CheckAsync(System.Collections.Concurrent.ConcurrentBag<long> acknowledged, int rounds)
    {
        // Started again on the same database, the server answers, and the stored state keeps every promise.
        using var again = await StartAsync(FreePort());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Kill();

        var (messages, inMails) = await StoredState.AssertHeldAsync(_database.Db, acknowledged, ReachPolicy.Default.DefaultTier.ReceiveCap);
        Report.Line($"crash {typeof(TDatabase).Name}: killed {rounds} times under load; {acknowledged.Count} sends acknowledged, all stored; {messages} messages, {inMails} InMails, ledgers balanced");
    }

    private async Task<HttpClient> StartAsync(int port)
    {
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Reach.Server.dll"), "--db", _database.Db, "--urls", url, "--admin-key", AdminKey, "--policy", TestPolicy.WithoutLimits },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        // A loaded machine (CI runs the test projects side by side) can take a while to start a process.
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                if ((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return http;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.False(_server.HasExited, "the server process stopped while starting");
            await Task.Delay(100);
        }

        throw new TimeoutException("The server did not answer /health within two minutes.");
    }

    private static async Task<(string Handle, HttpClient Client)> SignUpAsync(HttpClient http, string prefix)
    {
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..24];
        var email = handle + "@example.com";
        var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, handle, displayName = "Member " + handle });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { email, password = Api.Password })).Content.ReadFromJsonAsync<JsonElement>();
        var client = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return (handle, client);
    }

    private void Kill()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
            _server.WaitForExit();
        }

        _server?.Dispose();
        _server = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class CrashSqliteTests : CrashTests<SqliteDatabase>;

public sealed class CrashPostgresTests : CrashTests<PostgresDatabase>;
