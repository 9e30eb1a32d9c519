using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Reach.Tests;

/// <summary>
/// Sign-in that can be revoked (docs/SECURITY.md): signing out, changing the password and a status change by the
/// operator end every token and cookie of the member on the next request; a suspended member reads and writes
/// nothing; refresh tokens hold only while the sign-in does.
/// </summary>
public abstract partial class SignInSecurityTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private static readonly Uri Profile = new("/api/me/profile", UriKind.Relative);

    [Fact]
    public async Task SigningOutEndsEveryTokenAndCookieOfTheMember()
    {
        var api = fixture.Api;
        var ada = await api.SignUpAsync("so");
        var second = await TokenAsync(ada.Email, Api.Password);
        var cookie = await PageCookieAsync(ada.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(second.Access).GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cookie.GetAsync("/messages")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await ada.Client.PostAsync(new Uri("/api/auth/signout", UriKind.Relative), null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(second.Access).GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(second.Refresh)).StatusCode);
        var page = await cookie.GetAsync("/messages");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", Browser.PathOf(page), StringComparison.Ordinal);

        // Signing in again works.
        var again = await TokenAsync(ada.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(again.Access).GetAsync(Profile)).StatusCode);
    }

    [Fact]
    public async Task SigningOutOfThePagesEndsACopiedCookieAndTheTokens()
    {
        var api = fixture.Api;
        var ada = await api.SignUpAsync("po");
        var browser = await PageCookieAsync(ada.Email, Api.Password);
        var copied = fixture.Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copied.DefaultRequestHeaders.Add("Cookie", browser.CookieHeader);
        Assert.Equal(HttpStatusCode.OK, (await copied.GetAsync(new Uri("/messages", UriKind.Relative))).StatusCode);

        var signOut = await browser.PostFormAsync("/messages", "/signout", []);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await copied.GetAsync(new Uri("/messages", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.GetAsync(Profile)).StatusCode);
    }

    [Fact]
    public async Task ChangingThePasswordEndsOtherSignInsAndKeepsTheCaller()
    {
        var api = fixture.Api;
        var ada = await api.SignUpAsync("pw");
        var other = await TokenAsync(ada.Email, Api.Password);
        var cookie = await PageCookieAsync(ada.Email, Api.Password);

        var wrong = await ada.Client.PutAsJsonAsync("/api/me/password", new { currentPassword = "not the password", newPassword = "a brand new password" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("currentPassword", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var weak = await ada.Client.PutAsJsonAsync("/api/me/password", new { currentPassword = Api.Password, newPassword = "short" });
        Assert.Equal("newPassword", (await weak.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Bearer(other.Access).GetAsync(Profile)).StatusCode);

        var changed = await ada.Client.PutAsJsonAsync("/api/me/password", new { currentPassword = Api.Password, newPassword = "a brand new password" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var fresh = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await Bearer(fresh).GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(other.Access).GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await cookie.GetAsync("/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = Api.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = "a brand new password" })).StatusCode);
    }

    [Fact]
    public async Task ARefreshTokenGivesANewPairWhileTheSignInHolds()
    {
        var ada = await fixture.Api.SignUpAsync("rf");
        var pair = await TokenAsync(ada.Email, Api.Password);

        var refreshed = await RefreshAsync(pair.Refresh);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var body = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, (await Bearer(body.GetProperty("accessToken").GetString()!).GetAsync(Profile)).StatusCode);
        Assert.True(body.GetProperty("expiresIn").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync("not-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(pair.Access)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Api.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { })).StatusCode);
    }

    [Fact]
    public async Task ADeactivatedMemberIsSignedOutEverywhere()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("dx"), await api.SignUpAsync("dx"));
        var pair = await TokenAsync(ada.Email, Api.Password);
        var cookie = await PageCookieAsync(ada.Email, Api.Password);

        Assert.Equal(HttpStatusCode.OK, (await api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "deactivated" })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.PostAsJsonAsync("/api/invitations", new { toHandle = bob.Handle })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Client.PostAsJsonAsync("/api/posts", new { body = $"Hello @{bob.Handle}" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(pair.Refresh)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await cookie.GetAsync("/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = Api.Password })).StatusCode);
        var notifications = await bob.Client.GetFromJsonAsync<JsonElement>("/api/me/notifications");
        Assert.Equal(0, notifications.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ASuspendedMemberReadsButEveryWriteEndpointRefuses()
    {
        var api = fixture.Api;
        var (sam, bob) = (await api.SignUpAsync("su"), await api.SignUpAsync("su"));
        Assert.Equal(HttpStatusCode.Created, (await bob.Client.PostAsJsonAsync("/api/invitations", new { toHandle = sam.Handle })).StatusCode);
        var cookie = await PageCookieAsync(sam.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, (await api.Admin.PutAsJsonAsync($"/api/admin/members/{sam.Handle}/status", new { status = "suspended" })).StatusCode);
        // The status change signed the member out; signing in again gives a read-only session.
        var token = await TokenAsync(sam.Email, Api.Password);
        var reader = Bearer(token.Access);
        cookie = await PageCookieAsync(sam.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(Profile)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cookie.GetAsync("/messages")).StatusCode);
        var before = (await bob.Client.GetFromJsonAsync<JsonElement>("/api/me/notifications")).GetProperty("items").GetArrayLength();

        // Every write endpoint of the routing table, API by bearer token and pages by cookie.
        var writes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["POST"])
                .Where(method => method is not ("GET" or "HEAD" or "OPTIONS"))
                .Select(method => (Method: method, Path: Fill(endpoint.RoutePattern.RawText ?? string.Empty, bob.Handle))))
            .Where(write => !write.Path.StartsWith("/api/auth", StringComparison.Ordinal) && !write.Path.StartsWith("/api/admin", StringComparison.Ordinal)
                && !write.Path.StartsWith("/admin", StringComparison.Ordinal) && write.Path is not ("/signout" or "/signin" or "/signup")
                && !write.Path.StartsWith("/error", StringComparison.Ordinal) // the error page, which writes nothing
                && !write.Path.StartsWith("/openapi", StringComparison.Ordinal) && !write.Path.StartsWith("/docs", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.Contains(writes, write => write.Path == "/api/messages");
        Assert.Contains(writes, write => write.Path == "/api/posts");
        var failures = new List<string>();
        foreach (var (method, path) in writes)
        {
            var isApi = path.StartsWith("/api/", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = isApi
                    ? JsonContent.Create(new { toHandle = bob.Handle, body = $"Hi @{bob.Handle}", note = "x", reason = "spam", whoCanMessage = "anyone" })
                    : new FormUrlEncodedContent(new Dictionary<string, string> { ["body"] = "Hi", ["handle"] = bob.Handle }),
            };
            var response = isApi ? await reader.SendAsync(request) : await cookie.SendAsync(request);
            var code = response.StatusCode == HttpStatusCode.Forbidden ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString() : null;
            if (code != "suspended")
            {
                failures.Add($"{method} {path} → {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(before, (await bob.Client.GetFromJsonAsync<JsonElement>("/api/me/notifications")).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await reader.PostAsync(new Uri("/api/auth/signout", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task ParallelPreflightsCheckNoMoreEmailsThanTheDayAllows()
    {
        var api = fixture.Api;
        var recipient = await api.SignUpAsync("kc", settings: new { whoCanMessage = "knownContacts", acceptInMail = true });
        var guesser = await api.SignUpAsync("gs");
        var guesses = Enumerable.Range(0, 40).Select(i => $"guess{i}@example.com").ToList();

        var answers = await Task.WhenAll(guesses.Select(async email =>
            await guesser.Client.GetFromJsonAsync<JsonElement>($"/api/reach/{recipient.Handle}?recipientEmail={Uri.EscapeDataString(email)}")));

        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Reach.Data.ReachDb>();
        var guesserId = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Members.Where(m => m.Handle == guesser.Handle).Select(m => m.Id));
        var counted = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SumAsync(db.EmailAttempts.Where(e => e.SenderId == guesserId), e => e.Count);
        Assert.Equal(5, counted);
        Assert.Equal(40, answers.Length);

        // The day's attempts are spent: even the right address is not checked any more.
        var right = await guesser.Client.GetFromJsonAsync<JsonElement>($"/api/reach/{recipient.Handle}?recipientEmail={Uri.EscapeDataString(recipient.Email)}");
        Assert.False(right.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task ThePageCookieNeverCallsTheApi()
    {
        var api = fixture.Api;
        var ada = await api.SignUpAsync("ck");
        var bob = await api.SignUpAsync("ck");
        var browser = await PageCookieAsync(ada.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/messages")).StatusCode);

        var profile = await browser.GetAsync("/api/me/profile");
        Assert.Equal(HttpStatusCode.Unauthorized, profile.StatusCode);
        Assert.Contains("Bearer", profile.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"/api/reach/{bob.Handle}")).StatusCode);
        using var send = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = JsonContent.Create(new { to = bob.Handle, body = "by cookie" }) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(send)).StatusCode);
        var bobs = await bob.Client.GetFromJsonAsync<JsonElement>("/api/conversations");
        Assert.Equal(0, bobs.GetProperty("items").GetArrayLength());

        // The live stream is the one API path both take (the pages read it).
        using var live = new HttpRequestMessage(HttpMethod.Get, "/api/me/notifications/stream");
        using var stream = await browser.SendAsync(live, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
    }

    // A route's pattern as a path: its parameters filled in ("/m/{handle}" → "/m/bob", "{id:long}" → 1).
    private static string Fill(string pattern, string handle)
    {
        var path = "/" + RouteParameter().Replace(pattern, match => match.Value.Contains("handle", StringComparison.OrdinalIgnoreCase) ? handle : "1").Trim('/');
        return path;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private HttpClient Bearer(string token)
    {
        var client = fixture.Api.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<(string Access, string Refresh)> TokenAsync(string email, string password)
    {
        var response = await fixture.Api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        fixture.Api.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });

    private Task<Browser> PageCookieAsync(string email, string password) => Browser.SignInAsync(fixture.Host, email, password);
}

public sealed class SignInSecuritySqliteTests(ApiFixture<SqliteDatabase> fixture) : SignInSecurityTests<SqliteDatabase>(fixture);

public sealed class SignInSecurityPostgresTests(ApiFixture<PostgresDatabase> fixture) : SignInSecurityTests<PostgresDatabase>(fixture);
