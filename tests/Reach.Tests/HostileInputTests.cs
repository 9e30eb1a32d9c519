using System.Net;
using System.Text;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Malformed and hostile requests on every endpoint: never a 500 (SPEC §8, §12).</summary>
public abstract class HostileInputTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private static readonly string[] Bodies =
    [
        "", "null", "[]", "{}", "\"text\"", "42", "{", "{\"a\":", "{\"toHandle\":[1,2],\"body\":{}}",
        "{\"toHandle\":\"x\",\"body\":\"hi\",\"inMail\":\"yes\"}", "{\"toHandle\":null,\"body\":null}",
        "{\"tier\":123}", "{\"status\":\"restricted\",\"until\":\"tomorrow\"}", "{\"amount\":\"ten\"}",
        "{\"amount\":99999999999999}", "{\"now\":17}", "{\"emails\":\"a@b.c\"}", "{\"emails\":[1,2]}",
        "{\"whoCanMessage\":1,\"acceptInMail\":\"no\"}", "{\"messageId\":\"1\",\"reason\":\"spam\"}",
        "{\"toHandle\":\"' OR 1=1 --\",\"body\":\"Robert'); DROP TABLE Members;--\"}",
        "{\"toHandle\":\"\\u0000\\uFFFF\",\"body\":\"\\uD800\"}",
        "{\"displayName\":\"a\\u0000b\",\"headline\":\"\\uDC00\",\"company\":\"\\u0000\",\"body\":\"x\\u0000\",\"note\":\"\\u0000\",\"email\":\"a\\u0000@b.co\",\"password\":\"p\\u0000assword\",\"handle\":\"ok_handle\",\"toHandle\":\"HANDLE\",\"emails\":[\"x\\u0000@y.co\"]}", "{\"displayName\":\"" + new string('x', 70_000) + "\"}",
        "{\"email\":\"a@b.c\",\"password\":\"" + new string('p', 5000) + "\",\"handle\":\"hh_hh\",\"displayName\":\"x\"}",
        "{\"now\":\"9999-12-31T23:59:59Z\"}", "{\"now\":\"0001-01-01T00:00:00Z\"}", "{\"now\":\"2026-12-01T00:00:00Z\"}",
    ];

    private static readonly string[] Charsets = ["bogus", "utf-7", "utf-16", "iso-8859-1"];

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", "/api/auth/register"), ("POST", "/api/auth/token"), ("PATCH", "/api/me/profile"), ("PUT", "/api/me/settings"),
        ("PUT", "/api/me/address-book"), ("POST", "/api/invitations"), ("POST", "/api/messages"), ("POST", "/api/reports"),
        ("POST", "/api/conversations/1/messages"), ("POST", "/api/conversations/99999999999/accept"),
        ("PUT", "/api/admin/members/HANDLE/tier"), ("PUT", "/api/admin/members/HANDLE/status"),
        ("POST", "/api/admin/members/HANDLE/credits"), ("PUT", "/api/admin/clock"),
    ];

    private static readonly string[] Gets =
    [
        "/api/members/%E2%80%AE%F0%9F%98%80", "/api/members/" + new string('a', 3000), "/api/reach/HANDLE?inMail=1", "/api/reach/HANDLE?recipientEmail=%ff%fe",
        "/api/conversations?folder=../../etc", "/api/conversations?page=-1", "/api/conversations?page=99999999999",
        "/api/conversations/abc", "/api/conversations/-5", "/api/invitations?box=%27", "/api/admin/decisions?sender=%27&recipient=%22",
        "/api/admin/decisions/locked?from=2026-13-45", "/api/admin/decisions/locked?from=0001-01-01&to=9999-12-31",
        "/api/admin/decisions/locked?from=9999-12-31", "/api/me/connections/%2F", "/api/me/blocks",
    ];

    [Fact]
    public async Task NoMalformedRequestGetsA500()
    {
        var api = fixture.Api;
        var member = await api.SignUpAsync("fz");
        var failures = new List<string>();
        foreach (var (method, path) in Endpoints)
        {
            foreach (var body in Bodies)
            {
                var client = path.StartsWith("/api/admin", StringComparison.Ordinal) ? api.Admin : member.Client;
                using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("HANDLE", member.Handle, StringComparison.Ordinal))
                {
                    Content = new StringContent(body.Replace("HANDLE", member.Handle, StringComparison.Ordinal), Encoding.UTF8, "application/json"),
                };
                var response = await client.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{method} {path} {body[..Math.Min(body.Length, 60)]} → {(int)response.StatusCode}");
                }
            }
        }

        foreach (var path in Gets)
        {
            var client = path.StartsWith("/api/admin", StringComparison.Ordinal) ? api.Admin : member.Client;
            var response = await client.GetAsync(new Uri(path.Replace("HANDLE", member.Handle, StringComparison.Ordinal), UriKind.Relative));
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"GET {path[..Math.Min(path.Length, 60)]} → {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task ABodyInAnUnknownCharacterSetIsA415OnEveryEndpoint()
    {
        var api = fixture.Api;
        var member = await api.SignUpAsync("cs");
        var failures = new List<string>();
        foreach (var (method, path) in Endpoints)
        {
            foreach (var charset in Charsets)
            {
                foreach (var client in new[] { api.Anonymous, path.StartsWith("/api/admin", StringComparison.Ordinal) ? api.Admin : member.Client })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("HANDLE", member.Handle, StringComparison.Ordinal))
                    {
                        Content = new StringContent("{}", Encoding.UTF8, "application/json"),
                    };
                    request.Content.Headers.ContentType!.CharSet = charset;
                    var response = await client.SendAsync(request);
                    var code = response.StatusCode == HttpStatusCode.UnsupportedMediaType ? (await ReadAsync(response)).GetProperty("code").GetString() : null;
                    if (code != "unsupported_media_type")
                    {
                        failures.Add($"{method} {path} charset={charset} → {(int)response.StatusCode}");
                    }
                }
            }
        }

        Assert.Empty(failures);

        // UTF-8, however spelled, is read.
        var quoted = new StringContent($$"""{"toHandle":"{{member.Handle}}","body":"hi"}""", Encoding.UTF8, "application/json");
        quoted.Headers.ContentType!.CharSet = "\"UTF-8\"";
        Assert.NotEqual(HttpStatusCode.UnsupportedMediaType, (await member.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), quoted)).StatusCode);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("2200-01-01T00:00:00Z")]
    public async Task AClockOutsideTheSupportedYearsIsA400AndChangesNothing(string now)
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ck"), await api.SignUpAsync("ck"));
        var before = await ReadAsync(await api.Admin.PutAsync(new Uri("/api/admin/clock", UriKind.Relative), new StringContent("""{"now":"2026-12-01T00:00:00Z"}""", Encoding.UTF8, "application/json")));

        var set = await api.Admin.PutAsync(new Uri("/api/admin/clock", UriKind.Relative), new StringContent($$"""{"now":"{{now}}"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, set.StatusCode);
        Assert.Equal("now", (await ReadAsync(set)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.GetAsync(new Uri($"/api/reach/{bob.Handle}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ada.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent($$"""{"toHandle":"{{bob.Handle}}","body":"hi"}""", Encoding.UTF8, "application/json"))).StatusCode);
        var after = await ReadAsync(await api.Admin.PutAsync(new Uri("/api/admin/clock", UriKind.Relative), new StringContent("""{"now":"2026-12-01T00:00:00Z"}""", Encoding.UTF8, "application/json")));
        Assert.Equal(before.GetProperty("now").GetString(), after.GetProperty("now").GetString());
    }

    [Theory]
    [InlineData("from=0001-01-01&to=9999-12-31", "from")]
    [InlineData("from=2026-11-01&to=9999-12-31", "to")]
    [InlineData("from=1999-12-31", "from")]
    public async Task ADayRangeOutsideTheSupportedYearsIsA400(string query, string field)
    {
        var response = await fixture.Api.Admin.GetAsync(new Uri("/api/admin/decisions/locked?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await ReadAsync(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task ExtraFieldsInABodyAreNeverApplied()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ada"), await api.SignUpAsync("bob"));

        await ada.Client.PatchAsync(new Uri("/api/me/profile", UriKind.Relative), new StringContent("""{"headline":"x","tierId":"recruiter","creditBalance":999,"status":"active"}""", Encoding.UTF8, "application/json"));
        var send = await ada.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent($$"""{"toHandle":"{{bob.Handle}}","body":"hi","senderId":1,"channel":"connection","creditsCharged":-5}""", Encoding.UTF8, "application/json"));

        Assert.Equal("basic", (await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/profile", UriKind.Relative)))).GetProperty("tier").GetString());
        Assert.Equal(0, await BalanceAsync(ada));
        Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        Assert.Equal("open", (await ReadAsync(send)).GetProperty("channel").GetString());
    }
}

public sealed class HostileInputSqliteTests(ApiFixture<SqliteDatabase> fixture) : HostileInputTests<SqliteDatabase>(fixture);

public sealed class HostileInputPostgresTests(ApiFixture<PostgresDatabase> fixture) : HostileInputTests<PostgresDatabase>(fixture);
