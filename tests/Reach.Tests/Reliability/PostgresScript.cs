using System.Diagnostics;
using System.Net;

namespace Reach.Tests.Reliability;

/// <summary>
/// <c>scripts/postgres.sh</c> from the tests: a PostgreSQL server of a test's own (durable, or on a small disk), and the
/// faults done to it (kill, resume, restart).
/// </summary>
internal static class PostgresScript
{
    /// <summary>Runs the script with <paramref name="arguments"/> and answers what it printed; a failure fails the test.</summary>
    public static async Task<string> RunAsync(Dictionary<string, string>? environment, params string[] arguments)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Reach.slnx")))
        {
            folder = folder.Parent;
        }

        var start = new ProcessStartInfo(Path.Combine(folder!.FullName, "scripts", "postgres.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"postgres.sh {string.Join(' ', arguments)}: {output}{errors}");
        return output;
    }

    /// <summary>A TCP port free on the loopback address now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
