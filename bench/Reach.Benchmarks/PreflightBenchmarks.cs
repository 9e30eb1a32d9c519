using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Reach.Benchmarks.Run;
using Reach.Data;
using Reach.Messaging;

namespace Reach.Benchmarks;

/// <summary>
/// The pre-flight without HTTP, on SQLite with 10,000 members: what the pair's facts cost (one prepared statement)
/// and the whole use case, against the cheapest read there is — one member by handle through the same prepared
/// statements — in the same run.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class PreflightBenchmarks
{
    private static readonly Statement MemberByHandle = new("""SELECT "Id", "TierId" FROM "Members" WHERE "Handle" = @handle""", "handle");

    private BenchDatabase _database = null!;
    private ServiceProvider _services = null!;
    private ReachDatabase _reach = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await BenchDatabase.SqliteAsync(Path.GetTempPath(), "preflight-bench", 10_000);
        _services = _database.Services();
        _reach = _services.GetRequiredService<ReachDatabase>();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> OneMemberByHandle()
    {
        await using var read = await _reach.ReadAsync(CancellationToken.None);
        await using var batch = StatementBatch.On(read.Connection, null);
        batch.Add(MemberByHandle).Set("handle", Handle());
        await using var reader = await batch.ExecuteAsync(CancellationToken.None);
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    [Benchmark]
    public async Task<long> PairFactsStatement()
    {
        await using var scope = _services.CreateAsyncScope();
        var pair = await scope.ServiceProvider.GetRequiredService<FactsReader>().ReadPairAsync(1, RecipientKey.ByHandle(Handle()), DateTimeOffset.UtcNow, CancellationToken.None);
        return pair!.RecipientId;
    }

    [Benchmark]
    public async Task<bool> WholePreflight()
    {
        await using var scope = _services.CreateAsyncScope();
        var decided = await scope.ServiceProvider.GetRequiredService<Preflight>().DecideAsync(1, Handle(), inMail: false, recipientEmail: null, CancellationToken.None);
        return decided.Value!.Decision.Allowed;
    }

    private string Handle() => "member" + ((_next++ % 9_000) + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
