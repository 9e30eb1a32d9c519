using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Reach.Members;

namespace Reach.Tests;

/// <summary>
/// Limits on guessing (docs/SECURITY.md): per client address on every endpoint that takes a password or makes an
/// account, per account on the password check (and Identity's lockout), and the same work for an unknown email as for a
/// known one. The host runs with the default limit of sign-in requests per address.
/// </summary>
public abstract class AbuseLimitsTests<TDatabase> : IAsyncLifetime
    where TDatabase : Database, new()
{
    private readonly TDatabase _database = new();
    private readonly CountingHasher _hasher = new();
    private ReachHost _host = null!;
    private Api _api = null!;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _host = new ReachHost(_database.Db, new Dictionary<string, string> { ["policy"] = TestPolicy.Write("""{ "limits": { "signInPerMinute": 1000 } }""") }, services => services.AddSingleton<IPasswordHasher<Member>>(_hasher));
        _api = new Api(_host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ThirtyWrongPasswordsLockTheAccountAndTheRightOneDoesNotGetThrough()
    {
        var ada = await _api.SignUpAsync("bf");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++)
        {
            answers.Add(await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = $"guess number {i}" }));
        }

        Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        var refused = answers.First(answer => answer.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("too_many_requests", (await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
        Assert.True(answers.Count(answer => answer.StatusCode == HttpStatusCode.Unauthorized) <= 10);

        var right = await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = Api.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        var page = await new Browser(_host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }))
            .PostFormAsync("/signin", "/signin", new() { ["Email"] = ada.Email, ["Password"] = Api.Password });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Too many attempts", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningInRightlyAgainAndAgainNeverLocksTheAccount()
    {
        var ada = await _api.SignUpAsync("ok");
        for (var i = 0; i < 3 * 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = Api.Password })).StatusCode);
        }

        // Wrong ones still count from there.
        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            wrong.Add((await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = "wrong guess" })).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, wrong);
    }

    [Fact]
    public async Task AnUnknownEmailCostsTheSamePasswordCheckAsAKnownOne()
    {
        var ada = await _api.SignUpAsync("tm");
        var before = _hasher.Verifications;
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = "nobody-here@example.com", password = "a wrong password" })).StatusCode);
        var unknown = _hasher.Verifications - before;

        before = _hasher.Verifications;
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = "a wrong password" })).StatusCode);
        var known = _hasher.Verifications - before;

        Assert.Equal(1, unknown);
        Assert.Equal(known, unknown);
    }

    [Fact]
    public async Task OneAddressTakesTheSignInLimitPerMinuteAcrossAccounts()
    {
        await using var database = new TDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db, new Dictionary<string, string> { ["policy"] = TestPolicy.Write("{}") });
        var api = new Api(host);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = $"someone{i}@example.com", password = "a wrong password" })).StatusCode);
        }

        Assert.Equal(20, statuses.Count(status => status == HttpStatusCode.Unauthorized));
        Assert.Equal(10, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.Anonymous.PostAsJsonAsync("/api/auth/register", new { email = "new@example.com", password = Api.Password, handle = "new_one", displayName = "New" })).StatusCode);

        var admin = new Browser(host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.PostFormAsync("/admin/signin", "/admin/signin", new() { ["key"] = "not the key at all" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/signin")).StatusCode);
    }

    [Fact]
    public async Task AMemberTakesThePolicysSendsAndPreflightsPerMinute()
    {
        await using var database = new TDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db, new Dictionary<string, string> { ["policy"] = TestPolicy.Write("""{ "limits": { "sendsPerMinute": 3, "preflightsPerMinute": 5 } }""") });
        var api = new Api(host);
        var (ada, bob, eve) = (await api.SignUpAsync("rl"), await api.SignUpAsync("rl"), await api.SignUpAsync("rl"));

        var preflights = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            preflights.Add((await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative))).StatusCode);
        }

        var sends = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            sends.Add(await ada.Client.PostAsJsonAsync("/api/messages", new { toHandle = bob.Handle, body = "Hello " + i }));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], preflights);
        Assert.Equal(HttpStatusCode.TooManyRequests, sends[3].StatusCode);
        Assert.True(sends[3].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // Another member has a window of their own.
        Assert.Equal(HttpStatusCode.OK, (await eve.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative))).StatusCode);
    }

    /// <summary>Identity's hasher, counting the password checks it makes.</summary>
    private sealed class CountingHasher : IPasswordHasher<Member>
    {
        private readonly PasswordHasher<Member> _inner = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 1_000 }));
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(Member user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(Member user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

public sealed class AbuseLimitsSqliteTests : AbuseLimitsTests<SqliteDatabase>;

public sealed class AbuseLimitsPostgresTests : AbuseLimitsTests<PostgresDatabase>;
