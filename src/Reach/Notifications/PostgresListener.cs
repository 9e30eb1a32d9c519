using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reach.Notifications;

/// <summary>
/// On PostgreSQL, listens on <see cref="NotificationPublisher.PostgresChannel"/> so that a notification committed by any
/// server process wakes the pages open on this one. Reconnects after a lost connection; a page that missed a wake-up
/// while it was down still reads the right count on the next one.
/// </summary>
public sealed class PostgresListener(DatabaseOptions database, LiveNotifications live, ILogger<PostgresListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgres)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    foreach (var memberId in PostgresWakeups.Parse(e.Payload))
                    {
                        live.Publish(memberId);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {NotificationPublisher.PostgresChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException)
            {
                ReachLog.ListenerLost(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
