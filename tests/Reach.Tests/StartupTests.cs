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
        Assert.Contains("usage", usage, StringComparison.Ordinal);

        var (badAmountExit, _) = await RunAsync("credits", "nobody", "lots", "--db", db);
        Assert.Equal(2, badAmountExit);
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
