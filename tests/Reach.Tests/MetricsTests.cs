using System.Globalization;
using static Reach.Tests.Api;

namespace Reach.Tests;

/// <summary>
/// The metrics an operator scrapes at <c>/metrics</c>: Reach's counters are recorded by the use cases, so a send from a
/// page counts like one through the API, beside the metrics of HTTP, the runtime and the database client. The
/// exporter listens to every meter of its name in the process, so these tests run alone (no other host sends meanwhile).
/// </summary>
[Collection(nameof(MetricsCollection))]
public abstract class MetricsTests<TDatabase>(ApiFixture<TDatabase> fixture) : IClassFixture<ApiFixture<TDatabase>>
    where TDatabase : Database, new()
{
    private Api Api => fixture.Api;

    [Fact]
    public async Task ASendFromAPageCountsLikeOneFromTheApiBesideHttpRuntimeAndDatabaseMetrics()
    {
        var (ada, bob, cyd) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob"), await Api.SignUpAsync("cyd"));
        var before = await ScrapeAsync();

        var browser = await Browser.SignInAsync(fixture.Host, ada.Email, Api.Password);
        var page = await browser.PostFormAsync($"/messages/new?to={bob.Handle}", $"/messages/new?to={bob.Handle}", new() { ["Body"] = "Hello from the page" });
        Assert.True((int)page.StatusCode < 400, $"the page's send answered {page.StatusCode}");
        var afterPage = await ScrapeAsync();
        Assert.Equal(Sum(before, "reach_sends_total{") + 1, Sum(afterPage, "reach_sends_total{"));
        Assert.Equal(Sum(before, Sends) + 1, Sum(afterPage, Sends));

        (await SendAsync(ada, cyd)).EnsureSuccessStatusCode();
        var metrics = await ScrapeAsync();
        Assert.Equal(Sum(before, "reach_sends_total{") + 2, Sum(metrics, "reach_sends_total{"));
        Assert.Equal(Sum(before, Sends) + 2, Sum(metrics, Sends));

        Assert.Contains("http_server_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("reach_db_statements_total{", metrics, StringComparison.Ordinal);
        Assert.Contains(typeof(TDatabase) == typeof(PostgresDatabase) ? "db_client_" : "reach_db_group_commit_size_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("service_name=\"reach\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALockedSendCountsItsReason()
    {
        var (ada, bob) = (await Api.SignUpAsync("ada"), await Api.SignUpAsync("bob", settings: new { whoCanMessage = "connections", acceptInMail = true }));
        var before = Sum(await ScrapeAsync(), Locked("connections_only"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await SendAsync(ada, bob)).StatusCode);
        Assert.Equal(before + 1, Sum(await ScrapeAsync(), Locked("connections_only")));
    }

    private const string Sends = "reach_decisions_total{otel_scope_name=\"Reach\",outcome=\"allowed\",reason=\"none\",source=\"send\"}";

    private static string Locked(string reason) => $"reach_decisions_total{{otel_scope_name=\"Reach\",outcome=\"locked\",reason=\"{reason}\",source=\"send\"}}";

    private Task<string> ScrapeAsync() => Api.Admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    // The sum of a metric's values over the series whose line starts with the text given ("name{labels} value").
    private static double Sum(string metrics, string series) => metrics.Split('\n')
        .Where(line => line.StartsWith(series, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

public sealed class MetricsSqliteTests(ApiFixture<SqliteDatabase> fixture) : MetricsTests<SqliteDatabase>(fixture);

public sealed class MetricsPostgresTests(ApiFixture<PostgresDatabase> fixture) : MetricsTests<PostgresDatabase>(fixture);
