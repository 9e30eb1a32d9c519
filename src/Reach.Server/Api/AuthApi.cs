using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Web;

namespace Reach.Server.Api;

public sealed record TokenRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

/// <summary>
/// Sign-up and bearer tokens (SPEC §8): ASP.NET Core Identity hashes the passwords and issues the tokens. An access
/// token lives 15 minutes; the refresh token that comes with it gets a new pair until the member signs out, changes
/// the password or is deactivated (docs/SECURITY.md).
/// </summary>
public static class AuthApi
{
    public static void MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", async Task<Results<Created<MemberJson>, ProblemHttpResult>> (
            RegisterRequest request, AccountService accounts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await accounts.RegisterAsync(request, cancel);
            return outcome.Failure is { } failure
                ? Problems.For(failure, policy)
                : TypedResults.Created($"/api/members/{outcome.Value!.Handle}", MemberJson.From(outcome.Value, policy));
        }).RequireRateLimiting(RequestLimits.SignIn)
            .Describe("register", "Register a member", "Creates a member with an email, a password, a handle and a display name; 409 `conflict` names the field (email or handle) that is taken.").CanAnswer(StatusCodes.Status409Conflict);

        group.MapPost("/token", async Task<Results<SignInHttpResult, ProblemHttpResult, EmptyHttpResult>> (
            TokenRequest request, SignInGuard guard, SignInManager<Member> signIn, ReachPolicy policy, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(request.Email))
            {
                return Problems.Invalid("email", "email is required.", policy);
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                return Problems.Invalid("password", "password is required.", policy);
            }

            var check = await guard.CheckAsync(request.Email, request.Password);
            if (check.RetryAfter is { } retryAfter)
            {
                await RequestLimits.TooManyAsync(http, retryAfter);
                return TypedResults.Empty;
            }

            if (check.Member is not { } member)
            {
                return WrongCredentials();
            }

            return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(member), authenticationScheme: IdentityConstants.BearerScheme);
        }).RequireRateLimiting(RequestLimits.SignIn)
            .Describe("signIn", "Sign in for a token pair", "An access token (15 minutes) and a refresh token for an email and password; 401 for wrong credentials, 429 after too many failed sign-ins for the address.").Produces<AccessTokenResponse>().CanAnswer(StatusCodes.Status401Unauthorized);

        // A new access token (and refresh token) for a refresh token that is still good: not expired, issued under the
        // member's security stamp in force (a sign-out or a password change ends it), the member not deactivated.
        group.MapPost("/refresh", async Task<Results<SignInHttpResult, ProblemHttpResult>> (
            RefreshRequest request, SignInManager<Member> signIn, IOptionsMonitor<BearerTokenOptions> bearer, MemberSessions sessions, ReachPolicy policy) =>
        {
            if (string.IsNullOrEmpty(request.RefreshToken))
            {
                return Problems.Invalid("refreshToken", "refreshToken is required.", policy);
            }

            var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
            if (ticket?.Properties.ExpiresUtc is not { } expires || DateTimeOffset.UtcNow >= expires
                || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } member
                || await sessions.CurrentAsync(member.Id, CancellationToken.None) is not { Status: not AccountStatus.Deactivated })
            {
                return WrongCredentials("The refresh token is not valid any more: sign in again.");
            }

            return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(member), authenticationScheme: IdentityConstants.BearerScheme);
        }).RequireRateLimiting(RequestLimits.SignIn)
            .Describe("refreshToken", "Refresh the token pair", "A new access and refresh token for a refresh token still good: not expired, issued before no sign-out or password change.").Produces<AccessTokenResponse>().CanAnswer(StatusCodes.Status401Unauthorized);

        // Ends every token and cookie of the member, on every process (the security stamp is rotated).
        group.MapPost("/signout", async Task<NoContent> (ClaimsPrincipal user, UserManager<Member> users, MemberSessions sessions) =>
        {
            var id = user.MemberId();
            if (await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } member)
            {
                await users.UpdateSecurityStampAsync(member);
            }

            sessions.Forget(id);
            return TypedResults.NoContent();
        }).RequireAuthorization()
            .Describe("signOut", "Sign out everywhere", "Ends every token and cookie of the member, on every server process.");
    }

    /// <summary>
    /// Changes the password (the current one first): every other token and cookie of the member ends, and the caller
    /// gets a new token pair, so stays signed in.
    /// </summary>
    public static void MapPasswordChange(this IEndpointRouteBuilder app) =>
        app.MapPut("/api/me/password", async Task<Results<SignInHttpResult, ProblemHttpResult>> (
            PasswordChange request, ClaimsPrincipal user, UserManager<Member> users, SignInManager<Member> signIn, MemberSessions sessions, ReachPolicy policy) =>
        {
            if (string.IsNullOrEmpty(request.CurrentPassword))
            {
                return Problems.Invalid("currentPassword", "currentPassword is required.", policy);
            }

            if (string.IsNullOrEmpty(request.NewPassword))
            {
                return Problems.Invalid("newPassword", "newPassword is required.", policy);
            }

            var member = await users.FindByIdAsync(user.MemberId().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (member is null)
            {
                return WrongCredentials();
            }

            if (!await users.CheckPasswordAsync(member, request.CurrentPassword))
            {
                return Problems.Invalid("currentPassword", "currentPassword is not your password.", policy);
            }

            var changed = await users.ChangePasswordAsync(member, request.CurrentPassword, request.NewPassword);
            if (!changed.Succeeded)
            {
                return Problems.Invalid("newPassword", string.Join(" ", changed.Errors.Select(error => error.Description)), policy);
            }

            sessions.Forget(member.Id);
            return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(member), authenticationScheme: IdentityConstants.BearerScheme);
        }).WithTags("Me").RequireAuthorization()
            .Describe("changePassword", "Change the password", "Checks the current password, sets the new one, ends every other sign-in of the member and answers a new token pair.").Produces<AccessTokenResponse>();

    internal static ProblemHttpResult WrongCredentials(string title = "Wrong email or password.") => TypedResults.Problem(
        title: title, statusCode: StatusCodes.Status401Unauthorized, extensions: new Dictionary<string, object?> { ["code"] = "unauthorized" });

    /// <summary>The signed-in member's id.</summary>
    public static long MemberId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
