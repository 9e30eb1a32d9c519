using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>What happens to the PostgreSQL server under a load of sends.</summary>
public enum PostgresFault
{
    /// <summary>SIGKILL to the postmaster (a crash), started again on its data after a while.</summary>
    Killed,

    /// <summary>A clean restart (fast shutdown).</summary>
    Restarted,

    /// <summary>Every connection of Reach's database ended by <c>pg_terminate_backend</c>: the pools hold dead connections.</summary>
    ConnectionsTerminated,
}

/// <summary>
/// The database itself hurt under load: a PostgreSQL server of the test's own, durable (<c>fsync</c> and
/// <c>synchronous_commit</c> on), killed, restarted or its connections ended while three Reach processes serve 24
/// senders. While it is away every send answers 201, 403 or 503 <c>unavailable</c> with <c>Retry-After</c> — no 500,
/// none hangs past the client's timeout; after it is back Reach serves again by itself, live notifications arrive
/// again (the <c>LISTEN</c> connection reconnects), every acknowledged send is stored, and caps, counters and ledgers
/// hold. <c>REACH_DB_FAULTS</c> repeats each fault (the long form); CI runs each once.
/// </summary>
public sealed class PostgresFaultTests(PostgresFaultServers servers) : IClassFixture<PostgresFaultServers>
{
    [Theory]
    [InlineData(PostgresFault.Killed)]
    [InlineData(PostgresFault.Restarted)]
    [InlineData(PostgresFault.ConnectionsTerminated)]
    public async Task NothingAcknowledgedIsLostAndReachHealsByItself(PostgresFault fault)
    {
        var times = Report.FaultRepeats;
        var acknowledged = new ConcurrentBag<long>();
        var heal = new List<double>();
        var unavailable = 0;
        for (var round = 0; round < times; round++)
        {
            var (healed, refused) = await FaultLoad.RoundAsync(servers.Reach, () => servers.StrikeAsync(fault), acknowledged);
            heal.Add(healed.TotalSeconds);
            unavailable += refused;
        }

        await StoredState.AssertHeldAsync(servers.Db, acknowledged, ReachPolicy.Default.Tier("recruiter").ReceiveCap);
        await FaultLoad.LiveNotificationsArriveAsync(servers.Reach);
        heal.Sort();
        Report.Line($"postgres fault {fault}: {times} times under load of 3 processes and 24 senders; {acknowledged.Count} sends acknowledged, all stored; {unavailable} answered 503; healed in {heal[heal.Count / 2]:0.0} s (median), {heal[^1]:0.0} s (worst)");
    }
}

/// <summary>
/// The PostgreSQL server of the fault tests (durable: <c>fsync</c> and <c>synchronous_commit</c> on), one database on
/// it, and the three Reach processes serving it: shared by the three faults, which strike one after the other, so that
/// each fault also finds Reach as the one before it left it.
/// </summary>
public sealed class PostgresFaultServers : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reach-pg-fault-" + Guid.NewGuid().ToString("N")[..8]);
    private int _port;
    private string _server = string.Empty;

    public string Db { get; private set; } = string.Empty;

    public List<RunningServer> Reach { get; } = [];

    public async ValueTask InitializeAsync()
    {
        _port = PostgresScript.FreePort();
        _server = (await PostgresScript.RunAsync(new Dictionary<string, string> { ["REACH_PG_FSYNC"] = "on" }, "start", _root, _port.ToString(CultureInfo.InvariantCulture))).Trim();
        var name = "reach_fault_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        Db = new NpgsqlConnectionStringBuilder(_server) { Database = name, Timeout = 5, CommandTimeout = 20 }.ToString();
        for (var i = 0; i < 3; i++)
        {
            Reach.Add(await RunningServer.StartAsync(Db, "--policy", TestPolicy.WithoutLimits));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Reach)
        {
            await server.DisposeAsync();
        }

        await PostgresScript.RunAsync(null, "stop", _root);
    }

    /// <summary>The fault itself; answers once the database is back (for a crash, after the two seconds it stays down).</summary>
    public async Task StrikeAsync(PostgresFault fault)
    {
        switch (fault)
        {
            case PostgresFault.Killed:
                await PostgresScript.RunAsync(null, "kill", _root);
                await Task.Delay(TimeSpan.FromSeconds(2));
                await PostgresScript.RunAsync(null, "resume", _root, _port.ToString(CultureInfo.InvariantCulture));
                break;
            case PostgresFault.Restarted:
                await PostgresScript.RunAsync(null, "restart", _root);
                break;
            case PostgresFault.ConnectionsTerminated:
                await using (var admin = new NpgsqlConnection(_server))
                {
                    await admin.OpenAsync();
                    await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname <> 'postgres' AND pid <> pg_backend_pid()", admin);
                    Assert.True((long)(await terminate.ExecuteScalarAsync())! > 0);
                }

                break;
        }
    }
}
