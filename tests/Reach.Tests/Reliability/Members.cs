using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reach.Tests.Reliability;

/// <summary>A member of a running server, signed in: their handle and a client that sends their bearer token.</summary>
public sealed record Member(string Handle, HttpClient Http)
{
    /// <summary>Registers a member with a handle made of <paramref name="prefix"/> and signs them in.</summary>
    public static async Task<Member> SignUpAsync(Uri server, string prefix)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..24];
        var email = handle + "@example.com";
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, handle, displayName = "Member " + handle })).StatusCode);
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { email, password = Api.Password })).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return new Member(handle, http);
    }

    /// <summary>Moves the member to <paramref name="tier"/> by the admin API (the running server's admin key).</summary>
    public async Task SetTierAsync(string tier)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/members/{Handle}/tier") { Content = JsonContent.Create(new { tier }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(request)).StatusCode);
    }
}
