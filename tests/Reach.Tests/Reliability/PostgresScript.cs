using System.Diagnostics;
using System.Net;

namespace Reach.Tests.Reliability;

/// <summary>
/// <c>scripts/postgres.sh</c> and <c>scripts/ha.sh</c> from the tests: a PostgreSQL server of a test's own (durable, or on
/// a small disk) or a formation with automatic failover, and the faults done to them.
/// </summary>
internal static class PostgresScript
{
    /// <summary>Runs the script with <paramref name="arguments"/> and answers what it printed; a failure fails the test.</summary>
    public static Task<string> RunAsync(Dictionary<string, string>? environment, params string[] arguments) =>
        ScriptAsync("postgres.sh", environment, arguments);

    /// <summary>Runs <c>scripts/ha.sh</c> (a pg_auto_failover formation) with <paramref name="arguments"/>.</summary>
    public static Task<string> FormationAsync(params string[] arguments) => ScriptAsync("ha.sh", null, arguments);

    private static async Task<string> ScriptAsync(string script, Dictionary<string, string>? environment, string[] arguments)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Reach.slnx")))
        {
            folder = folder.Parent;
        }

        var start = new ProcessStartInfo(Path.Combine(folder!.FullName, "scripts", script)) { RedirectStandardOutput = true, RedirectStandardError = true };
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
        Assert.True(process.ExitCode == 0, $"{script} {string.Join(' ', arguments)}: {output}{errors}");
        return output;
    }

    /// <summary>The first of three consecutive TCP ports free on the loopback address now.</summary>
    public static int FreePorts()
    {
        while (true)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            if (Enumerable.Range(first, 3).All(IsFree))
            {
                return first;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>A TCP port free on the loopback address now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
