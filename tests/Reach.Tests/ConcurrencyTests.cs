using System.Net;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Caps, credits and idempotency hold exactly under many concurrent requests (SPEC §10, §12).</summary>
public abstract class ConcurrencyTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    [Fact]
    public async Task SixtyFourConcurrentColdSendersToOneBasicRecipientDeliverExactlyFifteen()
    {
        var api = fixture.Api;
        var recipient = await api.SignUpAsync("hot");
        var senders = await SignUpManyAsync(api, 64);

        var responses = await Task.WhenAll(senders.Select(sender => SendAsync(sender, recipient)));

        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var locked in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var problem = await AssertProblemAsync(locked, HttpStatusCode.Forbidden, "message_locked");
            Assert.Equal(["monthly_limit_reached"], Strings(problem.GetProperty("reasons")));
        }

        var requests = await ReadAsync(await recipient.Client.GetAsync(new Uri("/api/conversations?folder=requests", UriKind.Relative)));
        Assert.Equal(15, requests.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task OneSenderWithNCreditsFiringThreeNInMailsSpendsExactlyN()
    {
        var api = fixture.Api;
        var sender = await api.SignUpAsync("rich", tier: "premium_business");
        var credits = await BalanceAsync(sender);
        Assert.Equal(15, credits);
        var recipients = await SignUpManyAsync(api, 3 * credits);

        var responses = await Task.WhenAll(recipients.Select(recipient => SendAsync(sender, recipient, inMail: true)));

        Assert.Equal(credits, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var locked in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var problem = await AssertProblemAsync(locked, HttpStatusCode.Forbidden, "message_locked");
            Assert.Equal(["insufficient_credits"], Strings(problem.GetProperty("reasons")));
        }

        var statement = await ReadAsync(await sender.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative)));
        Assert.Equal(0, statement.GetProperty("balance").GetInt32());
        var entries = statement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(credits, entries.Count(e => e.GetProperty("kind").GetString() == "spend"));
        Assert.Equal(0, entries.Sum(e => e.GetProperty("amount").GetInt32()));
    }

    [Fact]
    public async Task ConcurrentSendsWithOneIdempotencyKeyDeliverOnce()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ada"), await api.SignUpAsync("bob"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => SendAsync(ada, bob, body: "Once only", key: "same-key")));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        var bodies = await Task.WhenAll(created.Select(ReadAsync));
        Assert.Single(bodies.Select(b => b.GetProperty("messageId").GetInt64()).Distinct());
        foreach (var busy in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await AssertProblemAsync(busy, HttpStatusCode.Conflict, "idempotency_key_in_flight");
        }

        var conversation = bodies[0].GetProperty("conversationId").GetInt64();
        var detail = await ReadAsync(await bob.Client.GetAsync(new Uri($"/api/conversations/{conversation}", UriKind.Relative)));
        Assert.Equal(1, detail.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task ConcurrentInvitationsStayWithinTheWeeklyLimitAndNeverDuplicate()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ada"), await api.SignUpAsync("bob"));

        // The same invitation twenty times at once, and Bob inviting Ada at the same moment: one connection results.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => (i % 2 == 0 ? ada : bob).Client.PostAsJsonAsync("/api/invitations", new { toHandle = (i % 2 == 0 ? bob : ada).Handle })));

        Assert.DoesNotContain(responses, r => (int)r.StatusCode >= 500);
        var pending = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=sent", UriKind.Relative)));
        var received = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/invitations?box=received", UriKind.Relative)));
        var connections = await ReadAsync(await ada.Client.GetAsync(new Uri("/api/me/connections", UriKind.Relative)));
        var pendingCount = pending.GetProperty("items").GetArrayLength() + received.GetProperty("items").GetArrayLength();
        var connected = connections.GetProperty("items").GetArrayLength();
        Assert.True(pendingCount + connected == 1, $"pending {pendingCount}, connected {connected}");
    }

    internal static async Task<TestMember[]> SignUpManyAsync(Api api, int count)
    {
        var members = new TestMember[count];
        for (var i = 0; i < count; i++)
        {
            members[i] = await api.SignUpAsync("c");
        }

        return members;
    }
}

