using System.Net;

namespace Reach.Tests;

/// <summary>
/// Tokens are signed and encrypted with keys kept in Reach's database (docs/SECURITY.md): a token made by a server on
/// one database is refused by a server on another, even where both have a member of the same id, and taken by every
/// server on the same database.
/// </summary>
public sealed class KeysPerDatabaseTests
{
    [Fact]
    public async Task ATokenOfAnotherDatabaseIsRefused()
    {
        await using var firstDatabase = new SqliteDatabase();
        await using var secondDatabase = new SqliteDatabase();
        await firstDatabase.InitializeAsync();
        await secondDatabase.InitializeAsync();
        await using var first = new ReachHost(firstDatabase.Db);
        await using var second = new ReachHost(secondDatabase.Db);

        // Both are member 1 of their own database.
        var owner = await new Api(first).SignUpAsync("owner");
        var stranger = await new Api(second).SignUpAsync("stranger");

        var replayed = first.CreateClient();
        replayed.DefaultRequestHeaders.Authorization = stranger.Client.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Unauthorized, (await replayed.GetAsync(new Uri("/api/me/profile", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replayed.GetAsync(new Uri("/api/conversations", UriKind.Relative))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync(new Uri("/api/me/profile", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.Client.GetAsync(new Uri("/api/me/profile", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task EveryServerOnOneDatabaseTakesTheOthersTokens()
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var first = new ReachHost(database.Db);
        var ada = await new Api(first).SignUpAsync("ada");

        // The second server starts after the first made its key, signs its own member in, and each takes both tokens.
        await using var second = new ReachHost(database.Db);
        var bob = await new Api(second).SignUpAsync("bob");
        foreach (var host in new[] { first, second })
        {
            foreach (var member in new[] { ada, bob })
            {
                var client = host.CreateClient();
                client.DefaultRequestHeaders.Authorization = member.Client.DefaultRequestHeaders.Authorization;
                var profile = await client.GetAsync(new Uri("/api/me/profile", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
                Assert.Contains(member.Handle, await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }
}
