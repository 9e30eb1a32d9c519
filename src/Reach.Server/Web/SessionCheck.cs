using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reach.Members;
using Reach.Policy;

namespace Reach.Server.Web;

/// <summary>
/// Every member request, bearer token or page cookie, is checked against the member's security stamp and status
/// (<see cref="MemberSessions"/>): a token or cookie issued before a sign-out, a password change or a suspension, or one
/// of a deactivated member, fails authentication, so the API answers 401 and the pages send the browser to sign in.
/// It runs in each scheme's own event, before the request is signed in, so a refusal is a challenge, not a 403.
/// </summary>
public sealed class SessionCheck(MemberSessions sessions, IOptions<IdentityOptions> identity)
{
    /// <summary>Whether the member's sign-in that <paramref name="principal"/> carries still holds.</summary>
    public async ValueTask<bool> HoldsAsync(ClaimsPrincipal? principal, CancellationToken cancel)
    {
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = principal?.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var memberId) || string.IsNullOrEmpty(stamp))
        {
            return false;
        }

        return await sessions.CurrentAsync(memberId, cancel) is { } current && current.Stamp == stamp && current.Status != AccountStatus.Deactivated;
    }

    /// <summary>
    /// The bearer scheme's hook: the token is read where it stands in the header (unprotected once per process, by the
    /// cache), its expiry and its sign-in checked, and the request signed in here, so the handler reads nothing again.
    /// A token that cannot be read is refused here too, as the handler would, without reading it a second time.
    /// </summary>
    internal static async Task OnBearerAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization;
        var value = header.Count == 1 ? header[0].AsSpan() : default;
        if (!value.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        if (services.GetRequiredService<BearerTicketCache>().Peek(value["Bearer ".Length..].Trim()) is not { } ticket)
        {
            context.Fail("The token cannot be read.");
        }
        else if (ticket.Properties.ExpiresUtc is not { } expires || context.Options.TimeProvider!.GetUtcNow() >= expires)
        {
            context.Fail("Token expired.");
        }
        else if (!await services.GetRequiredService<SessionCheck>().HoldsAsync(ticket.Principal, context.HttpContext.RequestAborted))
        {
            context.Fail("This sign-in has ended: sign in again.");
        }
        else
        {
            var copy = BearerTicketCache.Copy(ticket)!;
            context.Principal = copy.Principal;
            context.Properties = copy.Properties;
            context.Success();
        }
    }

    /// <summary>The page cookie's hook: a cookie whose sign-in has ended is refused and removed.</summary>
    internal static async Task OnCookieAsync(CookieValidatePrincipalContext context)
    {
        if (!await context.HttpContext.RequestServices.GetRequiredService<SessionCheck>().HoldsAsync(context.Principal, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
    }
}
