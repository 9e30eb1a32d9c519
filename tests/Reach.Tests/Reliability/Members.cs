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
        var (status, member) = await TrySignUpAsync(server, prefix);
        Assert.True(member is not null, $"a sign-up answered {(int)status}");
        return member;
    }

    /// <summary>
    /// Like <see cref="SignUpAsync"/>, on a server started with a short <c>--request-timeout</c>: a sign-up that ran
    /// past it (a cold server's first requests, compiled on first use on a busy machine) answers 503 and is tried again
    /// under a new handle, up to five times.
    /// </summary>
    public static async Task<Member> SignUpPatientlyAsync(Uri server, string prefix)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (status, member) = await TrySignUpAsync(server, prefix);
            if (member is not null)
            {
                return member;
            }

            Assert.True(status == HttpStatusCode.ServiceUnavailable && attempt < 5, $"a sign-up answered {(int)status} (attempt {attempt})");
        }
    }

    private static async Task<(HttpStatusCode Status, Member? Member)> TrySignUpAsync(Uri server, string prefix)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var handle = $"{prefix}_{Guid.NewGuid():N}"[..24];
        var email = handle + "@example.com";
        var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, handle, displayName = "Member " + handle });
        if (register.StatusCode != HttpStatusCode.Created)
        {
            http.Dispose();
            return (register.StatusCode, null);
        }

        var answer = await http.PostAsJsonAsync("/api/auth/token", new { email, password = Api.Password });
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            http.Dispose();
            return (answer.StatusCode, null);
        }

        var token = await answer.Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return (HttpStatusCode.OK, new Member(handle, http));
    }

    /// <summary>Moves the member to <paramref name="tier"/> by the admin API (the running server's admin key).</summary>
    public async Task SetTierAsync(string tier)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/members/{Handle}/tier") { Content = JsonContent.Create(new { tier }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(request)).StatusCode);
    }
}
