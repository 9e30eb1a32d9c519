using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using static Reach.Tests.Api;

namespace Reach.Tests.Reliability;

/// <summary>
/// Fuzzing (issue: reliability suite): requests to every endpoint the server maps, API and pages, with hostile paths,
/// query strings, bodies and credentials, drawn from a seeded generator. No answer is a 5xx, and a request refused as
/// bad input (400, 401, 404, 405, 413, 415) changes nothing in the database. The count is <c>REACH_FUZZ_REQUESTS</c>
/// (CI runs the short form); <c>REACH_FUZZ_SEED</c> replays a run.
/// </summary>
public abstract class FuzzTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private static readonly HttpStatusCode[] Refusals =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed,
        HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType,
    ];

    private static readonly string[] Fields =
    [
        "toHandle", "body", "inMail", "subject", "recipientEmail", "email", "password", "handle", "displayName", "headline",
        "company", "photoUrl", "openToWork", "whoCanMessage", "acceptInMail", "openProfile", "emails", "note", "reason",
        "messageId", "tier", "status", "until", "amount", "now", "text", "comment", "ids", "senderId", "tierId", "id",
        "creditBalance", "memberId", "authorId", "kind", "channel",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "a", "ada", "' OR 1=1 --", "Robert'); DROP TABLE \"Members\";--", "<script>alert(1)</script>", "../../etc/passwd",
        "%00", "\u0000", "\uD800", "\uDFFF", "\u202E\u202Dreversed", "😀👩‍👩‍👧‍👦", "e\u0301\u0301\u0301", "\uFEFF", "null", "true", "-1",
        "9223372036854775808", "1e309", "NaN", "anyone", "connections", "knownContacts", "premium_business", "recruiter",
        "deactivated", "active", "2026-13-45", "2026-12-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "a@b.co", "x@example.com", "{{handle}}", "{{victim}}",
        "$(rm -rf /)", "${jndi:ldap://x}", "\\\"", "\r\nSet-Cookie: x=y",
    ];

    private static readonly string[] RawBodies =
    [
        "", "null", "[]", "{}", "{", "}", "[{]", "{\"a\":", "\"text\"", "42", "-0", "1e999", "{\"body\":\"x\"", "{\"a\":1,\"a\":2}",
        "\u0000", "{\"toHandle\":\"\uD800\"}", "<xml/>", "toHandle=x&body=y",
    ];

    // A valid body for each endpoint that takes one: the fuzzer sends it as is, or with one field dropped or made
    // hostile, so that near misses reach the validation of every field (and a partial write would show).
    private static readonly Dictionary<string, Func<string, string, Dictionary<string, object?>>> Templates = new()
    {
        ["/api/auth/register"] = (_, _) => new() { ["email"] = $"fz{Guid.NewGuid():N}@example.com"[..30], ["password"] = Password, ["handle"] = $"fz_{Guid.NewGuid():N}"[..20], ["displayName"] = "Fuzz", ["headline"] = "Tester" },
        ["/api/auth/token"] = (own, _) => new() { ["email"] = own + "@example.com", ["password"] = Password },
        ["/api/me/profile"] = (_, _) => new() { ["displayName"] = "Fuzz Member", ["headline"] = "Fuzzing", ["company"] = "Reach", ["photoUrl"] = "https://example.com/p.png", ["openToWork"] = true },
        ["/api/me/settings"] = (_, _) => new() { ["whoCanMessage"] = "anyone", ["acceptInMail"] = true, ["openProfile"] = false },
        ["/api/me/address-book"] = (_, _) => new() { ["emails"] = new[] { "someone@example.com" } },
        ["/api/me/notifications/read"] = (_, _) => new() { ["ids"] = new[] { 1L, 2L } },
        ["/api/messages"] = (_, victim) => new() { ["toHandle"] = victim, ["body"] = "Hello from the fuzzer", ["subject"] = "Hi", ["inMail"] = false, ["recipientEmail"] = null },
        ["/api/conversations/{id:long}/messages"] = (_, _) => new() { ["body"] = "A reply" },
        ["/api/invitations"] = (_, victim) => new() { ["toHandle"] = victim, ["note"] = "Let us connect" },
        ["/api/reports"] = (_, _) => new() { ["messageId"] = 1, ["invitationId"] = null, ["reason"] = "spam" },
        ["/api/posts"] = (_, _) => new() { ["body"] = "A post by the fuzzer" },
        ["/api/posts/{id:long}/comments"] = (_, _) => new() { ["body"] = "A comment", ["replyToId"] = null },
        ["/api/posts/{id:long}/shares"] = (_, _) => new() { ["comment"] = "Worth reading" },
        ["/api/admin/members/{handle}/tier"] = (_, _) => new() { ["tier"] = "recruiter" },
        ["/api/admin/members/{handle}/status"] = (_, _) => new() { ["status"] = "restricted", ["until"] = "2030-01-01T00:00:00Z" },
        ["/api/admin/members/{handle}/credits"] = (_, _) => new() { ["amount"] = 5, ["note"] = "fuzz" },
    };

    private static readonly string[] QueryKeys = ["q", "page", "folder", "box", "inMail", "recipientEmail", "sort", "reachable", "premium", "openToWork", "minConnections", "sender", "recipient", "from", "to", "explain", "after", "handler"];

    private Api Api => fixture.Api;

    [Fact]
    public async Task NoRequestGetsA5xxAndNoRefusedRequestChangesAnything()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("REACH_FUZZ_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 1_500;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REACH_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var random = new Random(seed);

        var fuzzer = await Api.SignUpAsync("fz");
        var victim = await Api.SignUpAsync("vi");
        var other = await Api.SignUpAsync("ot");
        var ids = await VictimObjectsAsync(victim, other);
        var anonymous = Api.NewClient();
        var wrongAdmin = Api.NewClient();
        wrongAdmin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-admin-key-000000");

        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Pattern: endpoint.RoutePattern.RawText ?? "/", Methods: endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET", "POST"]))
            .ToList();
        Assert.True(routes.Count > 40, $"only {routes.Count} endpoints found");
        var writable = routes.Where(r => Templates.ContainsKey(r.Pattern.TrimEnd('/')) && r.Methods.Any(m => m is "POST" or "PUT" or "PATCH")).ToList();
        Assert.Equal(Templates.Count, writable.Select(r => r.Pattern.TrimEnd('/')).Distinct().Count());

        var failures = new List<string>();
        var (signedInAgain, replaced) = (0, 0);
        var before = await FingerprintAsync();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < count && failures.Count < 20; i++)
        {
            // Four in ten requests go to an endpoint that takes a body, mostly as the member and near its valid form.
            var (pattern, methods) = random.Next(10) < 4 ? Pick(random, writable) : routes[random.Next(routes.Count)];
            var method = random.Next(10) == 0 ? Pick(random, ["GET", "POST", "PUT", "PATCH", "DELETE"]) : Pick(random, methods);
            var path = Fill(random, pattern, fuzzer.Handle, victim.Handle, ids) + Query(random, victim.Handle);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is not "GET" and not "DELETE" || random.Next(5) == 0)
            {
                request.Content = Body(random, pattern, fuzzer.Handle, victim.Handle);
            }

            HttpClient[] clients = [fuzzer.Client, fuzzer.Client, fuzzer.Client, anonymous, wrongAdmin, Api.Admin];
            var client = pattern.StartsWith("/api/admin", StringComparison.Ordinal) && random.Next(2) == 0 ? Api.Admin
                : random.Next(2) == 0 ? fuzzer.Client : Pick(random, clients);
            HttpResponseMessage response;
            try
            {
                // Headers only: a live stream (server-sent events) answers 200 and never ends; closing it is enough.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                response.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or UriFormatException or HttpRequestException)
            {
                continue; // the client refused to send it: nothing reached the server
            }

            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            var after = await FingerprintAsync();
            // The body as sent (UTF-8 whatever charset the request names: the fuzzer also names ones .NET cannot read).
            var what = $"{method} {Short(path)} {Short(request.Content is null ? string.Empty : Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync()))}";
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{what} → {(int)response.StatusCode}");
            }
            else if (Refusals.Contains(response.StatusCode) && after != before)
            {
                failures.Add($"{what} → {(int)response.StatusCode} changed the database: {Diff(before, after)}");
            }

            before = after;

            // The fuzzer's own requests can end its session (a sign-out everywhere, the clock moved past its token) or
            // its account (deactivated, locked out): it then signs in again, or signs up anew, so that the rest of the
            // run still reaches the handlers as a member and not only their 401. Either can be refused by the sign-in
            // limit; the next 401 tries again.
            if (client == fuzzer.Client && response.StatusCode == HttpStatusCode.Unauthorized
                && (await fuzzer.Client.GetAsync(new Uri("/api/me/credits", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized)
            {
                if (await TokenAsync(fuzzer.Email) is { } token)
                {
                    fuzzer.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                    signedInAgain++;
                }
                else
                {
                    var handle = $"fz_{Guid.NewGuid():N}"[..24];
                    var register = await Api.Anonymous.PostAsJsonAsync("/api/auth/register", new { email = $"{handle}@example.com", password = Password, handle, displayName = "Fuzz" });
                    if (register.StatusCode == HttpStatusCode.Created && await TokenAsync($"{handle}@example.com") is { } fresh)
                    {
                        fuzzer = new TestMember(handle, $"{handle}@example.com", Api.NewClient());
                        fuzzer.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fresh);
                        replaced++;
                    }
                }

                before = await FingerprintAsync();
            }
        }

        Report.Line($"fuzz {typeof(TDatabase).Name}: {count} requests, seed {seed}, {failures.Count} failures; answers {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}"))}; the fuzzer signed in again {signedInAgain} times and signed up anew {replaced} times");
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join('\n', failures));
        Assert.True(statuses.Keys.Any(code => code < 300) && statuses.Keys.Count(code => code >= 400) > 2, $"seed {seed}: answers {string.Join(", ", statuses)}");
    }

    // A new access token for the member with <paramref name="email"/>, or null when sign-in is refused.
    private async Task<string?> TokenAsync(string email)
    {
        var token = await Api.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        return token.StatusCode == HttpStatusCode.OK ? (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString() : null;
    }

    // Objects of the victim the fuzzer should never reach: a conversation, an invitation, a post, a notification.
    private static async Task<Dictionary<string, long>> VictimObjectsAsync(TestMember victim, TestMember other)
    {
        var sent = await ReadAsync(await SendAsync(victim, other, "A conversation the fuzzer is not in"));
        var invitation = await ReadAsync(await other.Client.PostAsJsonAsync("/api/invitations", new { toHandle = victim.Handle }));
        var post = await ReadAsync(await victim.Client.PostAsJsonAsync("/api/posts", new { body = "A post by the victim" }));
        var notifications = await ReadAsync(await victim.Client.GetAsync(new Uri("/api/me/notifications", UriKind.Relative)));
        return new Dictionary<string, long>
        {
            ["conversation"] = sent.GetProperty("conversationId").GetInt64(),
            ["invitation"] = invitation.GetProperty("id").GetInt64(),
            ["post"] = post.GetProperty("id").GetInt64(),
            ["notification"] = notifications.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64()).FirstOrDefault(),
        };
    }

    private static string Fill(Random random, string pattern, string own, string victim, Dictionary<string, long> ids)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.Trim('/').Split('/'))
        {
            path.Append('/');
            if (!segment.StartsWith('{'))
            {
                path.Append(segment);
                continue;
            }

            var value = segment.Contains("id", StringComparison.OrdinalIgnoreCase) && random.Next(4) > 0
                ? Pick(random, [.. ids.Values.Select(id => id.ToString(CultureInfo.InvariantCulture)), "0", "-1", "9223372036854775807", "99999999999999999999", "1.5", "abc", random.Next(1, 500).ToString(CultureInfo.InvariantCulture)])
                : Pick(random, [own, victim, victim.ToUpperInvariant(), "nobody_here", Uri.EscapeDataString(Pick(random, Strings)), new string('h', random.Next(1, 3000)), "%2F", "..", "%", "%ZZ"]);
            path.Append(value);
        }

        return path.ToString();
    }

    private static string Query(Random random, string victim)
    {
        if (random.Next(3) == 0)
        {
            return string.Empty;
        }

        var parts = Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => $"{Pick(random, QueryKeys)}={Uri.EscapeDataString(Pick(random, [.. Strings, victim, "1", "0", "true", "99999999999"]).Replace("{{victim}}", victim, StringComparison.Ordinal))}");
        return "?" + string.Join('&', parts);
    }

    private static StringContent Body(Random random, string pattern, string own, string victim)
    {
        string text;
        if (Templates.TryGetValue(pattern.TrimEnd('/'), out var template) && random.Next(3) > 0)
        {
            var body = template(own, victim);
            var field = Pick(random, [.. body.Keys]);
            switch (random.Next(4))
            {
                case 0:
                    break;
                case 1:
                    body.Remove(field);
                    break;
                default:
                    body[field] = Value(random, own, victim, depth: 0);
                    break;
            }

            text = JsonSerializer.Serialize(body, Json);
        }
        else if (random.Next(4) == 0)
        {
            text = Pick(random, RawBodies);
        }
        else
        {
            var body = new Dictionary<string, object?>();
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                body[Pick(random, Fields)] = Value(random, own, victim, depth: 0);
            }

            text = JsonSerializer.Serialize(body, Json);
        }

        text = text.Replace("{{handle}}", own, StringComparison.Ordinal).Replace("{{victim}}", victim, StringComparison.Ordinal);
        var type = random.Next(template is null ? 8 : 30) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", 2 => "application/xml", _ => "application/json" };
        var content = new StringContent(text, Encoding.UTF8, type);
        if (random.Next(12) == 0)
        {
            // A character set Reach does not read (415), or a harmless spelling of UTF-8.
            content.Headers.ContentType!.CharSet = Pick(random, ["bogus", "utf-7", "utf-16", "iso-8859-1", "\"utf-8\"", "UTF8", ""]);
        }

        return content;
    }

    private static object? Value(Random random, string own, string victim, int depth) => random.Next(depth > 1 ? 8 : 11) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => Pick(random, new object[] { 0, -1, 1, int.MaxValue, int.MinValue, long.MaxValue, 1.5, -1e300 }),
        3 => string.Concat(Enumerable.Repeat(Pick(random, ["x", "é", "😀", "\u0000", " ", "\uD800"]), random.Next(0, random.Next(10) == 0 ? 120_000 : 300))),
        4 => own,
        5 => victim,
        6 or 7 => Pick(random, Strings),
        8 => Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, own, victim, depth + 1)).ToArray(),
        9 => new Dictionary<string, object?> { [Pick(random, Fields)] = Value(random, own, victim, depth + 1) },
        _ => Enumerable.Range(0, random.Next(0, 2_000)).Select(i => $"{i}@example.com").ToArray(),
    };

    // What a refused request must leave as it was: the number of rows of every table, and every member's own fields.
    private async Task<string> FingerprintAsync()
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        var counts = new[]
        {
            ("members", await db.Members.CountAsync()), ("connections", await db.Connections.CountAsync()), ("words", await db.MemberWords.CountAsync()),
            ("addressBook", await db.AddressBook.CountAsync()), ("invitations", await db.Invitations.CountAsync()), ("pending", await db.PendingPairs.CountAsync()),
            ("conversations", await db.Conversations.CountAsync()), ("messages", await db.Messages.CountAsync()), ("counters", await db.ReceiveCounters.CountAsync()),
            ("lots", await db.CreditLots.CountAsync()), ("ledger", await db.Ledger.CountAsync()), ("idempotency", await db.IdempotencyRecords.CountAsync()),
            ("blocks", await db.Blocks.CountAsync()), ("reports", await db.Reports.CountAsync()), ("emailAttempts", await db.EmailAttempts.CountAsync()),
            ("notifications", await db.Notifications.CountAsync()), ("readNotifications", await db.Notifications.CountAsync(x => x.Read)),
            ("bookmarks", await db.Bookmarks.CountAsync()), ("posts", await db.Posts.CountAsync()), ("comments", await db.Comments.CountAsync()),
        };
        var members = await db.Members.AsNoTracking().OrderBy(m => m.Id)
            .Select(m => new { m.Handle, m.DisplayName, m.Headline, m.Company, m.PhotoUrl, m.OpenToWork, m.TierId, m.Status, m.WhoCanMessage, m.AcceptInMail, m.OpenProfile, m.CreditBalance, m.Email, m.PasswordHash })
            .ToListAsync();
        return string.Join(' ', counts.Select(c => $"{c.Item1}={c.Item2}")) + " | " + JsonSerializer.Serialize(members, Json);
    }

    private static string Diff(string before, string after)
    {
        var changed = before.Split(' ').Zip(after.Split(' ')).Where(pair => pair.First != pair.Second).Select(pair => $"{pair.First} → {pair.Second}").Take(3);
        return string.Join(", ", changed);
    }

    private static string Short(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}

public sealed class FuzzSqliteTests(ApiFixture<SqliteDatabase> fixture) : FuzzTests<SqliteDatabase>(fixture);

public sealed class FuzzPostgresTests(ApiFixture<PostgresDatabase> fixture) : FuzzTests<PostgresDatabase>(fixture);
