using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Reach.Benchmarks.Run;

/// <summary>One wrk run: requests per second, latency, and how many answers were not 2xx.</summary>
public sealed record WrkResult(string Endpoint, int Connections, double PerSecond, double P50Ms, double P99Ms, long Requests, long NotOk);

/// <summary>
/// Reach as a real server process (Release build, on SQLite with <c>synchronous=FULL</c> or PostgreSQL) loaded by wrk: the bare
/// "hello world" endpoint, the pre-flight <c>GET /api/reach/{handle}</c> and durable <c>POST /api/messages</c>,
/// each at several connection counts, all in one run on one machine.
/// </summary>
public sealed partial class HttpLoad : IAsyncDisposable
{
    private const int SenderCount = 64;
    private const int RecipientsPerRun = 60_000;

    private readonly Process _server;
    private readonly string _folder;
    private readonly string _base;
    private readonly List<string> _tokens = [];
    private int _runs;

    private HttpLoad(Process server, string folder, string baseUrl)
    {
        _server = server;
        _folder = folder;
        _base = baseUrl;
    }

    /// <summary>Starts the server on <paramref name="database"/> (its SQLite file or PostgreSQL database) and signs in the senders.</summary>
    public static async Task<HttpLoad> StartAsync(string serverDll, BenchDatabase database, string folder, int port)
    {
        var policy = Path.Combine(folder, "bench.policy.json");
        await File.WriteAllTextAsync(policy, BenchDatabase.PolicyJson);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { serverDll, "--db", database.SqliteFile ?? database.Options.ConnectionString, "--urls", $"http://127.0.0.1:{port}", "--policy", policy, "--admin-key", "bench-admin-key-0123456789" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Reach__BenchHello"] = "true";
        start.Environment["DOTNET_gcServer"] = "1";
        var server = Process.Start(start) ?? throw new InvalidOperationException("The server did not start.");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var load = new HttpLoad(server, folder, $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri(load._base) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (attempt < 240 && !server.HasExited)
            {
            }

            await Task.Delay(500);
        }

        for (var i = 0; i < SenderCount; i++)
        {
            var email = $"sender{i}@bench.reach";
            (await http.PostAsJsonAsync(new Uri("/api/auth/register", UriKind.Relative), new { email, password = "bench-password", handle = $"sender{i}", displayName = $"Sender {i}" })).EnsureSuccessStatusCode();
            var token = await (await http.PostAsJsonAsync(new Uri("/api/auth/token", UriKind.Relative), new { email, password = "bench-password" })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<TokenJson>();
            load._tokens.Add(token!.AccessToken);
        }

        return load;
    }

    /// <summary>How many members the database needs: a fresh range of recipients for each send run.</summary>
    public static int MembersFor(int sendRuns) => RecipientsPerRun * (sendRuns + 1);

    public Task<WrkResult> HelloAsync(int connections, int seconds) => WrkAsync("hello world", connections, seconds, null, "/bench/hello");

    public Task<WrkResult> PreflightAsync(int connections, int seconds)
    {
        var script = $$"""
            local n = 0
            request = function()
              n = n + 1
              return wrk.format("GET", "/api/reach/member" .. ((n % 1000) + 1), { ["Authorization"] = "Bearer {{_tokens[0]}}" })
            end
            """;
        return WrkAsync("GET /api/reach/{handle}", connections, seconds, script, "/");
    }

    /// <summary>Cold first messages to recipients nobody has written to, from 64 senders in turn.</summary>
    public Task<WrkResult> SendAsync(int connections, int seconds)
    {
        var first = 1 + (_runs++ * RecipientsPerRun);
        var tokens = string.Join(", ", _tokens.Select(t => "\"" + t + "\""));
        var script = $$"""
            local tokens = { {{tokens}} }
            local threads = 0
            setup = function(thread)
              thread:set("id", threads)
              threads = threads + 1
            end
            local n = 0
            request = function()
              local r = {{first}} + id + 2 * n
              n = n + 1
              local body = '{"toHandle":"member' .. r .. '","body":"{{SendLoad.Body}}"}'
              return wrk.format("POST", "/api/messages", { ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1], ["Content-Type"] = "application/json" }, body)
            end
            """;
        return WrkAsync("POST /api/messages", connections, seconds, script, "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server.Dispose();
    }

    private async Task<WrkResult> WrkAsync(string endpoint, int connections, int seconds, string? script, string path)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "30s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            var file = Path.Combine(_folder, $"wrk-{Guid.NewGuid():N}.lua");
            await File.WriteAllTextAsync(file, script);
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(file);
        }

        start.ArgumentList.Add(_base + path);
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {output}{await wrk.StandardError.ReadToEndAsync()}");
        }

        var rate = double.Parse(RateLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(RequestsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var notOk = NotOkLine().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(endpoint, connections, rate, Latency(output, "50%"), Latency(output, "99%"), requests, notOk);
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NotOkLine();

    private sealed record TokenJson(string AccessToken);
}
