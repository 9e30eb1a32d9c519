using System.Net;
using System.Net.Http.Json;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>Advanced search (SPEC §4): words, filters, sorts, paging, blocks, and "I can message now" as the pre-flight decides.</summary>
public abstract class SearchApiTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task WordsAndFiltersNarrowTheResults()
    {
        var tag = "z" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        var ada = await Api.SignUpAsync("ada");
        var bob = await Api.SignUpAsync("bob", tier: "premium_business");
        var cy = await Api.SignUpAsync("cy");
        await ada.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Compiler engineer {tag}", company = "Analytical", openToWork = true });
        await bob.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Compiler lead {tag}", company = "Difference" });
        await cy.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Designer {tag}" });
        await ConnectAsync(ada, cy);

        Assert.Equal([ada.Handle, bob.Handle, cy.Handle], (await SearchAsync(me, $"q={tag}")).Order(StringComparer.Ordinal));
        Assert.Equal([ada.Handle, bob.Handle], (await SearchAsync(me, $"q=compiler+{tag}")).Order(StringComparer.Ordinal));
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}+analytical"));
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}&openToWork=true"));
        Assert.Equal([bob.Handle], await SearchAsync(me, $"q={tag}&premium=true"));
        Assert.Equal([ada.Handle, cy.Handle], (await SearchAsync(me, $"q={tag}&premium=false")).Order(StringComparer.Ordinal));
        Assert.Equal([ada.Handle, cy.Handle], (await SearchAsync(me, $"q={tag}&minConnections=1")).Order(StringComparer.Ordinal));

        await cy.Client.PutAsync(new Uri($"/api/me/blocks/{me.Handle}", UriKind.Relative), null);
        Assert.DoesNotContain(cy.Handle, await SearchAsync(me, $"q={tag}"));
    }

    [Fact]
    public async Task ReceptiveSortPutsTheHighestScoreFirst()
    {
        var tag = "y" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        var low = await Api.SignUpAsync("low");
        var high = await Api.SignUpAsync("high", tier: "sales_navigator");
        var mid = await Api.SignUpAsync("mid");
        await low.Client.PatchAsJsonAsync("/api/me/profile", new { company = tag });
        await high.Client.PatchAsJsonAsync("/api/me/profile", new { headline = "Open to ideas", company = tag, openToWork = true });
        await mid.Client.PatchAsJsonAsync("/api/me/profile", new { headline = "Engineer", company = tag });

        Assert.Equal([high.Handle, mid.Handle, low.Handle], await SearchAsync(me, $"q={tag}&sort=receptive"));
        var hit = (await ReadAsync(await me.Client.GetAsync(new Uri($"/api/search/members?q={tag}&sort=receptive", UriKind.Relative)))).GetProperty("items")[0];
        var profile = await ReadAsync(await me.Client.GetAsync(new Uri($"/api/members/{high.Handle}", UriKind.Relative)));
        Assert.Equal(profile.GetProperty("hints").GetProperty("score").GetInt32(), hit.GetProperty("receptiveness").GetInt32());
    }

    [Fact]
    public async Task ICanMessageNowAgreesWithThePreflight()
    {
        var tag = "x" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        var members = new List<TestMember>();
        object[] settings =
        [
            new { whoCanMessage = "anyone", acceptInMail = true },
            new { whoCanMessage = "connections", acceptInMail = true },
            new { whoCanMessage = "knownContacts", acceptInMail = true },
        ];
        for (var i = 0; i < 9; i++)
        {
            var member = await Api.SignUpAsync("m", tier: i % 4 == 3 ? "premium_business" : null, settings: settings[i % 3]);
            await member.Client.PatchAsJsonAsync("/api/me/profile", new { company = tag });
            members.Add(member);
        }

        await ConnectAsync(me, members[1]);
        await members[4].Client.PutAsync(new Uri($"/api/me/blocks/{me.Handle}", UriKind.Relative), null);

        var expected = new List<string>();
        foreach (var member in members)
        {
            var decision = await ReadAsync(await me.Client.GetAsync(new Uri($"/api/reach/{member.Handle}", UriKind.Relative)));
            if (decision.GetProperty("allowed").GetBoolean())
            {
                expected.Add(member.Handle);
            }
        }

        Assert.NotEmpty(expected);
        Assert.NotEqual(members.Count, expected.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await SearchAsync(me, $"q={tag}&reachable=true")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PagesFollowOneAnotherAndBadValuesAreRefusedByField()
    {
        var tag = "w" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        for (var i = 0; i < 23; i++)
        {
            var member = await Api.SignUpAsync("p");
            await member.Client.PatchAsJsonAsync("/api/me/profile", new { company = tag });
        }

        var first = await ReadAsync(await me.Client.GetAsync(new Uri($"/api/search/members?q={tag}", UriKind.Relative)));
        Assert.Equal(20, first.GetProperty("items").GetArrayLength());
        Assert.Equal("1", first.GetProperty("next").GetString());
        var second = await ReadAsync(await me.Client.GetAsync(new Uri($"/api/search/members?q={tag}&page=1", UriKind.Relative)));
        Assert.Equal(3, second.GetProperty("items").GetArrayLength());
        Assert.False(second.TryGetProperty("next", out _));

        foreach (var (query, field) in new[] { ("openToWork=yes", "openToWork"), ("minConnections=many", "minConnections"), ("premium=1", "premium"), ("reachable=maybe", "reachable"), ("sort=newest", "sort"), ("page=-1", "page"), ("q=" + new string('q', 101), "q") })
        {
            await AssertProblemAsync(await me.Client.GetAsync(new Uri($"/api/search/members?{query}", UriKind.Relative)), HttpStatusCode.BadRequest, "validation_failed", field);
        }
    }

    [Fact]
    public async Task SearchFollowsEveryChangeOfAMember()
    {
        var tag = "v" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        var ada = await Api.SignUpAsync("ada");
        var friend = await Api.SignUpAsync("friend");
        await ada.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Engineer {tag}" });

        Assert.Empty(await SearchAsync(me, $"q={tag}&minConnections=1"));
        await ConnectAsync(ada, friend);
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}&minConnections=1"));
        Assert.Equal(HttpStatusCode.NoContent, (await ada.Client.DeleteAsync(new Uri($"/api/me/connections/{friend.Handle}", UriKind.Relative))).StatusCode);
        Assert.Empty(await SearchAsync(me, $"q={tag}&minConnections=1"));

        Assert.Empty(await SearchAsync(me, $"q={tag}&premium=true"));
        await Api.SetTierAsync(ada.Handle, "premium_business");
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}&premium=true"));

        Assert.Empty(await SearchAsync(me, $"q={tag}&openToWork=true"));
        await ada.Client.PatchAsJsonAsync("/api/me/profile", new { openToWork = true });
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}&openToWork=true"));

        await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "deactivated" });
        Assert.Empty(await SearchAsync(me, $"q={tag}"));
        await Api.Admin.PutAsJsonAsync($"/api/admin/members/{ada.Handle}/status", new { status = "active" });
        Assert.Equal([ada.Handle], await SearchAsync(me, $"q={tag}"));

        var hit = (await ReadAsync(await me.Client.GetAsync(new Uri($"/api/search/members?q={tag}", UriKind.Relative)))).GetProperty("items")[0];
        var profile = await ReadAsync(await me.Client.GetAsync(new Uri($"/api/members/{ada.Handle}", UriKind.Relative)));
        Assert.Equal(profile.GetProperty("hints").GetProperty("score").GetInt32(), hit.GetProperty("receptiveness").GetInt32());
    }

    [Fact]
    public async Task RelevancePutsMembersWhoseNameStartsWithTheWordFirst()
    {
        var tag = "u" + Guid.NewGuid().ToString("N")[..6];
        var me = await Api.SignUpAsync("me");
        var receptive = await Api.SignUpAsync("rec", tier: "sales_navigator");
        var named = await Api.SignUpAsync("named");
        var twice = await Api.SignUpAsync("twice");
        await receptive.Client.PatchAsJsonAsync("/api/me/profile", new { headline = $"Works with {tag}", openToWork = true });
        await named.Client.PatchAsJsonAsync("/api/me/profile", new { displayName = $"{tag} Named" });
        await twice.Client.PatchAsJsonAsync("/api/me/profile", new { displayName = $"{tag}a Twice", headline = $"{tag}b {tag}c" });

        // "twice" matches three of its words and is listed once.
        var byRelevance = await SearchAsync(me, $"q={tag}");
        Assert.Equal([named.Handle, twice.Handle], byRelevance.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal([receptive.Handle], byRelevance.Skip(2));
        Assert.Equal([receptive.Handle], (await SearchAsync(me, $"q={tag}&sort=receptive")).Take(1));
        Assert.Equal(3, (await SearchAsync(me, $"q={tag}&sort=receptive")).Length);
    }

    private static async Task ConnectAsync(TestMember a, TestMember b)
    {
        var invitation = await ReadAsync(await a.Client.PostAsJsonAsync("/api/invitations", new { toHandle = b.Handle }));
        Assert.Equal(HttpStatusCode.OK, (await b.Client.PostAsync(new Uri($"/api/invitations/{invitation.GetProperty("id").GetInt64()}/accept", UriKind.Relative), null)).StatusCode);
    }

    private static async Task<string[]> SearchAsync(TestMember me, string query)
    {
        var response = await me.Client.GetAsync(new Uri($"/api/search/members?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await ReadAsync(response)).GetProperty("items").EnumerateArray().Select(hit => hit.GetProperty("member").GetProperty("handle").GetString()!)];
    }
}

public sealed class SearchApiSqliteTests(ApiFixture<SqliteDatabase> fixture) : SearchApiTests<SqliteDatabase>(fixture);

public sealed class SearchApiPostgresTests(ApiFixture<PostgresDatabase> fixture) : SearchApiTests<PostgresDatabase>(fixture);
