using System.Net;
using System.Text.RegularExpressions;

namespace Reach.Tests;

/// <summary>
/// A browser's side of the pages without a browser: keeps the cookies it is given, follows no redirects, and posts
/// forms with the antiforgery token of the page they are on.
/// </summary>
public sealed partial class Browser(HttpClient client)
{
    private static readonly Uri Origin = new("http://localhost/");

    public CookieContainer Cookies { get; } = new();

    /// <summary>Every cookie this browser holds for the site, as one <c>Cookie</c> header.</summary>
    public string CookieHeader => Cookies.GetCookieHeader(Origin);

    public static async Task<Browser> SignInAsync(ReachHost host, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(host);
        var browser = new Browser(host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));
        var signIn = await browser.PostFormAsync("/signin", "/signin", new() { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return browser;
    }

    /// <summary>Where a redirect goes, as a path (the framework writes absolute or relative locations).</summary>
    public static string PathOf(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location ?? throw new InvalidOperationException("Not a redirect: " + response.StatusCode);
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (CookieHeader is { Length: > 0 } cookies)
        {
            request.Headers.Add("Cookie", cookies);
        }

        var response = await client.SendAsync(request, completion);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                Cookies.SetCookies(Origin, value);
            }
        }

        return response;
    }

    /// <summary>Opens <paramref name="page"/>, then posts <paramref name="fields"/> to <paramref name="action"/> with its antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields, string? accept = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var html = await (await GetAsync(page)).Content.ReadAsStringAsync();
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(html).Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
