using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
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

    public static IServiceCollection AddReachAuth(this IServiceCollection services)
    {
        // Tokens and cookies live in real time: the manual clock (--clock manual) moves the rules, not sign-in.
        // A request is authenticated once, by the scheme it carries: a bearer token, or else the page cookie. (Each
        // endpoint still names the schemes it accepts; this only spares an API call a cookie check it cannot pass.)
        services.AddAuthentication(ByCredential)
            .AddPolicyScheme(ByCredential, "Bearer token or cookie", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
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
        });
        services.Configure<SecurityStampValidatorOptions>(options => options.TimeProvider = TimeProvider.System);

        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(IdentityConstants.BearerScheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Member, policy => policy.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireAuthenticatedUser())
            .AddPolicy(MemberAnyScheme, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.BearerScheme, IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(Admin, policy => policy.AddAuthenticationSchemes(AdminScheme).RequireClaim(AdminClaim));
        return services;
    }
}
