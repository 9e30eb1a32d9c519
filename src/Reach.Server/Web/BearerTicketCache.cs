using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace Reach.Server.Web;

/// <summary>
/// Remembers what a bearer token says once it has been unprotected, until the token expires. Unprotecting is the
/// costliest step of a signed-in API call — a key derivation, a MAC and a decryption of the data-protection payload —
/// and a client sends the same token with every call for its lifetime, so each token is unprotected once per process.
/// A token is looked up where it stands in the request's header, without copying it (it is over a kilobyte). The cache
/// holds only what the token itself carries; its expiry is checked on every request, and each request gets its own
/// copy of the principal.
/// </summary>
public sealed class BearerTicketCache : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>How many tokens are remembered; when full, the expired ones go, and if none has, all.</summary>
    internal const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, AuthenticationTicket> _tickets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthenticationTicket>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private ISecureDataFormat<AuthenticationTicket>? _inner;

    public BearerTicketCache() => _bySpan = _tickets.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Puts the cache in front of the bearer token format of <paramref name="options"/>.</summary>
    internal void Wrap(BearerTokenOptions options)
    {
        _inner = options.BearerTokenProtector;
        options.BearerTokenProtector = this;
    }

    public string Protect(AuthenticationTicket data) => Inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => Inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) =>
        protectedText is null || purpose is not null ? Inner.Unprotect(protectedText, purpose) : Copy(Peek(protectedText));

    /// <summary>
    /// What a token says: the cached ticket itself, not a copy (to read its claims, or to <see cref="Copy"/>); null when
    /// the token cannot be read.
    /// </summary>
    internal AuthenticationTicket? Peek(ReadOnlySpan<char> protectedText)
    {
        if (_bySpan.TryGetValue(protectedText, out var ticket))
        {
            return ticket;
        }

        var text = protectedText.ToString();
        ticket = Inner.Unprotect(text);
        if (ticket?.Properties.ExpiresUtc is { } expires)
        {
            Remember(text, ticket, expires);
        }

        return ticket;
    }

    /// <summary>A request's own copy of a cached ticket: its principal's identities and its properties cloned.</summary>
    internal static AuthenticationTicket? Copy(AuthenticationTicket? ticket) => ticket is null
        ? null
        : new AuthenticationTicket(new ClaimsPrincipal(ticket.Principal.Identities.Select(identity => identity.Clone())), ticket.Properties.Clone(), ticket.AuthenticationScheme);

    private void Remember(string text, AuthenticationTicket ticket, DateTimeOffset expires)
    {
        if (_tickets.Count >= Capacity)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (key, held) in _tickets)
            {
                if (held.Properties.ExpiresUtc <= now)
                {
                    _tickets.TryRemove(key, out _);
                }
            }

            if (_tickets.Count >= Capacity)
            {
                _tickets.Clear();
            }
        }

        if (expires > DateTimeOffset.UtcNow)
        {
            _tickets[text] = ticket;
        }
    }

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
