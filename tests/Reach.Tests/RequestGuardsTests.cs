using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Reach.Tests;

/// <summary>What every request meets before an endpoint (docs/SECURITY.md): body limits, and the headers of every page.</summary>
public sealed class RequestGuardsTests(ApiFixture<SqliteDatabase> fixture) : IClassFixture<ApiFixture<SqliteDatabase>>
{
    private static readonly string[] MemberPages = ["/", "/messages", "/messages/new", "/network", "/notifications", "/settings", "/plan", "/bookmarks", "/posts", "/posts/new"];

    private static readonly string[] OpenPages = ["/signin", "/signup", "/admin/signin", "/health", "/no/such/page"];

    [Fact]
    public async Task EveryPageAndAnswerCarriesTheSecurityHeaders()
    {
        var ada = await fixture.Api.SignUpAsync("hd");
        var browser = await Browser.SignInAsync(fixture.Host, ada.Email, Api.Password);
        var anonymous = new Browser(fixture.Api.NewClient());
        var failures = new List<string>();
        foreach (var (path, client) in MemberPages.Select(path => (path, browser)).Concat(OpenPages.Select(path => (path, anonymous))))
        {
            var response = await client.GetAsync(path);
            var headers = response.Headers;
            var csp = headers.TryGetValues("Content-Security-Policy", out var values) ? string.Join(",", values) : string.Empty;
            if (!csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal) || !csp.Contains("script-src 'self'", StringComparison.Ordinal)
                || csp.Contains("unsafe-eval", StringComparison.Ordinal) || !csp.Contains("object-src 'none'", StringComparison.Ordinal)
                || !response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) || sniff.Single() != "nosniff"
                || !response.Headers.TryGetValues("Referrer-Policy", out var referrer) || referrer.Single() != "same-origin"
                || !response.Headers.TryGetValues("X-Frame-Options", out var frame) || frame.Single() != "DENY")
            {
                failures.Add($"{path} ({(int)response.StatusCode}): {csp}");
            }

            if (response.Content.Headers.ContentType?.MediaType == "text/html")
            {
                var html = await response.Content.ReadAsStringAsync();
                if (System.Text.RegularExpressions.Regex.IsMatch(html, @"<script(?![^>]*\bsrc=)[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
                {
                    failures.Add($"{path}: an inline script");
                }
            }
        }

        Assert.Empty(failures);

        // The API's JSON carries no page headers, but is never sniffed into something else.
        var api = await ada.Client.GetAsync(new Uri("/api/me/profile", UriKind.Relative));
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task AMegabyteBodyIsRefusedWith413BeforeItIsReadAndMemoryStaysFlat()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database.Db, "--policy", TestPolicy.WithoutLimits);
        using var http = new HttpClient { BaseAddress = server.Address };
        var register = await http.PostAsJsonAsync("/api/auth/register", new { email = "big@example.com", password = Api.Password, handle = "big_body", displayName = "Big" });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var tokens = await (await http.PostAsJsonAsync("/api/auth/token", new { email = "big@example.com", password = Api.Password })).Content.ReadFromJsonAsync<JsonElement>();
        var token = tokens.GetProperty("accessToken").GetString();
        Assert.Equal(15 * 60, tokens.GetProperty("expiresIn").GetInt64());
        using var signedIn = new HttpClient { BaseAddress = server.Address };
        signedIn.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var megabyte = "{\"toHandle\":\"big_body\",\"body\":\"" + new string('x', 1024 * 1024) + "\"}";
        for (var i = 0; i < 5; i++)
        {
            await signedIn.GetAsync(new Uri("/api/me/profile", UriKind.Relative));
        }

        var before = server.ResidentBytes;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var client = i % 2 == 0 ? signedIn : http;
            var path = i % 2 == 0 ? "/api/messages" : "/api/auth/register";
            try
            {
                using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(megabyte, Encoding.UTF8, "application/json"));
                var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
                return ((HttpStatusCode, string?)?)(response.StatusCode, code);
            }
            catch (HttpRequestException e) when (e.InnerException is IOException)
            {
                // The server answered 413 and closed the connection while the client was still writing the body (a
                // broken pipe): the client never got to read the answer, and the body was not read either.
                return null;
            }
        }));
        var after = server.ResidentBytes;

        Assert.Contains(answers, answer => answer is not null);
        Assert.All(answers.OfType<(HttpStatusCode, string?)>(), answer => Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), answer));
        Assert.True(after - before < 32 * 1024 * 1024, $"The server grew by {(after - before) / (1024 * 1024)} MB for 40 refused 1 MB bodies.");

        // An address book takes up to 2 MB; a JSON body under 64 KB is read as always.
        var book = "email\n" + string.Join('\n', Enumerable.Range(0, 5_000).Select(i => $"contact{i}@example.com"));
        var import = await signedIn.PutAsync(new Uri("/api/me/address-book", UriKind.Relative), new StringContent(book, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.PatchAsync(new Uri("/api/me/profile", UriKind.Relative), JsonContent.Create(new { headline = new string('h', 100) }))).StatusCode);
    }
}
