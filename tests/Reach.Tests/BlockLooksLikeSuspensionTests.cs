using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reach.Tests;

/// <summary>
/// From the outside a block cannot be told from a suspension (docs/SECURITY.md): the posts, the search, the
/// invitations and an earlier invitation's acceptance answer alike for a member who blocked the viewer and for a
/// suspended one.
/// </summary>
public abstract class BlockLooksLikeSuspensionTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    [Fact]
    public async Task ABlockerAndASuspendedMemberAnswerTheViewerAlike()
    {
        var api = fixture.Api;
        var tag = "q" + Guid.NewGuid().ToString("N")[..10];
        var viewer = await api.SignUpAsync("vw");
        var blocker = await api.SignUpAsync("bk");
        var suspended = await api.SignUpAsync("sp");
        var answers = new Dictionary<string, List<string>>();
        foreach (var member in new[] { blocker, suspended })
        {
            Assert.Equal(HttpStatusCode.OK, (await member.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Engineer {tag}" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await member.Client.PostAsJsonAsync("/api/invitations", new { toHandle = viewer.Handle })).StatusCode);
        }

        var posts = new Dictionary<string, long>();
        foreach (var member in new[] { blocker, suspended })
        {
            var post = await member.Client.PostAsJsonAsync("/api/posts", new { body = "A post " + tag });
            posts[member.Handle] = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        Assert.Equal(HttpStatusCode.NoContent, (await blocker.Client.PutAsync(new Uri($"/api/me/blocks/{viewer.Handle}", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Admin.PutAsJsonAsync($"/api/admin/members/{suspended.Handle}/status", new { status = "suspended" })).StatusCode);

        var search = await viewer.Client.GetFromJsonAsync<JsonElement>($"/api/search/members?q={tag}");
        Assert.Equal(0, search.GetProperty("items").GetArrayLength());
        var invitations = await viewer.Client.GetFromJsonAsync<JsonElement>("/api/invitations");
        foreach (var member in new[] { blocker, suspended })
        {
            var seen = new List<string>();
            var post = await viewer.Client.GetAsync(new Uri($"/api/posts/{posts[member.Handle]}", UriKind.Relative));
            seen.Add($"post {(int)post.StatusCode}");
            var list = await viewer.Client.GetAsync(new Uri($"/api/members/{member.Handle}/posts", UriKind.Relative));
            seen.Add($"posts {(int)list.StatusCode}");
            var invite = await viewer.Client.PostAsJsonAsync("/api/invitations", new { toHandle = member.Handle });
            seen.Add($"invite {(int)invite.StatusCode} {await ReasonAsync(invite)}");
            var id = invitations.GetProperty("items").EnumerateArray().First(item => item.GetProperty("fromHandle").GetString() == member.Handle).GetProperty("id").GetInt64();
            var accept = await viewer.Client.PostAsync(new Uri($"/api/invitations/{id}/accept", UriKind.Relative), null);
            seen.Add($"accept {(int)accept.StatusCode} {await ReasonAsync(accept)}");
            answers[member.Handle] = seen;
        }

        Assert.Equal(answers[blocker.Handle], answers[suspended.Handle]);
        Assert.Contains("post 404", answers[blocker.Handle]);
        Assert.Contains("accept 403 unavailable", answers[blocker.Handle]);
        var connections = await viewer.Client.GetFromJsonAsync<JsonElement>("/api/me/connections");
        Assert.Equal(0, connections.GetProperty("items").GetArrayLength());
    }

    private static async Task<string?> ReasonAsync(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json"
        && (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("reason", out var reason) ? reason.GetString() : null;
}

public sealed class BlockLooksLikeSuspensionSqliteTests(ApiFixture<SqliteDatabase> fixture) : BlockLooksLikeSuspensionTests<SqliteDatabase>(fixture);

public sealed class BlockLooksLikeSuspensionPostgresTests(ApiFixture<PostgresDatabase> fixture) : BlockLooksLikeSuspensionTests<PostgresDatabase>(fixture);
