using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Reach.Server.Web;

namespace Reach.Tests;

/// <summary>The bearer ticket cache: each token is unprotected once, yet every request gets its own principal.</summary>
public sealed class BearerTicketCacheTests
{
    [Fact]
    public void ATokenIsUnprotectedOnceAndEachCallGetsItsOwnPrincipal()
    {
        var inner = new CountingFormat(DateTimeOffset.UtcNow.AddMinutes(15));
        var cache = Wrapped(inner);

        var first = cache.Unprotect("token-a");
        var second = cache.Unprotect("token-a");

        Assert.Equal(1, inner.Unprotected);
        Assert.NotSame(first!.Principal, second!.Principal);
        Assert.Equal("42", second.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        first.Principal.Identities.First().AddClaim(new Claim("added", "by a request"));
        Assert.Null(cache.Unprotect("token-a")!.Principal.FindFirst("added"));

        cache.Unprotect("token-b");
        Assert.Equal(2, inner.Unprotected);
    }

    [Fact]
    public void ATicketWithoutAnExpiryOrAForgedTokenIsNeverCached()
    {
        var noExpiry = new CountingFormat(expires: null);
        var cache = Wrapped(noExpiry);
        cache.Unprotect("token");
        cache.Unprotect("token");
        Assert.Equal(2, noExpiry.Unprotected);

        var forged = new CountingFormat(DateTimeOffset.UtcNow.AddMinutes(15)) { Refuse = true };
        var refusing = Wrapped(forged);
        Assert.Null(refusing.Unprotect("forged"));
        Assert.Null(refusing.Unprotect("forged"));
        Assert.Equal(2, forged.Unprotected);
    }

    private static BearerTicketCache Wrapped(CountingFormat inner)
    {
        var cache = new BearerTicketCache();
        new BearerTicketCache.Install(cache).PostConfigure(Microsoft.AspNetCore.Identity.IdentityConstants.BearerScheme, new BearerTokenOptions { BearerTokenProtector = inner });
        return cache;
    }

    private sealed class CountingFormat(DateTimeOffset? expires) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotected { get; private set; }

        public bool Refuse { get; init; }

        public string Protect(AuthenticationTicket data) => "token";

        public string Protect(AuthenticationTicket data, string? purpose) => "token";

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotected++;
            if (Refuse)
            {
                return null;
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "42")], "Identity.Bearer"));
            return new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = expires }, "Identity.Bearer");
        }
    }
}
