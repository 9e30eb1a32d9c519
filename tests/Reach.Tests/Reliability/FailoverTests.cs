using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Reach.Policy;

namespace Reach.Tests.Reliability;

/// <summary>
/// The database machine lost: a pg_auto_failover formation (<c>scripts/ha.sh</c>: a monitor, a primary and a synchronous
/// standby), Reach's three processes on its multi-host connection string, and the primary's keeper and PostgreSQL
/// killed with SIGKILL under a load of 24 senders. The standby is promoted; while it is, every send answers 201, 403 or
/// 503 <c>unavailable</c> (no 500); Reach then serves from the new primary by itself, live notifications follow it,
/// every acknowledged send is stored, and caps, counters and ledgers hold. After each round the killed node rejoins as
/// the standby, so the next round kills the other one. <c>REACH_DB_FAULTS</c> repeats it; it runs in the long form
/// (<c>REACH_HA=1</c>), not in CI.
/// </summary>
public sealed class FailoverTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reach-ha-" + Guid.NewGuid().ToString("N")[..8]);
    private string _db = string.Empty;

    /// <summary>Whether the formation tests run: <c>REACH_HA=1</c> (<c>scripts/reliability.sh</c> sets it).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("REACH_HA") == "1";

    public async ValueTask DisposeAsync()
    {
        if (_db.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresScript.FormationAsync("stop", _root);
        }
    }

    // What each node says of itself, asked directly: in recovery or not, read-only or not, its synchronous standbys and
    // its sessions (a failing round's message).
    private static async Task<string> NodesAsync(string formation)
    {
        var text = new System.Text.StringBuilder();
        foreach (var host in new NpgsqlConnectionStringBuilder(formation).Host!.Split(','))
        {
            var (name, port) = (host.Split(':')[0], host.Split(':')[1]);
            try
            {
                await using var connection = new NpgsqlConnection($"Host={name};Port={port};Database=reach;Username=postgres;Pooling=false;Timeout=3");
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT pg_is_in_recovery()::text || ' read_only=' || current_setting('default_transaction_read_only') || ' sync=' || current_setting('synchronous_standby_names') || ' sessions=' || (SELECT count(*) FROM pg_stat_activity)", connection);
                text.Append(CultureInfo.InvariantCulture, $"{host}: in recovery {await command.ExecuteScalarAsync()}\n");
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                text.Append(CultureInfo.InvariantCulture, $"{host}: {e.Message}\n");
            }
        }

        try
        {
            await using var source = NpgsqlDataSource.Create(formation);
            await using var connection = await source.OpenConnectionAsync();
            text.Append(CultureInfo.InvariantCulture, $"the formation's connection string opens on {connection.Host}:{connection.Port}\n");
        }
        catch (NpgsqlException e)
        {
            text.Append(CultureInfo.InvariantCulture, $"the formation's connection string: {e}\n");
        }

        return text.ToString();
    }

    [Fact]
    public async Task APrimaryLostUnderLoadFailsOverWithoutA500AndLosesNothingAcknowledged()
    {
        // A formation takes 20 s to start and a round about a minute: more than CI's budget leaves. The long form runs it.
        Assert.SkipUnless(Enabled, "The formation's tests run in scripts/reliability.sh (REACH_HA=1).");
        var formation = (await PostgresScript.FormationAsync("start", _root, PostgresScript.FreePorts().ToString(CultureInfo.InvariantCulture))).Trim();
        _db = new NpgsqlConnectionStringBuilder(formation) { CommandTimeout = 20 }.ToString();
        var times = Report.FaultRepeats;
        var servers = new List<RunningServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                servers.Add(await RunningServer.StartAsync(_db, "--policy", TestPolicy.WithoutLimits));
            }

            var acknowledged = new ConcurrentBag<long>();
            var heal = new List<double>();
            var unavailable = 0;
            var story = new System.Text.StringBuilder();
            for (var round = 0; round < times; round++)
            {
                (TimeSpan Healed, int Unavailable) result;
                story.Append(await PostgresScript.FormationAsync("state", _root));
                try
                {
                    result = await FaultLoad.RoundAsync(servers, async () =>
                    {
                        story.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:T} killed ").Append(await PostgresScript.FormationAsync("kill", _root));
                        story.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:T} promoted ").Append(await PostgresScript.FormationAsync("promoted", _root));
                    },
                    acknowledged,
                    // Room for 2,304 first messages a round: the sends stored while the kill itself runs (hundreds
                    // a second) must not use up every pair before the promoted standby has taken its 40.
                    recipientCount: 48);
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    throw new Xunit.Sdk.XunitException($"round {round + 1}: {e.Message}\n{await FaultLoad.LastExceptionsAsync(servers)}\n{story}{await NodesAsync(_db)}{await PostgresScript.FormationAsync("state", _root)}{await PostgresScript.FormationAsync("events", _root)}");
                }

                var (healed, refused) = result;
                heal.Add(healed.TotalSeconds);
                unavailable += refused;
                await PostgresScript.FormationAsync("rejoin", _root);
                story.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:T} rejoined\n");
            }

            await PostgresScript.FormationAsync("wait", _root);
            NpgsqlConnection.ClearAllPools();
            await StoredState.AssertHeldAsync(_db, acknowledged, ReachPolicy.Default.Tier("recruiter").ReceiveCap);
            await FaultLoad.LiveNotificationsArriveAsync(servers);
            heal.Sort();
            Report.Line($"failover (primary killed, standby promoted): {times} times under load of 3 processes and 24 senders; {acknowledged.Count} sends acknowledged, all stored; {unavailable} answered 503; healed in {heal[heal.Count / 2]:0.0} s (median), {heal[^1]:0.0} s (worst)");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}
