using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Reach.Server.Web;

/// <summary>
/// Remembers what a bearer token says once it has been unprotected, until the token expires. Unprotecting is the
/// costliest step of a signed-in API call — a key derivation, a MAC and a decryption of the data-protection payload —
/// and a client sends the same token with every call for its lifetime, so each token is unprotected once per process.
/// The cache holds only what the token itself carries; the handler still checks its expiry on every request, and each
/// request gets its own copy of the principal.
/// </summary>
public sealed class BearerTicketCache : ISecureDataFormat<AuthenticationTicket>, IDisposable
{
    private const int Tokens = 100_000;

    private readonly MemoryCache _tickets = new(new MemoryCacheOptions { SizeLimit = Tokens });
    private ISecureDataFormat<AuthenticationTicket>? _inner;

    /// <summary>Puts the cache in front of the bearer token format of <paramref name="options"/>.</summary>
    internal void Wrap(BearerTokenOptions options)
    {
        _inner = options.BearerTokenProtector;
        options.BearerTokenProtector = this;
    }

    public string Protect(AuthenticationTicket data) => Inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => Inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return Inner.Unprotect(protectedText, purpose);
        }

        if (!_tickets.TryGetValue(protectedText, out AuthenticationTicket? ticket))
        {
            ticket = Inner.Unprotect(protectedText);
            if (ticket?.Properties.ExpiresUtc is not { } expires)
            {
                return ticket;
            }

            _tickets.Set(protectedText, ticket, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        }

        return ticket is null
            ? null
            : new AuthenticationTicket(new ClaimsPrincipal(ticket.Principal.Identities.Select(identity => identity.Clone())), ticket.Properties.Clone(), ticket.AuthenticationScheme);
    }

    /// <summary>
    /// What a token says, to read its claims before the handler signs the request in (<see cref="SessionCheck"/>): the
    /// cached ticket itself, not a copy; null when the token cannot be read.
    /// </summary>
    internal AuthenticationTicket? Peek(string protectedText)
    {
        if (_tickets.TryGetValue(protectedText, out AuthenticationTicket? ticket))
        {
            return ticket;
        }

        ticket = Inner.Unprotect(protectedText);
        if (ticket?.Properties.ExpiresUtc is { } expires)
        {
            _tickets.Set(protectedText, ticket, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        }

        return ticket;
    }

    public void Dispose() => _tickets.Dispose();

    private ISecureDataFormat<AuthenticationTicket> Inner => _inner ?? throw new InvalidOperationException("The bearer ticket cache is not wrapped around a format yet.");

    /// <summary>Wraps the bearer scheme's format after ASP.NET Core has made it.</summary>
    internal sealed class Install(BearerTicketCache cache) : IPostConfigureOptions<BearerTokenOptions>
    {
        public void PostConfigure(string? name, BearerTokenOptions options)
        {
            if (name == Microsoft.AspNetCore.Identity.IdentityConstants.BearerScheme)
            {
                cache.Wrap(options);
            }
        }
    }
}