public sealed class ConcurrencySqliteTests(ApiFixture<SqliteDatabase> fixture) : ConcurrencyTests<SqliteDatabase>(fixture);

public sealed class ConcurrencyPostgresTests(ApiFixture<PostgresDatabase> fixture) : ConcurrencyTests<PostgresDatabase>(fixture);

/// <summary>Three servers on one PostgreSQL database keep every invariant, as several processes would.</summary>
public sealed class MultiHostPostgresTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();
    private readonly List<ReachHost> _hosts = [];
    private readonly List<Api> _apis = [];

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        for (var i = 0; i < 3; i++)
        {
            var host = new ReachHost(_database.Db);
            _hosts.Add(host);
            var api = new Api(host);
            await api.Anonymous.GetAsync(new Uri("/health", UriKind.Relative));
            _apis.Add(api);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ThreeHostsDeliverExactlyTheCapToOneRecipient()
    {
        var recipient = await _apis[0].SignUpAsync("hot");
        var senders = new List<TestMember>();
        for (var i = 0; i < 64; i++)
        {
            senders.Add(await _apis[i % 3].SignUpAsync("c"));
        }

        var responses = await Task.WhenAll(senders.Select(sender => SendAsync(sender, recipient)));

        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Forbidden }));
    }

    [Fact]
    public async Task ThreeHostsSpendExactlyTheCreditsThereAre()
    {
        var sender = await _apis[0].SignUpAsync("rich", tier: "premium_business");
        var clients = _apis.Select(api => api.NewClient()).ToList();
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = sender.Client.DefaultRequestHeaders.Authorization;
        }

        var recipients = new List<TestMember>();
        for (var i = 0; i < 45; i++)
        {
            recipients.Add(await _apis[i % 3].SignUpAsync("r"));
        }

        var responses = await Task.WhenAll(recipients.Select((recipient, i) => SendAsync(sender with { Client = clients[i % 3] }, recipient, inMail: true)));

        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(0, await BalanceAsync(sender));
    }

    [Fact]
    public async Task ANotificationMadeOnOneHostReachesAStreamOnAnother()
    {
        var (ada, bob) = (await _apis[0].SignUpAsync("ada"), await _apis[1].SignUpAsync("bob"));
        var listener = _apis[2].NewClient();
        listener.DefaultRequestHeaders.Authorization = ada.Client.DefaultRequestHeaders.Authorization;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await listener.GetAsync(new Uri("/api/me/notifications/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, guard.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(guard.Token));
        Assert.Equal(0, (await NextEventAsync(reader, guard.Token)).GetProperty("unreadCount").GetInt32());

        // Bob writes through host 1; Ada's stream is open on host 2.
        var sendClient = _apis[1].NewClient();
        sendClient.DefaultRequestHeaders.Authorization = bob.Client.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(bob with { Client = sendClient }, ada)).StatusCode);

        var pushed = await NextEventAsync(reader, guard.Token);
        Assert.Equal(1, pushed.GetProperty("unreadCount").GetInt32());
        Assert.Equal(bob.Handle, pushed.GetProperty("latest").GetProperty("actorHandle").GetString());
    }

    [Fact]
    public async Task ThreeHostsDeliverOneIdempotentSendOnce()
    {
        var (ada, bob) = (await _apis[0].SignUpAsync("ada"), await _apis[1].SignUpAsync("bob"));
        var clients = _apis.Select(api => api.NewClient()).ToList();
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = ada.Client.DefaultRequestHeaders.Authorization;
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => SendAsync(ada with { Client = clients[i % 3] }, bob, key: "k")));

        var ids = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(async r => (await ReadAsync(r)).GetProperty("messageId").GetInt64()));
        Assert.Single(ids.Distinct());
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
    }
}
