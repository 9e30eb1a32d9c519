using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reach.Data;
using Reach.Members;
using Reach.Policy;
using Reach.Search;

namespace Reach.Benchmarks;

/// <summary>
/// Search at 100,000 members (issue bar: under 50 ms at p50 on both databases). The baseline is the cheapest read a
/// page makes, one member by handle, on the same database in the same run. PostgreSQL needs
/// <c>REACH_BENCH_POSTGRES</c> (a server connection string; the benchmark makes a database of its own and keeps it).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 12)]
[MemoryDiagnoser(displayGenColumns: false)]
public class SearchBenchmarks
{
    private const int Members = 100_000;

    private static readonly string[] Roles = ["engineer", "designer", "recruiter", "founder", "analyst", "manager", "researcher", "consultant", "architect", "writer"];
    private static readonly string[] Fields = ["compilers", "payments", "search", "health", "robotics", "climate", "security", "games", "education", "logistics"];
    private static readonly string[] Companies = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Adventure Works", "Litware", "Proseware", "Wingtip", "Woodgrove", "Lucerne"];
    private static readonly string[] First = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Tim", "Barbara", "Ken", "Dennis", "Katherine", "Frances", "Donald", "Radia", "Edsger", "Hedy"];
    private static readonly string[] Last = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Lee", "Liskov", "Thompson", "Ritchie", "Johnson", "Allen", "Knuth", "Perlman", "Dijkstra", "Lamarr"];

    private const string DataSet = "reach_bench_search_100k_v3";

    private ServiceProvider _services = null!;
    private long _viewer;

    [Params("SQLite", "PostgreSQL")]
    public string Database { get; set; } = "SQLite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // The data set is made once and kept (in /tmp, and as a PostgreSQL database of its own), since every benchmark
        // case runs in a process of its own; its name carries its version.
        DatabaseOptions options;
        if (Database == "PostgreSQL")
        {
            var server = Environment.GetEnvironmentVariable("REACH_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set REACH_BENCH_POSTGRES to a PostgreSQL server's connection string.");
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var exists = new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{DataSet}'", connection);
                if ((long)(await exists.ExecuteScalarAsync())! == 0)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {DataSet}", connection);
                    await create.ExecuteNonQueryAsync();
                }
            }

            options = DatabaseOptions.Parse(new NpgsqlConnectionStringBuilder(server) { Database = DataSet }.ToString());
        }
        else
        {
            options = DatabaseOptions.Parse(Path.Combine(Path.GetTempPath(), DataSet + ".db"));
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(ReachPolicy.Default);
        services.AddSingleton(TimeProvider.System);
        services.AddReach(_ => options);
        _services = services.BuildServiceProvider();
        await _services.MigrateAsync();
        await using (var scope = _services.CreateAsyncScope())
        {
            if (await scope.ServiceProvider.GetRequiredService<ReachDb>().Members.CountAsync() != Members)
            {
                await SeedAsync();
            }
        }

        await using var last = _services.CreateAsyncScope();
        _viewer = await last.ServiceProvider.GetRequiredService<ReachDb>().Members.Where(m => m.Handle == "m1").Select(m => m.Id).FirstAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _services.DisposeAsync();

    [Benchmark(Baseline = true, Description = "one member by handle")]
    public async Task<Member?> OneMember()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReachDb>().FindByHandleAsync("m50000", CancellationToken.None);
    }

    [Benchmark(Description = "q=engineer, relevance")]
    public Task<int> Words() => SearchAsync(new SearchQuery("engineer", null, null, null, null, null, null));

    [Benchmark(Description = "q=ada compilers, relevance")]
    public Task<int> TwoWords() => SearchAsync(new SearchQuery("ada compilers", null, null, null, null, null, null));

    [Benchmark(Description = "open to work, 500+ connections, receptive")]
    public Task<int> Filters() => SearchAsync(new SearchQuery(null, true, 500, null, null, "receptive", null));

    [Benchmark(Description = "q=designer, premium, page 3")]
    public Task<int> PremiumPage() => SearchAsync(new SearchQuery("designer", null, null, true, null, null, 3));

    [Benchmark(Description = "q=founder, I can message now")]
    public Task<int> Reachable() => SearchAsync(new SearchQuery("founder", null, null, null, true, null, null));

    private async Task<int> SearchAsync(SearchQuery query)
    {
        await using var scope = _services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<SearchService>().SearchAsync(_viewer, query, CancellationToken.None);
        return page.Value!.Hits.Count;
    }

    // 100,000 members in bulk, with the distribution of a real network: most basic, some premium, one in ten open to
    // work, a third taking connections or known contacts only.
    private async Task SeedAsync()
    {
        var random = new Random(42);
        var policy = ReachPolicy.Default;
        var now = DateTimeOffset.UtcNow;
        var batch = new List<Member>();
        for (var start = 0; start < Members; start += 5_000)
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < start + 5_000; i++)
            {
                var handle = "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var tier = random.Next(100) switch { < 80 => "basic", < 88 => "premium_business", < 94 => "sales_navigator", < 98 => "recruiter_lite", _ => "recruiter" };
                var member = new Member
                {
                    UserName = handle,
                    NormalizedUserName = handle.ToUpperInvariant(),
                    Email = handle + "@bench.reach",
                    NormalizedEmail = (handle + "@bench.reach").ToUpperInvariant(),
                    Handle = handle,
                    DisplayName = First[random.Next(First.Length)] + " " + Last[random.Next(Last.Length)],
                    Headline = random.Next(10) == 0 ? null : $"{Roles[random.Next(Roles.Length)]}, {Fields[random.Next(Fields.Length)]}",
                    Company = Companies[random.Next(Companies.Length)],
                    TierId = tier,
                    OpenToWork = random.Next(10) == 0,
                    WhoCanMessage = random.Next(100) switch { < 60 => WhoCanMessage.Anyone, < 85 => WhoCanMessage.Connections, _ => WhoCanMessage.KnownContacts },
                    ConnectionCount = random.Next(1500),
                    CreatedAt = now,
                    SecurityStamp = Guid.NewGuid().ToString(),
                };
                member.RefreshSearchText();
                member.Receptiveness = Receptiveness.Of(policy, new ReceptivenessFacts(
                    policy.FindTier(tier)!.PremiumBadge, false, member.Headline is not null, null, member.ConnectionCount, member.OpenToWork)).Score;
                db.Members.Add(member);
                batch.Add(member);
            }

            await db.SaveChangesAsync();
            db.MemberWords.AddRange(batch.SelectMany(MemberWord.Of));
            await db.SaveChangesAsync();
            batch.Clear();
        }

        await using var last = _services.CreateAsyncScope();
        await last.ServiceProvider.GetRequiredService<ReachDb>().Database.ExecuteSqlRawAsync("ANALYZE");
    }
}
