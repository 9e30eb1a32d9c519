using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Reach.Tests;

/// <summary>
/// Errors by who asks (Web/ErrorPages): a browser gets the site's HTML page for a 404, a 403 and a 500, an API client
/// the problem document, with the same status code.
/// </summary>
public sealed class ErrorPagesTests
{
    private const string FailingPath = "/test-failure";

    [Fact]
    public async Task ABrowserGetsAnHtmlPageAndAClientAProblemForTheSameError()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db, services: services => services.AddTransient<IStartupFilter, FailingEndpoint>());
        var api = new Api(host);
        var ada = await api.SignUpAsync("err");
        var browser = await Browser.SignInAsync(host, ada.Email, Api.Password);

        // 404: a missing member and a missing conversation.
        foreach (var path in new[] { "/m/nobody_at_all", "/messages/99999" })
        {
            var page = await AsBrowserAsync(browser, HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            await AssertPageAsync(page, "Page not found");
        }

        var problem = await ada.Client.GetAsync(new Uri("/api/reach/nobody_at_all", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);

        // 500: an unexpected failure.
        var failure = await AsBrowserAsync(browser, HttpMethod.Get, FailingPath);
        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        await AssertPageAsync(failure, "Something went wrong");
        var failureProblem = await api.Anonymous.GetAsync(new Uri(FailingPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.InternalServerError, failureProblem.StatusCode);
        Assert.Equal("application/problem+json", failureProblem.Content.Headers.ContentType?.MediaType);

        // 403: a suspended member's form.
        Assert.Equal(HttpStatusCode.OK, (await api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "suspended" })).StatusCode);
        var suspended = await Browser.SignInAsync(host, ada.Email, Api.Password);
        var refused = await suspended.PostFormAsync("/posts/new", "/posts/new", new() { ["body"] = "Hello" }, accept: "text/html");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await AssertPageAsync(refused, "Not allowed");
    }

    private static async Task<HttpResponseMessage> AsBrowserAsync(Browser browser, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        return await browser.SendAsync(request);
    }

    private static async Task AssertPageAsync(HttpResponseMessage response, string heading)
    {
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>", html, StringComparison.Ordinal);
        Assert.Contains(heading, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"status\":", html, StringComparison.Ordinal);
    }

    // An endpoint that fails, after everything the server maps (so that the server's exception handling is around it).
    private sealed class FailingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(FailingPath, failing => failing.Run(_ => throw new InvalidOperationException("A failure for the test.")));
        };
    }
}
