using System.Diagnostics;

namespace Reach.Tests;

/// <summary>The real Reach executable on a free port, for what only a real Kestrel shows (body limits, memory).</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly Process _process;

    private RunningServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The admin key every running server is started with.</summary>
    public const string AdminKey = "running-server-admin-key";

    public Uri Address { get; }

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
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Reach is listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new RunningServer(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
