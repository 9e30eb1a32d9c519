using System.Diagnostics;

namespace Reach.Tests;

/// <summary>The real Reach executable on a free port, for what only a real Kestrel shows (body limits, memory).</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly Process _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private RunningServer(Process process, Uri address, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        Address = address;
        _output = output;
    }

    /// <summary>The admin key every running server is started with.</summary>
    public const string AdminKey = "running-server-admin-key";

    public Uri Address { get; }

    /// <summary>The server's last 2,000 lines of output (its log), for a failing test's message.</summary>
    public string Output => string.Join('\n', _output);

    public int ProcessId => _process.Id;

    /// <summary>The server's resident memory now, from <c>/proc</c>.</summary>
    public long ResidentBytes =>
        long.Parse(File.ReadAllLines($"/proc/{_process.Id}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    public static async Task<RunningServer> StartAsync(string db, params string[] options)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Reach.Server.dll"), "--db", db, "--urls", $"http://127.0.0.1:{port}", "--admin-key", AdminKey }.Concat(options))
        {
            start.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line)
        {
            output.Enqueue(line ?? string.Empty);
            while (output.Count > 2000 && output.TryDequeue(out _))
            {
            }
        }

        process.OutputDataReceived += (_, e) =>
        {
            Keep(e.Data);
            if (e.Data?.Contains("Reach is listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new RunningServer(process, new Uri($"http://127.0.0.1:{port}"), output);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
