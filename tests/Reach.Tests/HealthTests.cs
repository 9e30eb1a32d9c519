using System.Net;

namespace Reach.Tests;

/// <summary>Liveness and readiness: ready only while the database answers; alive while the process does.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task ReadinessFollowsTheDatabaseAndLivenessTheProcess()
    {
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);

        // The database goes away (dropped, its connections ended).
        await database.DisposeAsync();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ASqliteServerIsReady()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db);
        var ready = await host.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
