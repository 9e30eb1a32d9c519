using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Posts, comments, shares and mentions (SPEC §5).</summary>
public abstract class PostsApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task AMentionNotifiesExceptAcrossABlock()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        await eve.Client.PutAsync(new Uri($"/api/me/blocks/{ada.Handle}", UriKind.Relative), null);

        var post = await CreatedAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = $"Thanks @{bob.Handle} and @{eve.Handle} for the review!" }));
        var mention = Assert.Single(await KindsAsync(bob), n => n.GetProperty("kind").GetString() == "mention");
        Assert.Equal(ada.Handle, mention.GetProperty("actorHandle").GetString());
        Assert.Equal($"/posts/{post.GetProperty("id").GetInt64()}", mention.GetProperty("link").GetString());
        Assert.DoesNotContain(await KindsAsync(eve), n => n.GetProperty("kind").GetString() == "mention");

        // Mentions in comments notify too; a mention of oneself or of nobody does nothing.
        var id = post.GetProperty("id").GetInt64();
        await CreatedAsync(await bob.Client.PostAsJsonAsync($"/api/posts/{id}/comments", new { body = $"@{ada.Handle} my pleasure, and @{bob.Handle} @nobody_at_all" }));
        Assert.Single(await KindsAsync(ada), n => n.GetProperty("kind").GetString() == "mention");
    }

    [Fact]
    public async Task CommentsAndSharesShowAndABlockHidesThePost()
    {
        var (ada, bob, eve) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("eve"));
        var id = (await CreatedAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = "Launch day." }))).GetProperty("id").GetInt64();
        var comment = await CreatedAsync(await bob.Client.PostAsJsonAsync($"/api/posts/{id}/comments", new { body = "Congratulations!" }));
        await CreatedAsync(await ada.Client.PostAsJsonAsync($"/api/posts/{id}/comments", new { body = "Thank you!", replyToId = comment.GetProperty("id").GetInt64() }));
        var share = await CreatedAsync(await bob.Client.PostAsJsonAsync($"/api/posts/{id}/shares", new { comment = "Worth a read" }));
        Assert.Equal("Launch day.", share.GetProperty("shared").GetProperty("body").GetString());

        var post = await ReadAsync(await eve.Client.GetAsync(new Uri($"/api/posts/{id}", UriKind.Relative)));
        Assert.Equal(["Congratulations!", "Thank you!"], post.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("body").GetString()));
        Assert.Equal(comment.GetProperty("id").GetInt64(), post.GetProperty("comments")[1].GetProperty("replyToId").GetInt64());
        Assert.Equal(1, post.GetProperty("shareCount").GetInt32());

        var bobs = await ReadAsync(await eve.Client.GetAsync(new Uri($"/api/members/{bob.Handle}/posts", UriKind.Relative)));
        Assert.Equal("Worth a read", bobs.GetProperty("items")[0].GetProperty("body").GetString());

        await ada.Client.PutAsync(new Uri($"/api/me/blocks/{eve.Handle}", UriKind.Relative), null);
        await AssertProblemAsync(await eve.Client.GetAsync(new Uri($"/api/posts/{id}", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await eve.Client.PostAsJsonAsync($"/api/posts/{id}/comments", new { body = "hm" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await eve.Client.GetAsync(new Uri($"/api/members/{ada.Handle}/posts", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task BadPostsAreRefusedByField()
    {
        var ada = await Api.SignUpAsync("ada");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = "" }), HttpStatusCode.BadRequest, "validation_failed", "body");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = new string('x', 3001) }), HttpStatusCode.BadRequest, "validation_failed", "body");
        var id = (await CreatedAsync(await ada.Client.PostAsJsonAsync("/api/posts", new { body = "ok" }))).GetProperty("id").GetInt64();
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync($"/api/posts/{id}/comments", new { body = "x", replyToId = 999_999 }), HttpStatusCode.BadRequest, "validation_failed", "replyToId");
        await AssertProblemAsync(await ada.Client.PostAsJsonAsync("/api/posts/999999/shares", new { }), HttpStatusCode.NotFound, "not_found");
    }

    private static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadAsync(response);
    }

    private static async Task<JsonElement[]> KindsAsync(TestMember member) =>
        [.. (await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)))).GetProperty("items").EnumerateArray()];
}

public sealed class PostsApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : PostsApiTests<SqliteDatabase>(fixture);

public sealed class PostsApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : PostsApiTests<PostgresDatabase>(fixture);
