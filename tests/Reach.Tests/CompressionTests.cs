using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Reach.Tests;

/// <summary>Pages, JSON and static files are compressed for a client that asks; the live stream never is.</summary>
public sealed class CompressionTests
{
    [Fact]
    public async Task WhatTheClientAcceptsIsUsedAndTheStreamStaysPlain()
    {
        await using var database = new SqliteDatabase();
        await database.InitializeAsync();
        await using var host = new ReachHost(database.Db);
        var ada = await new Api(host).SignUpAsync("gz");
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        async Task<HttpResponseMessage> Get(string path, string encoding, string? token = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (encoding.Length > 0)
            {
                request.Headers.AcceptEncoding.ParseAdd(encoding);
            }
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }

        var token = ada.Client.DefaultRequestHeaders.Authorization!.Parameter;
        var json = await Get("/api/me/profile", "br, gzip", token);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(["br"], json.Content.Headers.ContentEncoding);
        var page = await Get("/signin", "gzip");
        Assert.Equal(["gzip"], page.Content.Headers.ContentEncoding);
        var style = await Get(Reach.Server.Web.Assets.Versioned("/css/site.css"), "gzip");
        Assert.Equal(["gzip"], style.Content.Headers.ContentEncoding);
        Assert.Empty((await Get("/signin", string.Empty)).Content.Headers.ContentEncoding);

        using var stream = await Get("/api/me/notifications/stream", "br, gzip", token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.All(stream.Content.Headers.ContentEncoding, encoding => Assert.Equal("identity", encoding));
    }
}
