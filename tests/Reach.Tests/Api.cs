using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reach.Tests;

/// <summary>A host on a fresh database, shared by the tests of one class (they run one after another).</summary>
public sealed class ApiFixture<TDatabase> : IAsyncLifetime where TDatabase : Database, new()
{
    public TDatabase Database { get; } = new();

    public ReachHost Host { get; private set; } = null!;

    public Api Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = new ReachHost(Database.Db);
        Api = new Api(Host);
        await Api.Anonymous.GetAsync(new Uri("/health", UriKind.Relative));
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

/// <summary>A signed-up member and an HTTP client that carries their bearer token.</summary>
public sealed record TestMember(string Handle, string Email, HttpClient Client);

/// <summary>Calls on a Reach host the way a client would.</summary>
public sealed class Api(ReachHost host)
{
    public const string Password = "correct horse battery";

    public HttpClient Anonymous { get; } = host.CreateClient();

    public HttpClient Admin { get; } = WithBearer(host.CreateClient(), ReachHost.AdminKey);

    public static JsonSerializerOptions Json => JsonSerializerOptions.Web;

    public HttpClient NewClient() => host.CreateClient();

    public async Task<TestMember> SignUpAsync(string prefix = "m", string? tier = null, object? settings = null)
    {
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..24];
        var email = $"{handle}@example.com";
        var register = await Anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = Password, handle, displayName = "Member " + handle });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var token = await Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var member = new TestMember(handle, email, WithBearer(host.CreateClient(), accessToken));
        if (tier is not null)
        {
            await SetTierAsync(handle, tier);
        }

        if (settings is not null)
        {
            var put = await member.Client.PutAsJsonAsync("/api/me/settings", settings);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        return member;
    }

    /// <summary>A client signed in again as the member with <paramref name="email"/> (a new token).</summary>
    public async Task<HttpClient> SignInAsync(string email)
    {
        var token = await Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        return WithBearer(host.CreateClient(), (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }

    public async Task SetTierAsync(string handle, string tier)
    {
        var response = await Admin.PutAsJsonAsync($"/api/admin/members/{handle}/tier", new { tier });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task SetClockAsync(DateTimeOffset now)
    {
        var response = await Admin.PutAsJsonAsync("/api/admin/clock", new { now });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task GrantCreditsAsync(string handle, int amount)
    {
        var response = await Admin.PostAsJsonAsync($"/api/admin/members/{handle}/credits", new { amount, note = "test" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<HttpResponseMessage> SendAsync(TestMember from, TestMember to, string body = "Hello there", bool inMail = false, string? email = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = JsonContent.Create(new { toHandle = to.Handle, body, inMail, recipientEmail = email }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await from.Client.SendAsync(request);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<int> BalanceAsync(TestMember member) =>
        (await ReadAsync(await member.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative)))).GetProperty("balance").GetInt32();

    /// <summary>Asserts a problem with this status and code, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }

        return problem;
    }

    /// <summary>Reads a server-sent event stream up to its next <c>data:</c> line.</summary>
    public static async Task<JsonElement> NextEventAsync(StreamReader reader, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize<JsonElement>(line["data: ".Length..]);
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    public static string[] RemedyCodes(JsonElement decision) =>
        [.. decision.GetProperty("remedies").EnumerateArray().Select(r => r.GetProperty("code").GetString()!)];

    private static HttpClient WithBearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
