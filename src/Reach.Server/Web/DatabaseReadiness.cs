using Microsoft.Extensions.Diagnostics.HealthChecks;
using Reach.Data;

namespace Reach.Server.Web;

/// <summary>
/// Readiness: the database answers a statement within two seconds. <c>/health/ready</c> is 503 while it does not, so a
/// load balancer sends no traffic to a process whose database is gone; <c>/health/live</c> says only that the process
/// runs (a restart would not bring the database back).
/// </summary>
public sealed class DatabaseReadiness(ReachDatabase database) : IHealthCheck
{
    public const string Tag = "ready";

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limit);
        try
        {
            await using var read = await database.ReadAsync(timeout.Token);
            await using var command = read.Connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}
