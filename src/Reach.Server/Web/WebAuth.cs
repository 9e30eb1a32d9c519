using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Reach.Server.Web;

/// <summary>
/// Who is signed in, and how. The API takes bearer tokens only (so a browser's cookie can never call it across sites);
/// the pages take Identity's cookie, with antiforgery on every form; the admin pages take a cookie of their own, given
/// for the admin key.
/// </summary>
public static class WebAuth
{
    /// <summary>Pages for a signed-in member.</summary>
    public const string Member = "member";

    /// <summary>Pages for the operator.</summary>
    public const string Admin = "admin";

    /// <summary>Read-only endpoints a page and an API client both use (the live notification stream).</summary>
    public const string MemberAnyScheme = "member-any";

    public const string AdminScheme = "ReachAdmin";

    /// <summary>The default scheme: the bearer scheme for a request with a bearer token, the page cookie otherwise.</summary>
    public const string ByCredential = "ReachByCredential";

    public const string AdminClaim = "reach_admin";

    /// <summary>How long an access token lives.</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(15);

    /// <summary>What the admin cookie carries of the admin key it was given for: a fingerprint, never the key.</summary>
    public static string AdminKeyStamp(string key) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    public static IServiceCollection AddReachAuth(this IServiceCollection services)
    {
        // Tokens and cookies are signed and encrypted with keys kept in Reach's own database: every process on one
        // database takes each other's, and a token or cookie made for another database (another Reach on the same
        // machine, whose ids mean other members) is refused. The keys are stored as the framework writes them, not
        // encrypted again: whoever reads the database reads every member's data anyway (docs/SECURITY.md).
        services.AddDataProtection()
            .SetApplicationName("Reach")
            .PersistKeysToDbContext<Reach.Data.ReachDb>();

        // Tokens and cookies live in real time: the manual clock (--clock manual) moves the rules, not sign-in.
        // A request is authenticated once, by the scheme it can use: the bearer token for the API and for any request
        // that carries one, the page cookie otherwise. The API's endpoints (the default policy) take what that found,
        // so a call is not authenticated a second time; endpoints of other schemes name theirs.
        services.AddAuthentication(ByCredential)
            .AddPolicyScheme(ByCredential, "Bearer token or cookie", options => options.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                    || context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, options => options.TimeProvider = TimeProvider.System)
            .AddCookie(AdminScheme, options =>
            {
                options.Cookie.Name = "reach_admin";
                options.Cookie.Path = "/admin";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.LoginPath = "/admin/signin";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.TimeProvider = TimeProvider.System;
                // The cookie holds only while the admin key it was given for is the one in force: a restart with a
                // new key ends every operator's session.
                options.Events.OnValidatePrincipal = async context =>
                {
                    var key = context.HttpContext.RequestServices.GetRequiredService<StartOptions>().AdminKey;
                    if (key is null || context.Principal?.FindFirst(AdminClaim)?.Value != AdminKeyStamp(key))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(AdminScheme);
                    }
                };
            })
            .AddIdentityCookies();
        services.AddSingleton<BearerTicketCache>();
        services.AddSingleton<IPostConfigureOptions<BearerTokenOptions>, BearerTicketCache.Install>();
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "reach";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = "/signin";
            options.LogoutPath = "/signout";
            options.AccessDeniedPath = "/signin";
            options.ExpireTimeSpan = TimeSpan.FromDays(14);
            options.SlidingExpiration = true;
            options.TimeProvider = TimeProvider.System;
            // In place of Identity's stamp check every 30 minutes: the stamp and the status on every request, from
            // memory (MemberSessions).
            options.Events.OnValidatePrincipal = SessionCheck.OnCookieAsync;
        });
        services.Configure<SecurityStampValidatorOptions>(options => options.TimeProvider = TimeProvider.System);

        // Access tokens are short-lived; a client gets a new pair with its refresh token (POST /api/auth/refresh),
        // which holds until the member signs out, changes the password or is deactivated.
        services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, options =>
        {
            options.BearerTokenExpiration = AccessTokenLifetime;
            options.RefreshTokenExpiration = TimeSpan.FromDays(14);
            options.Events.OnMessageReceived = SessionCheck.OnBearerAsync;
        });

        // Every member request is checked against the member's security stamp and status (SessionCheck, in each
        // scheme's event); the sign-in checks and their limits are SignInGuard's.
        services.AddSingleton<SessionCheck>();
        services.AddOptions<IdentityOptions>().Configure<Reach.Policy.ReachPolicy>((options, policy) =>
        {
            options.Lockout.MaxFailedAccessAttempts = policy.SignInAttemptsPerAccount;
            options.Lockout.DefaultLockoutTimeSpan = SignInGuard.AccountWindow;
        });
        services.AddSingleton<SignInGuard.Accounts>();
        services.AddScoped<SignInGuard>();

        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireAssertion(SignedInByBearer).Build())
            .AddPolicy(Member, policy => policy.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireAuthenticatedUser())
            .AddPolicy(MemberAnyScheme, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.BearerScheme, IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(Admin, policy => policy.AddAuthenticationSchemes(AdminScheme).RequireClaim(AdminClaim));
        return services;
    }

    // The API takes bearer tokens only: the request was signed in by the bearer scheme (ByCredential chose it), never by
    // a cookie, whatever path an endpoint of the default policy is mapped on.
    private static bool SignedInByBearer(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http
        && http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Ticket?.AuthenticationScheme == IdentityConstants.BearerScheme;
}
