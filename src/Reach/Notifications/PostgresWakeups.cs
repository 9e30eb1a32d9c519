using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reach.Notifications;

/// <summary>
/// On PostgreSQL, tells the other server processes whose pages to wake, after commits: the members notified in the
/// last few milliseconds go out together as one <c>NOTIFY</c> (their ids, comma-separated) on a connection of its own.
/// A <c>NOTIFY</c> inside the writing transaction would be simpler, but PostgreSQL serializes the commits of all
/// transactions that notify (one lock over the notification queue, held through the commit's flush), so every send
/// would wait for every other send's disk write. A process that dies between a commit and its wake-up loses only the
/// push: the notification is stored, and the page shows it at its next wake-up or load.
/// </summary>
public sealed class PostgresWakeups(DatabaseOptions database, ILogger<PostgresWakeups> log) : BackgroundService
{
    // A NOTIFY payload is at most 8,000 bytes.
    private const int PayloadBytes = 7_900;
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _pending = new(0, 1);
    private HashSet<long> _members = [];

    /// <summary>Wakes the member's pages in every other process soon (this process's are woken directly).</summary>
    public void Add(long memberId)
    {
        if (!database.IsPostgres)
        {
            return;
        }

        lock (_lock)
        {
            if (!_members.Add(memberId) || _members.Count > 1)
            {
                return;
            }
        }

        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>The member ids of a payload.</summary>
    public static IEnumerable<long> Parse(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        foreach (var part in payload.Split(','))
        {
            if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var memberId))
            {
                yield return memberId;
            }
        }
    }

    public override void Dispose()
    {
        _pending.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgres)
        {
            return;
        }

        NpgsqlConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _pending.WaitAsync(stoppingToken);
                await Task.Delay(Gather, stoppingToken);
                HashSet<long> members;
                lock (_lock)
                {
                    (members, _members) = (_members, []);
                }

                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(database.ConnectionString);
                        await connection.OpenAsync(stoppingToken);
                    }

                    foreach (var payload in Payloads(members))
                    {
                        await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
                        notify.Parameters.Add(new NpgsqlParameter { Value = NotificationPublisher.PostgresChannel });
                        notify.Parameters.Add(new NpgsqlParameter { Value = payload });
                        await notify.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException)
                {
                    ReachLog.WakeupsLost(log, e, members.Count);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static IEnumerable<string> Payloads(HashSet<long> members)
    {
        var payload = new StringBuilder();
        foreach (var memberId in members)
        {
            var id = memberId.ToString(CultureInfo.InvariantCulture);
            if (payload.Length + id.Length + 1 > PayloadBytes)
            {
                yield return payload.ToString();
                payload.Clear();
            }

            payload.Append(payload.Length == 0 ? string.Empty : ",").Append(id);
        }

        if (payload.Length > 0)
        {
            yield return payload.ToString();
        }
    }
}
