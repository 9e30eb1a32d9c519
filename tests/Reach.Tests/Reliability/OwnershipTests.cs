using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests.Reliability;

/// <summary>
/// A member reaches only their own objects (SPEC §8): every attempt on another member's conversation, invitation or
/// notification is a 404, and changes nothing. A refused sender cannot tell more than SPEC §2.1 says: "does not
/// exist" and "deactivated" are the same 404; "blocked" (either way) and "suspended" are the same lock.
/// </summary>
public abstract class OwnershipTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task EveryObjectOfAnotherMemberIsNotFound()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        var conversation = (await ReadAsync(await SendAsync(ada, bob, "Between ada and bob"))).GetProperty("conversationId").GetInt64();
        var invitation = (await ReadAsync(await bob.Client.PostAsJsonAsync("/api/invitations", new { toHandle = ada.Handle }))).GetProperty("id").GetInt64();
        var notification = (await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative))))
            .GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64()).First();

        (string Method, string Path)[] attempts =
        [
            ("GET", $"/api/conversations/{conversation}"), ("POST", $"/api/conversations/{conversation}/messages"),
            ("POST", $"/api/conversations/{conversation}/accept"), ("POST", $"/api/conversations/{conversation}/decline"),
            ("POST", $"/api/invitations/{invitation}/accept"), ("POST", $"/api/invitations/{invitation}/ignore"),
            ("POST", $"/api/invitations/{invitation}/report"), ("DELETE", $"/api/invitations/{invitation}"),
        ];
        foreach (var (method, path) in attempts)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { body = "Let me in" }) };
            var response = await eve.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} → {(int)response.StatusCode}");
        }

        var marked = await ReadAsync(await eve.Client.PostAsJsonAsync("/api/me/notifications/read", new { ids = new[] { notification } }));
        Assert.Equal(0, marked.GetProperty("marked").GetInt32());

        // Nothing changed for the owners.
        var thread = await ReadAsync(await ada.Client.GetAsync(new Uri($"/api/conversations/{conversation}", UriKind.Relative)));
        Assert.Equal(1, thread.GetProperty("messages").GetArrayLength());
        var received = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=received", UriKind.Relative)));
        Assert.Contains(received.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetInt64() == invitation);
        var notifications = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)));
        Assert.False(notifications.GetProperty("items").EnumerateArray().Single(item => item.GetProperty("id").GetInt64() == notification).GetProperty("read").GetBoolean());
    }

    [Fact]
    public async Task ARefusedSenderCannotTellDeactivatedFromMissingNorBlockedFromSuspended()
    {
        var sender = await Api.SignUpAsync("snd");
        var deactivated = await Api.SignUpAsync("gone");
        var blockedMe = await Api.SignUpAsync("blk");
        var iBlocked = await Api.SignUpAsync("ibl");
        var suspended = await Api.SignUpAsync("sus");
        await Api.Admin.PutAsJsonAsync($"/api/admin/members/{deactivated.Handle}/status", new { status = "deactivated" });
        await Api.Admin.PutAsJsonAsync($"/api/admin/members/{suspended.Handle}/status", new { status = "suspended" });
        await blockedMe.Client.PutAsync(new Uri($"/api/me/blocks/{sender.Handle}", UriKind.Relative), null);
        await sender.Client.PutAsync(new Uri($"/api/me/blocks/{iBlocked.Handle}", UriKind.Relative), null);
        var missing = "nobody_" + Guid.NewGuid().ToString("N")[..10];

        var gone = await ObserveAsync(sender, deactivated.Handle);
        Assert.Equal(await ObserveAsync(sender, missing), gone);
        Assert.All(gone, answer => Assert.StartsWith("404", answer, StringComparison.Ordinal));

        var locked = await ObserveAsync(sender, blockedMe.Handle);
        Assert.Equal(locked, await ObserveAsync(sender, iBlocked.Handle));
        Assert.Equal(locked, await ObserveAsync(sender, suspended.Handle));
        Assert.Contains(locked, answer => answer.Contains("unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(locked, answer => answer.Contains("block", StringComparison.OrdinalIgnoreCase) || answer.Contains("suspend", StringComparison.OrdinalIgnoreCase));
    }

    // What the sender sees of a handle through pre-flight, a message, an InMail and an invitation, with the handle
    // itself taken out of the text.
    private static async Task<string[]> ObserveAsync(TestMember sender, string handle)
    {
        var responses = new[]
        {
            await sender.Client.GetAsync(new Uri($"/api/reach/{handle}", UriKind.Relative)),
            await sender.Client.GetAsync(new Uri($"/api/reach/{handle}?inMail=true", UriKind.Relative)),
            await sender.Client.PostAsJsonAsync("/api/messages", new { toHandle = handle, body = "Hello" }),
            await sender.Client.PostAsJsonAsync("/api/messages", new { toHandle = handle, body = "Hello", subject = "Hi", inMail = true }),
            await sender.Client.PostAsJsonAsync("/api/invitations", new { toHandle = handle }),
        };
        var answers = new List<string>();
        foreach (var response in responses)
        {
            var text = await response.Content.ReadAsStringAsync();
            answers.Add($"{(int)response.StatusCode} {Normalize(text, handle)}");
        }

        return [.. answers];
    }

    // The body without the handle and without what differs on every call (trace ids, times).
    private static string Normalize(string text, string handle)
    {
        if (text.Length == 0)
        {
            return string.Empty;
        }

        using var document = JsonDocument.Parse(text);
        var fields = document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.EnumerateObject().Where(p => p.Name is not ("traceId" or "instance" or "at" or "checkedAt")).Select(p => $"{p.Name}={p.Value}")
            : [document.RootElement.ToString()];
        return string.Join(";", fields).Replace(handle, "HANDLE", StringComparison.Ordinal);
    }
}

public sealed class OwnershipSqliteTests(ApiFixture<SqliteDatabase> fixture) : OwnershipTests<SqliteDatabase>(fixture);

public sealed class OwnershipPostgresTests(ApiFixture<PostgresDatabase> fixture) : OwnershipTests<PostgresDatabase>(fixture);
