using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Reach.Demo;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>A host started with <c>--demo</c> on a fresh database of its own.</summary>
public sealed class DemoFixture<TDatabase> : IAsyncLifetime where TDatabase : Database, new()
{
    public TDatabase Database { get; } = new();

    public ReachHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = new ReachHost(Database.Db, new Dictionary<string, string> { ["demo"] = "true" });
        await Host.CreateClient().GetAsync(new Uri("/health", UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>The demo network (SPEC §10 <c>--demo</c>): the newcomer meets every kind of lock, on both databases.</summary>
public abstract class DemoNetworkApiTests<TDatabase>(DemoFixture<TDatabase> fixture) : IClassFixture<DemoFixture<TDatabase>>
    where TDatabase : Database, new()
{
    [Fact]
    public async Task TheNewcomerMeetsEveryKindOfLock()
    {
        var alex = await SignInAsync(DemoNetwork.Newcomer);
        var expected = new Dictionary<string, string>
        {
            ["grace"] = "connections_only",
            ["ada"] = "known_contacts_only",
            ["linus"] = "monthly_limit_reached",
            ["margaret"] = "premium_required",
            ["frances"] = "awaiting_reply",
            ["ken"] = "unavailable",
        };
        foreach (var (handle, reason) in expected)
        {
            var decision = await ReadAsync(await alex.GetAsync(new Uri($"/api/reach/{handle}", UriKind.Relative)));
            Assert.False(decision.GetProperty("allowed").GetBoolean(), handle);
            Assert.Equal([reason], Strings(decision.GetProperty("reasons")));
        }

        var sam = await SignInAsync("sam");
        var inMail = await ReadAsync(await sam.GetAsync(new Uri("/api/reach/tim?inMail=true", UriKind.Relative)));
        Assert.Equal("inMail", inMail.GetProperty("channel").GetString());
        Assert.Equal(49, (await ReadAsync(await sam.GetAsync(new Uri("/api/me/credits", UriKind.Relative)))).GetProperty("balance").GetInt32());
    }

    [Fact]
    public async Task ASecondStartSeedsNothing()
    {
        var alex = await SignInAsync(DemoNetwork.Newcomer);
        var before = await ReadAsync(await alex.GetAsync(new Uri("/api/conversations?folder=inbox", UriKind.Relative)));
        using var output = new StringWriter();
        await DemoNetwork.SeedAsync(fixture.Host.Services, output, cancel: TestContext.Current.CancellationToken);
        Assert.Contains("nothing was seeded", output.ToString(), StringComparison.Ordinal);
        var after = await ReadAsync(await alex.GetAsync(new Uri("/api/conversations?folder=inbox", UriKind.Relative)));
        Assert.Equal(before.GetProperty("items").GetArrayLength(), after.GetProperty("items").GetArrayLength());
    }

    private async Task<HttpClient> SignInAsync(string handle)
    {
        var client = fixture.Host.CreateClient();
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email = $"{handle}@{DemoNetwork.Domain}", password = DemoNetwork.Password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await ReadAsync(token)).GetProperty("accessToken").GetString());
        return client;
    }
}

public sealed class DemoNetworkApiSqliteTests(DemoFixture<SqliteDatabase> fixture) : DemoNetworkApiTests<SqliteDatabase>(fixture);

public sealed class DemoNetworkApiPostgresTests(DemoFixture<PostgresDatabase> fixture) : DemoNetworkApiTests<PostgresDatabase>(fixture);

/// <summary>The demo seed says how far it is (the server shows it as a progress bar on a terminal).</summary>
public sealed class DemoSeedProgressTests
{
    [Fact]
    public async Task TheSeedReportsItsProgressFromZeroToOne()
    {
        var database = new SqliteDatabase();
        await database.InitializeAsync();
        try
        {
            await using var host = new ReachHost(database.Db);
            await host.CreateClient().GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
            var parts = new Recorded();
            using var output = new StringWriter();
            await DemoNetwork.SeedAsync(host.Services, output, parts, TestContext.Current.CancellationToken);

            Assert.Equal(0, parts.Values[0]);
            Assert.Equal(1, parts.Values[^1]);
            Assert.True(parts.Values.Count > 20, $"{parts.Values.Count} reports");
            Assert.Equal(parts.Values.Order(), parts.Values);
            Assert.Contains("seeded", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    // Reports kept as they come (Progress<T> would post them to the thread pool, out of order).
    private sealed class Recorded : IProgress<double>
    {
        public List<double> Values { get; } = [];

        public void Report(double value) => Values.Add(value);
    }
}
