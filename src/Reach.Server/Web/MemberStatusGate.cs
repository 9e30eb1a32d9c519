using System.Security.Claims;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Web;

/// <summary>
/// A member's status, enforced in one place for every write, API and pages alike: a suspended member may read and
/// sign out, nothing else — no message, post, comment, share, mention, invitation, answer or setting — and gets a 403
/// <c>not_allowed</c> with reason <c>suspended</c> before any endpoint runs. (A deactivated member is signed out
/// altogether: <see cref="SessionCheck"/>. A restricted member's limits are rules of messaging, decided with the rest.)
/// </summary>
public static class MemberStatusGate
{
    // What a suspended member may still post: signing in and out, and the token endpoints.
    private static readonly PathString[] Open = ["/api/auth", "/signout", "/signin", "/signup", "/error"];

    public static IApplicationBuilder UseMemberStatusGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsWrite(context.Request.Method)
            && context.User.Identity?.IsAuthenticated == true
            && !context.User.HasClaim(claim => claim.Type == WebAuth.AdminClaim)
            && !Open.Any(path => context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase))
            && long.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var memberId)
            && await context.RequestServices.GetRequiredService<MemberSessions>().CurrentAsync(memberId, context.RequestAborted) is { Status: AccountStatus.Suspended })
        {
            if (ErrorPages.WantsHtml(context.Request))
            {
                // A page's form: the error page says why (ErrorPages).
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            var policy = context.RequestServices.GetRequiredService<ReachPolicy>();
            await Problems.For(new Failure(Failure.Codes.NotAllowed, "Your account is suspended: you can read, but not write, post or invite.") { Reason = "suspended" }, policy)
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    internal static bool IsWrite(string method) => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
}
