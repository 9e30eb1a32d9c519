using Reach.Bookmarks;

namespace Reach.Server.Web;

/// <summary>
/// Finds what time alone changes — a new period, an ended restriction, credits about to expire — every few minutes
/// on the system clock. On the manual clock the sweep runs when the admin sets the clock instead.
/// </summary>
public sealed class ReachabilitySweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReachabilitySweeper> log) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (clock is ManualClock)
        {
            return;
        }

        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<Reachability>().SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.SweepFailed(log, e, Every.TotalMinutes);
            }
        }
    }
}
