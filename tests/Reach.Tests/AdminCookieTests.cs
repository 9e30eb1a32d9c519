using System.Net;

namespace Reach.Tests;

/// <summary>The operator's cookie holds only under the admin key it was given for (docs/SECURITY.md).</summary>
public sealed class AdminCookieTests
{
    [Fact]
    public async Task ARestartWithANewAdminKeyEndsTheOperatorsCookie()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        string cookie;
        await using (var before = new ReachHost(database.Db))
        {
            var browser = new Browser(before.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));
            var signIn = await browser.PostFormAsync("/admin/signin", "/admin/signin", new() { ["key"] = ReachHost.AdminKey });
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            cookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(value => value.Split(';')[0]));
            Assert.Equal(HttpStatusCode.OK, (await Get(before, cookie)).StatusCode);
        }

        // The same database (so the same keys): the cookie still decrypts, but names another admin key.
        await using var sameKey = new ReachHost(database.Db);
        Assert.Equal(HttpStatusCode.OK, (await Get(sameKey, cookie)).StatusCode);
        await using var newKey = new ReachHost(database.Db, new Dictionary<string, string> { ["admin-key"] = "another-admin-key-0123456789" });
        var refused = await Get(newKey, cookie);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/admin/signin", Browser.PathOf(refused), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> Get(ReachHost host, string cookie)
    {
        var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }
}
