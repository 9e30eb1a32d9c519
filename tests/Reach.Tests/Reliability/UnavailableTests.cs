using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Tests.Reliability;

/// <summary>
/// A database that cannot serve (PostgreSQL out of connections, starting up, a SQLite file still busy after every
/// retry) is a 503 with Retry-After and the code <c>unavailable</c>, not a 500: the request was fine and may be
/// sent again (with its Idempotency-Key, a send is never doubled). Any other error stays a 500.
/// </summary>
public sealed class UnavailableTests(ApiFixture<SqliteDatabase> fixture) : IClassFixture<ApiFixture<SqliteDatabase>>
{
    public static TheoryData<string, int> Cases => new()
    {
        { "postgres:53300", 503 }, // too many clients
        { "postgres:57P03", 503 }, // cannot connect now
        { "postgres:23505", 500 }, // a unique violation that escaped: a bug, not the database's state
        { "sqlite:5", 503 },       // busy
        { "postgres:53100", 507 }, // disk full
        { "sqlite:13", 507 },      // disk full
        { "postgres:57P01", 503 }, // the session ended by an administrator
        { "other", 500 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ADatabaseThatCannotServeIsA503(string failure, int status)
    {
        Exception inner = failure switch
        {
            _ when failure.StartsWith("postgres:", StringComparison.Ordinal) => new PostgresException("refused", "FATAL", "FATAL", failure["postgres:".Length..]),
            "sqlite:5" => new SqliteException("database is locked", 5),
            "sqlite:13" => new SqliteException("database or disk is full", 13),
            _ => new FormatException("unexpected"),
        };
        var exception = new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", inner);
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Response.Body = new MemoryStream();

        Assert.True(await new ProblemExceptionHandler(ReachPolicy.Default, NullLogger<ProblemExceptionHandler>.Instance).TryHandleAsync(context, exception, default));

        Assert.Equal(status, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var problem = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Equal(status switch { 503 => "unavailable", 507 => "insufficient_storage", _ => "internal_error" }, problem.GetProperty("code").GetString());
        Assert.Equal(status == 503 ? "1" : null, context.Response.Headers.RetryAfter.FirstOrDefault());
    }
}
