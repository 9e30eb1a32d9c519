using System.Globalization;
using System.Security.Claims;
using Reach.Data;

namespace Reach.Server.Web;

/// <summary>
/// With a standby for reads (<c>--db-read</c>): after a signed-in member's write succeeds, and before its answer leaves,
/// the primary's log position is kept for the member (<see cref="ReadYourWrites"/>), so that their next reads go to a
/// standby only once it has replayed the write. Requests that only read, and writes that failed, mark nothing.
/// </summary>
public static class WriteMarks
{
    public static IApplicationBuilder UseWriteMarks(this IApplicationBuilder app)
    {
        // Without a standby there is nothing to mark: the middleware is not added, and no request pays for it.
        var database = app.ApplicationServices.GetRequiredService<ReachDatabase>();
        return database.HasStandby ? app.Use((context, next) => MarkAsync(database, context, next)) : app;
    }

    private static async Task MarkAsync(ReachDatabase database, HttpContext context, RequestDelegate next)
    {
        if (MemberStatusGate.IsWrite(context.Request.Method)
            && long.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var memberId))
        {
            var writes = context.RequestServices.GetRequiredService<ReadYourWrites>();
            context.Response.OnStarting(async () =>
            {
                if (context.Response.StatusCode >= StatusCodes.Status400BadRequest)
                {
                    return;
                }

                ulong position;
                try
                {
                    position = await database.PrimaryPositionAsync(CancellationToken.None);
                }
                catch (Exception e) when (Transactions.IsUnavailable(e) || Transactions.IsConnectionLost(e))
                {
                    // Not known how far: the member reads the primary until the mark expires.
                    position = ulong.MaxValue;
                }

                writes.Wrote(memberId, position);
            });
        }

        await next(context);
    }
}
