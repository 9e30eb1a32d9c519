using System.Net;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Sign-up, tokens, profile, settings and the address book (SPEC §1, §2, §8, §11).</summary>
public abstract class AccountApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    public static TheoryData<string, string> BadSignUps => new()
    {
        { """{"email":"nope","password":"long enough","handle":"good_handle","displayName":"A"}""", "email" },
        { """{"email":"a@example.com","password":"short","handle":"good_handle","displayName":"A"}""", "password" },
        { """{"email":"a@example.com","password":"long enough","handle":"x","displayName":"A"}""", "handle" },
        { """{"email":"a@example.com","password":"long enough","handle":"bad handle!","displayName":"A"}""", "handle" },
        { """{"email":"a@example.com","password":"long enough","handle":"good_handle","displayName":""}""", "displayName" },
        { """{"email":"a@example.com","password":"long enough","handle":"good_handle"}""", "displayName" },
        { """{"email":"a@example.com","password":"long enough","handle":"good_handle","displayName":"A","headline":5}""", "headline" },
        { """{"email":"a@example.com","password":"long enough","handle":"good_handle","displayName":"A","headline":"HEADLINE_TOO_LONG"}""", "headline" },
    };

    [Theory]
    [MemberData(nameof(BadSignUps))]
    public async Task ABadSignUpIsA400NamingTheField(string json, string field)
    {
        json = json.Replace("HEADLINE_TOO_LONG", new string('h', 201), StringComparison.Ordinal);

        var response = await Api.Anonymous.PostAsync(new Uri("/api/auth/register", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed", field);
    }

    [Fact]
    public async Task AHandleOrEmailIsTakenOnce()
    {
        var ada = await Api.SignUpAsync("ada");

        var sameHandle = await Api.Anonymous.PostAsJsonAsync("/api/auth/register", new { email = "other@example.com", password = Password, handle = ada.Handle, displayName = "X" });
        var sameEmail = await Api.Anonymous.PostAsJsonAsync("/api/auth/register", new { email = ada.Email, password = Password, handle = "fresh_handle_1", displayName = "X" });

        await AssertProblemAsync(sameHandle, HttpStatusCode.Conflict, "conflict", "handle");
        await AssertProblemAsync(sameEmail, HttpStatusCode.Conflict, "conflict", "email");
    }

    [Fact]
    public async Task AWrongPasswordGetsNoToken()
    {
        var ada = await Api.SignUpAsync("ada");

        var response = await Api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email, password = "wrong password" });

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await Api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = ada.Email }), HttpStatusCode.BadRequest, "validation_failed", "password");
    }

    [Fact]
    public async Task ProfilesShowPublicFactsAndTheCallersDecision()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob", tier: "sales_navigator"));
        var patch = await bob.Client.PatchAsJsonAsync("/api/me/profile", new { headline = "Hiring engineers", company = "Acme", openToWork = true });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var profile = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/members/{bob.Handle}", UriKind.Relative)));

        var member = profile.GetProperty("member");
        Assert.Equal("Hiring engineers", member.GetProperty("headline").GetString());
        Assert.True(member.GetProperty("premiumBadge").GetBoolean());
        Assert.False(member.TryGetProperty("email", out _));
        Assert.Equal(["premium_required"], Strings(profile.GetProperty("decision").GetProperty("reasons")));
        await AssertProblemAsync(await ada.Client.GetAsync(new Uri("/api/members/nobody_at_all", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await bob.Client.PatchAsJsonAsync("/api/me/profile", new { photoUrl = "javascript:alert(1)" }), HttpStatusCode.BadRequest, "validation_failed", "photoUrl");
        await AssertProblemAsync(await bob.Client.PatchAsJsonAsync("/api/me/profile", new { photoUrl = "http://example.com/me.png" }), HttpStatusCode.BadRequest, "validation_failed", "photoUrl");
        await AssertProblemAsync(await bob.Client.PatchAsJsonAsync("/api/me/profile", new { photoUrl = "https://user:secret@example.com/me.png" }), HttpStatusCode.BadRequest, "validation_failed", "photoUrl");
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.PatchAsJsonAsync("/api/me/profile", new { photoUrl = "https://example.com/me.png" })).StatusCode);
    }

    [Fact]
    public async Task SettingsAreReadAndReplaced()
    {
        var ada = await Api.SignUpAsync("ada");
        var defaults = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/settings", UriKind.Relative)));
        Assert.Equal("anyone", defaults.GetProperty("whoCanMessage").GetString());
        Assert.True(defaults.GetProperty("acceptInMail").GetBoolean());

        var put = await ada.Client.PutAsJsonAsync("/api/me/settings", new { whoCanMessage = "knownContacts", acceptInMail = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/settings", UriKind.Relative)));
        Assert.Equal("knownContacts", read.GetProperty("whoCanMessage").GetString());
        Assert.False(read.GetProperty("acceptInMail").GetBoolean());

        await AssertProblemAsync(await ada.Client.PutAsJsonAsync("/api/me/settings", new { whoCanMessage = "friends", acceptInMail = true }), HttpStatusCode.BadRequest, "validation_failed", "whoCanMessage");
        await AssertProblemAsync(await ada.Client.PutAsJsonAsync("/api/me/settings", new { whoCanMessage = "anyone" }), HttpStatusCode.BadRequest, "validation_failed", "acceptInMail");
        await AssertProblemAsync(await ada.Client.PutAsJsonAsync("/api/me/settings", new { whoCanMessage = "anyone", acceptInMail = true, openProfile = true }), HttpStatusCode.BadRequest, "validation_failed", "openProfile");
    }

    [Fact]
    public async Task TheAddressBookTakesJsonCsvOrVCardAndReplacesTheOldOne()
    {
        var ada = await Api.SignUpAsync("ada");

        var json = await ada.Client.PutAsJsonAsync("/api/me/address-book", new { emails = new[] { "a@example.com", "A@Example.com ", "b@example.com" } });
        Assert.Equal(2, (await ReadAsync(json)).GetProperty("count").GetInt32());

        var csv = await ada.Client.PutAsync(new Uri("/api/me/address-book", UriKind.Relative),
            new StringContent("Name,E-mail Address\n\"Lovelace, Ada\",ada@example.com\nBob,bob@example.com\nCyd,cyd@example.com\n", System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(3, (await ReadAsync(csv)).GetProperty("count").GetInt32());

        var quotedNewline = await ada.Client.PutAsync(new Uri("/api/me/address-book", UriKind.Relative),
            new StringContent("Name,Email\r\n\"Ada\r\nLovelace\",ada@example.com\r\nBob,bob-at-example\r\n", System.Text.Encoding.UTF8, "text/csv"));
        var read = await ReadAsync(quotedNewline);
        Assert.Equal(1, read.GetProperty("count").GetInt32());
        var skipped = Assert.Single(read.GetProperty("skipped").EnumerateArray());
        Assert.Equal((3, "not_an_email", "bob-at-example"), (skipped.GetProperty("row").GetInt32(), skipped.GetProperty("reason").GetString(), skipped.GetProperty("value").GetString()));

        var vcard = await ada.Client.PutAsync(new Uri("/api/me/address-book", UriKind.Relative),
            new StringContent("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEMAIL;TYPE=work:ada@exam\r\n ple.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEMAIL:bob@example.com\r\nEND:VCARD\r\n", System.Text.Encoding.UTF8, "text/vcard"));
        read = await ReadAsync(vcard);
        Assert.Equal(2, read.GetProperty("count").GetInt32());
        Assert.Empty(read.GetProperty("skipped").EnumerateArray());
        var older = await ada.Client.PutAsync(new Uri("/api/me/address-book", UriKind.Relative),
            new StringContent("BEGIN:VCARD\nVERSION:2.1\nEMAIL;INTERNET:cyd@example.com\nEND:VCARD\n", System.Text.Encoding.UTF8, "text/x-vcard"));
        Assert.Equal(1, (await ReadAsync(older)).GetProperty("count").GetInt32());

        await AssertProblemAsync(await ada.Client.PutAsJsonAsync("/api/me/address-book", new { emails = new[] { "ok@example.com", "broken" } }), HttpStatusCode.BadRequest, "validation_failed", "emails[1]");
        await AssertProblemAsync(await ada.Client.PutAsJsonAsync("/api/me/address-book", new { }), HttpStatusCode.BadRequest, "validation_failed", "emails");
    }
}

public sealed class AccountApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : AccountApiTests<SqliteDatabase>(fixture);

public sealed class AccountApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : AccountApiTests<PostgresDatabase>(fixture);
