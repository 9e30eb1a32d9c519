using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Reach.Members;
using Reach.Policy;

namespace Reach.Server.Web;

/// <summary>How a check of an email and a password came out.</summary>
/// <param name="Member">The member, when the password is theirs and they may sign in.</param>
/// <param name="RetryAfter">Set when the account takes no more attempts for now (Identity's lockout, or too many tries).</param>
public readonly record struct SignInCheck(Member? Member, TimeSpan? RetryAfter);

/// <summary>
/// The one check of an email and a password, for the token endpoint and the sign-in page (docs/SECURITY.md):
/// <list type="bullet">
/// <item>an unknown email costs the same password hashing as a known one, so timing does not tell which emails have
/// accounts;</item>
/// <item>each email, known or not, takes the policy's <c>limits.signInAttemptsPerAccount</c> attempts per
/// <see cref="AccountWindow"/> in this process, and a known account is locked out by Identity after as many failures in
/// a row, in the database (so across processes), for <see cref="AccountWindow"/>;</item>
/// <item>a deactivated member cannot sign in.</item>
/// </list>
/// The per-address limit in front of the sign-in endpoints is <see cref="RequestLimits"/>.
/// </summary>
public sealed class SignInGuard
{
    public static readonly TimeSpan AccountWindow = TimeSpan.FromMinutes(15);

    private readonly UserManager<Member> _users;
    private readonly SignInManager<Member> _signIn;
    private readonly IPasswordHasher<Member> _hasher;
    private readonly Accounts _accounts;
    private readonly string _decoyHash;

    public SignInGuard(UserManager<Member> users, SignInManager<Member> signIn, IPasswordHasher<Member> hasher, Accounts accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        _users = users;
        _signIn = signIn;
        _hasher = hasher;
        _accounts = accounts;
        _decoyHash = accounts.DecoyHash(hasher);
    }

    public async Task<SignInCheck> CheckAsync(string? email, string? password)
    {
        var normalized = (email ?? string.Empty).Trim();
        var account = MemberRules.NormalizeEmail(normalized);

        // An attempt is taken before the password is compared and given back when it was right, so that no number of
        // parallel guesses compares more than the account's attempts, and signing in often costs nothing.
        if (!_accounts.TryTake(account, out var retryAfter))
        {
            return new SignInCheck(null, retryAfter);
        }

        var member = MemberRules.IsValidEmail(normalized) ? await _users.FindByEmailAsync(normalized) : null;
        if (member is null)
        {
            // The same work as a real check, and the same answer.
            _hasher.VerifyHashedPassword(Accounts.Nobody, _decoyHash, password ?? string.Empty);
            return default;
        }

        var result = await _signIn.CheckPasswordSignInAsync(member, password ?? string.Empty, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            var end = await _users.GetLockoutEndDateAsync(member);
            var left = end is { } until ? until - DateTimeOffset.UtcNow : AccountWindow;
            return new SignInCheck(null, left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1));
        }

        if (result.Succeeded)
        {
            _accounts.GiveBack(account);
        }

        return result.Succeeded && member.Status != AccountStatus.Deactivated ? new SignInCheck(member, null) : default;
    }

    /// <summary>What the checks of one process share: each account's failed attempts in its window, and the decoy hash.</summary>
    public sealed class Accounts(Reach.Policy.ReachPolicy policy)
    {
        // Windows of accounts nobody tried for a whole window are dropped once there are this many.
        private const int Kept = 100_000;

        private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
        private string? _decoy;

        /// <summary>The member a decoy check is made for (the hasher reads nothing of it).</summary>
        internal static readonly Member Nobody = new() { Handle = string.Empty, DisplayName = string.Empty, TierId = string.Empty };

        /// <summary>Takes one of the account's attempts of the window; false, with when to try again, when none is left.</summary>
        public bool TryTake(string account, out TimeSpan retryAfter)
        {
            var now = DateTime.UtcNow;
            if (_windows.Count > Kept)
            {
                foreach (var (key, old) in _windows)
                {
                    if (now - old.Start >= AccountWindow)
                    {
                        _windows.TryRemove(key, out _);
                    }
                }
            }

            var window = _windows.GetOrAdd(account, _ => new Window { Start = now });
            lock (window)
            {
                if (now - window.Start >= AccountWindow)
                {
                    (window.Start, window.Taken) = (now, 0);
                }

                if (window.Taken >= policy.SignInAttemptsPerAccount)
                {
                    retryAfter = window.Start + AccountWindow - now;
                    return false;
                }

                window.Taken++;
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }

        /// <summary>Gives back an attempt that turned out right: only wrong passwords count.</summary>
        public void GiveBack(string account)
        {
            if (_windows.TryGetValue(account, out var window))
            {
                lock (window)
                {
                    window.Taken = Math.Max(0, window.Taken - 1);
                }
            }
        }

        /// <summary>A hash of a random password, made once with the process's own hasher settings.</summary>
        public string DecoyHash(IPasswordHasher<Member> hasher) =>
            _decoy ??= hasher.HashPassword(Nobody, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

        private sealed class Window
        {
            public DateTime Start { get; set; }

            public int Taken { get; set; }
        }
    }
}
