using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>
/// The inbox people expect: each conversation carries its last message and the member's unread count, stored and
/// exact under concurrent sends; reading a conversation clears it and shows "Seen" to the other side.
/// </summary>
public abstract class ConversationReadTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    [Fact]
    public async Task ListsCarryTheLastMessageAndAnExactUnreadCountThroughConcurrentSendsAndReads()
    {
        var api = fixture.Api;
        var me = await api.SignUpAsync("me", tier: "recruiter"); // takes 300 first messages a month
        var senders = new List<TestMember>();
        for (var i = 0; i < 50; i++)
        {
            senders.Add(await api.SignUpAsync("s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // 50 first messages to one member at once.
        var sent = await Task.WhenAll(senders.Select((sender, i) => SendAsync(sender, me, $"Hello from sender {i}, with a question about the role")));
        Assert.All(sent, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        var requests = await ListAsync(me, "requests");
        Assert.Equal(50, requests.Count);
        foreach (var (sender, i) in senders.Select((sender, i) => (sender, i)))
        {
            var item = requests.Single(c => c.GetProperty("with").GetProperty("handle").GetString() == sender.Handle);
            Assert.Equal(1, item.GetProperty("unreadCount").GetInt32());
            Assert.Equal(sender.Handle, item.GetProperty("lastMessage").GetProperty("fromHandle").GetString());
            Assert.Equal($"Hello from sender {i}, with a question about the role", item.GetProperty("lastMessage").GetProperty("preview").GetString());
        }

        // A reply opens the conversation; then its other side writes five at once.
        var first = senders[0];
        var id = requests.Single(c => c.GetProperty("with").GetProperty("handle").GetString() == first.Handle).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await me.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { body = "Thanks, tell me more." })).StatusCode);
        var mine = await first.Client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}");
        Assert.Equal(1, mine.GetProperty("unreadCount").GetInt32());
        var burst = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => first.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { body = $"Part {i}" })));
        Assert.All(burst, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));

        var inbox = await ListAsync(me, "inbox");
        var conversation = inbox.Single(c => c.GetProperty("id").GetInt64() == id);
        Assert.Equal(5, conversation.GetProperty("unreadCount").GetInt32());
        Assert.Equal(first.Handle, conversation.GetProperty("lastMessage").GetProperty("fromHandle").GetString());
        Assert.Equal(0, (await first.Client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}")).GetProperty("seenUpTo").GetInt64());

        // Reading clears it, and the other side sees its last message seen.
        Assert.Equal(HttpStatusCode.NoContent, (await me.Client.PostAsync(new Uri($"/api/conversations/{id}/read", UriKind.Relative), null)).StatusCode);
        Assert.Equal(0, (await ListAsync(me, "inbox")).Single(c => c.GetProperty("id").GetInt64() == id).GetProperty("unreadCount").GetInt32());
        Assert.Equal(49, (await ListAsync(me, "requests")).Count(c => c.GetProperty("unreadCount").GetInt32() == 1));
        var theirs = await first.Client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}");
        var last = theirs.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal(first.Handle, last.GetProperty("from").GetString());
        Assert.True(theirs.GetProperty("seenUpTo").GetInt64() >= last.GetProperty("id").GetInt64());

        // Not one's own conversation: 404, and nothing changes.
        await AssertProblemAsync(await senders[1].Client.PostAsync(new Uri($"/api/conversations/{id}/read", UriKind.Relative), null), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ReadsAndSendsRacingLeaveNoMessageCountedTwiceOrLost()
    {
        var api = fixture.Api;
        var (ada, bob) = (await api.SignUpAsync("ra"), await api.SignUpAsync("rb"));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(ada, bob, "Hi Bob")).StatusCode);
        var id = (await ListAsync(bob, "requests")).Single().GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await bob.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { body = "Hi Ada" })).StatusCode);

        // Ada writes 20 while Bob reads 20 times; whatever the order, Bob's count is then the messages after his last read.
        var writes = Enumerable.Range(0, 20).Select(i => ada.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { body = $"Note {i}" }));
        var reads = Enumerable.Range(0, 20).Select(_ => bob.Client.PostAsync(new Uri($"/api/conversations/{id}/read", UriKind.Relative), null));
        await Task.WhenAll(writes.Concat(reads));

        var detail = await bob.Client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}");
        var adaAfterRead = await ada.Client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}");
        var readUpTo = adaAfterRead.GetProperty("seenUpTo").GetInt64();
        var unreadByIds = detail.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("from").GetString() == ada.Handle && m.GetProperty("id").GetInt64() > readUpTo);
        Assert.Equal(unreadByIds, detail.GetProperty("unreadCount").GetInt32());
    }

    private static async Task<List<JsonElement>> ListAsync(TestMember member, string folder) =>
        [.. (await member.Client.GetFromJsonAsync<JsonElement>($"/api/conversations?folder={folder}")).GetProperty("items").EnumerateArray()];
}

public sealed class ConversationReadSqliteTests(ApiFixture<SqliteDatabase> fixture) : ConversationReadTests<SqliteDatabase>(fixture);

public sealed class ConversationReadPostgresTests(ApiFixture<PostgresDatabase> fixture) : ConversationReadTests<PostgresDatabase>(fixture);
