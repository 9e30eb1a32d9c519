using System.Globalization;
using System.Threading.RateLimiting;
using Reach.Server.Api;

namespace Reach.Server.Web;

/// <summary>
/// ASP.NET Core's rate limiter, with the limits of the policy file (docs/SECURITY.md): posts a minute from one client
/// address to the token, refresh and register endpoints and the sign-in, sign-up and admin sign-in pages
/// (<see cref="Reach.Policy.ReachPolicy.SignInPerMinute"/>); messages and pre-flights a minute from one member. More
/// answer 429 <c>too_many_requests</c> with <c>Retry-After</c>. Each account's own limit and Identity's lockout are
/// <see cref="SignInGuard"/>'s.
/// </summary>
public static class RequestLimits
{
    public const string SignIn = "sign-in";

    public const string Sends = "sends";

    public const string Preflights = "preflights";

    public static IServiceCollection AddReachRequestLimits(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.AddPolicy(SignIn, context =>
        {
            var limit = context.RequestServices.GetRequiredService<Reach.Policy.ReachPolicy>().SignInPerMinute;
            return limit == 0 || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : PerMinute(context.Connection.RemoteIpAddress?.ToString() ?? "local", limit);
        });
        options.AddPolicy(Sends, context => HttpMethods.IsPost(context.Request.Method)
            ? PerMember(context, context.RequestServices.GetRequiredService<Reach.Policy.ReachPolicy>().SendsPerMinute)
            : RateLimitPartition.GetNoLimiter(string.Empty));
        options.AddPolicy(Preflights, context => PerMember(context, context.RequestServices.GetRequiredService<Reach.Policy.ReachPolicy>().PreflightsPerMinute));
        options.OnRejected = async (rejected, cancel) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
            await TooManyAsync(rejected.HttpContext, retryAfter);
        };
    });

    // A member's own window (the endpoints that use it require a signed-in member).
    private static RateLimitPartition<string> PerMember(HttpContext context, int limit) =>
        limit == 0 || context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is not { } member
            ? RateLimitPartition.GetNoLimiter(string.Empty)
            : PerMinute("member:" + member, limit);

    private static RateLimitPartition<string> PerMinute(string key, int limit) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    /// <summary>Answers 429 with <c>Retry-After</c> in whole seconds (at least one).</summary>
    public static async Task TooManyAsync(HttpContext context, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var policy = context.RequestServices.GetRequiredService<Reach.Policy.ReachPolicy>();
        await Problems.For(new Failure(Problems.TooManyRequests, $"Too many attempts; try again in {seconds} seconds."), policy).ExecuteAsync(context);
    }
}
