using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Reach.Tests;

/// <summary>
/// An access token holds for its lifetime and not a moment longer, on every request: the token is read from the
/// process's cache (Web/BearerTicketCache) after its first use, and the cache must not extend it.
/// </summary>
public sealed class AccessTokenExpiryTests
{
    private static readonly Uri Profile = new("/api/me/profile", UriKind.Relative);

    [Fact]
    public async Task AnAccessTokenIsRefusedFromTheMomentItExpiresThoughItWasReadBefore()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        var clock = new SteppedClock(DateTimeOffset.UtcNow);
        await using var host = new ReachHost(database.Db, services: services => services.PostConfigure<BearerTokenOptions>(
            IdentityConstants.BearerScheme, options =>
            {
                options.TimeProvider = clock;
                options.BearerTokenExpiration = TimeSpan.FromMinutes(15);
            }));
        var ada = await new Api(host).SignUpAsync("exp");
        var token = ada.Client.DefaultRequestHeaders.Authorization!.Parameter!;

        // Used, and so cached, then used again until just before its end.
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.GetAsync(Profile)).StatusCode);
        clock.Now += TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.GetAsync(Profile)).StatusCode);

        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.GetAsync(Profile)).StatusCode);

        // The same token with spaces around it, or a token never seen, changes nothing.
        var spaced = host.CreateClient();
        spaced.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer   {token}  ");
        Assert.Equal(HttpStatusCode.Unauthorized, (await spaced.GetAsync(Profile)).StatusCode);
        var forged = host.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "CfDJ8" + new string('x', 400));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(Profile)).StatusCode);
    }

    [Fact]
    public async Task ATokenIsFoundWithTheSpacesAroundItAndTwoHeadersAreNoToken()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db);
        var ada = await new Api(host).SignUpAsync("sp");
        var token = ada.Client.DefaultRequestHeaders.Authorization!.Parameter!;

        var spaced = host.CreateClient();
        spaced.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer   {token}  ");
        Assert.Equal(HttpStatusCode.OK, (await spaced.GetAsync(Profile)).StatusCode);

        var twice = host.CreateClient();
        twice.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", [$"Bearer {token}", $"Bearer {token}"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await twice.GetAsync(Profile)).StatusCode);
    }

    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
