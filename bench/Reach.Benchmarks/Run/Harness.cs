using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Reach.Benchmarks.Run;

/// <summary>
/// <c>bench/run</c>: every figure of SPEC §12 beside its baseline, from one run on one machine, written to
/// <c>docs/PERFORMANCE.md</c> with charts. <c>--quick</c> runs each part for a moment only, to check that it runs.
/// </summary>
public sealed class Harness
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly bool _quick;
    private readonly string _root;
    private readonly string _postgres;
    private readonly string _serverDll;
    private readonly string _work;
    private readonly string _charts;
    private readonly StringBuilder _body = new();
    private readonly List<(string Bar, string Measured, string Verdict)> _bars = [];
    private string[] _databases = ["SQLite", "PostgreSQL"];

    private Harness(bool quick, string root, string postgres, string serverDll, string work, string charts)
    {
        (_quick, _root, _postgres, _serverDll, _work, _charts) = (quick, root, postgres, serverDll, work, charts);
    }

    private int Sends(int full) => _quick ? 40 : full;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var root = Value(args, "--root") ?? Directory.GetCurrentDirectory();
        var postgres = Value(args, "--postgres") ?? throw new ArgumentException("--postgres <connection string> is required");
        var serverDll = Value(args, "--server") ?? throw new ArgumentException("--server <Reach.Server.dll> is required");
        var only = Value(args, "--only")?.Split(',') ?? ["decide", "http", "storage", "hot", "scale", "whatif"];
        var work = Directory.CreateTempSubdirectory("reach-bench-").FullName;
        var charts = quick ? work : Path.Combine(root, "docs", "performance");
        Directory.CreateDirectory(charts);
        var harness = new Harness(quick, root, postgres, serverDll, work, charts);
        if (Value(args, "--databases") is { } databases)
        {
            harness._databases = databases.Split(',');
        }

        try
        {
            var started = DateTimeOffset.UtcNow;
            foreach (var part in only)
            {
                Console.WriteLine($"== {part}");
                await (part switch
                {
                    "decide" => harness.DecideAsync(),
                    "http" => harness.HttpAsync(),
                    "storage" => harness.StorageAsync(),
                    "hot" => harness.HotAsync(),
                    "scale" => harness.ScaleAsync(),
                    "whatif" => harness.WhatIfAsync(),
                    "profile" => harness.ProfileAsync(),
                    _ => throw new ArgumentException($"unknown part '{part}'"),
                });
            }

            var report = harness.Report(started, DateTimeOffset.UtcNow);
            Console.WriteLine(report);
            if (!quick && !only.Contains("profile"))
            {
                harness.WriteReport(report);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string F(double value, string format = "#,0") => value.ToString(format, Invariant);

    private void Bar(string bar, string measured, bool met) => _bars.Add((bar, measured, met ? "met" : "not met"));

    // A figure the bars ask to see beside them, with no bar of its own.
    private void Reported(string figure, string measured) => _bars.Add((figure, measured, "reported"));

    // The decision, in-process: BenchmarkDotNet's statistics and its allocation count.
    private Task DecideAsync()
    {
        // The full run measures in a process of its own, as BenchmarkDotNet does by default; the quick one in-process.
        var job = _quick ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance) : Job.Default;
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(NullLogger.Instance)
            .WithArtifactsPath(Path.Combine(_work, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        if (_quick)
        {
            // The quick run is on the Debug build (its figures mean nothing).
            config = config.WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }

        var summary = BenchmarkRunner.Run<DecideBenchmarks>(config);
        _body.AppendLine("### The decision (`MessageRules.Decide`), in-process").AppendLine()
            .AppendLine("BenchmarkDotNet, default job (a process of its own, warm-up, as many iterations as its statistics ask for). Baseline: the allowed cold message.").AppendLine()
            .AppendLine("| case | mean | median | ratio to the baseline | allocated |").AppendLine("|---|---:|---:|---:|---:|");
        var baseline = summary.Reports.First(r => r.BenchmarkCase.Descriptor.Baseline).ResultStatistics!.Mean;
        var worst = 0.0;
        long allocated = 0;
        foreach (var report in summary.Reports)
        {
            var stats = report.ResultStatistics!;
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            worst = Math.Max(worst, stats.Mean);
            allocated = Math.Max(allocated, bytes);
            _body.AppendLine(CultureInfo.InvariantCulture, $"| {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} | {F(stats.Mean, "0.0")} ns | {F(stats.Median, "0.0")} ns | {F(stats.Mean / baseline, "0.00")} | {bytes} B |");
        }

        _body.AppendLine();
        Bar("a decision in-process ≤ 100 ns, no allocation", $"{F(worst, "0.0")} ns worst case, {allocated} B", worst <= 100 && allocated == 0);
        return Task.CompletedTask;
    }

    // HTTP with wrk against the real server process, on each database: hello world, pre-flight, durable sends.
    private async Task HttpAsync()
    {
        int[] connections = _quick ? [8] : [8, 32, 128];
        var seconds = _quick ? 1 : 10;
        var results = new List<(string Kind, WrkResult Result)>();

        // The p99 bar is not a ratio, so the machine's own tail (other work on the host) falls on it whole: on SQLite two
        // more windows of the pre-flight at 32 connections, each after one of hello world, and the bar takes the median.
        var tails = new List<(WrkResult Hello, WrkResult Preflight)>();
        foreach (var kind in _databases)
        {
            await using var database = await OpenAsync(kind, "http", HttpLoad.MembersFor(connections.Length + 1));
            await using var load = await HttpLoad.StartAsync(_serverDll, database, _work, 5600 + Random.Shared.Next(300));

            // The server is measured warm: tiered compilation still took a fifth of the CPU 7 to 17 s after the start of
            // a load of sends (perf, by thread), so each endpoint is loaded as long as a measurement first.
            await load.HelloAsync(32, seconds);
            await load.PreflightAsync(32, seconds);
            await load.SendAsync(32, seconds);
            foreach (var c in connections)
            {
                results.Add((kind, await load.HelloAsync(c, seconds)));
                results.Add((kind, await load.PreflightAsync(c, seconds)));
                results.Add((kind, await load.SendAsync(c, seconds)));
            }

            if (kind == "SQLite" && connections.Contains(32))
            {
                tails.Add((Find(kind, "hello world", 32), Find(kind, "GET /api/reach/{handle}", 32)));
                for (var window = 0; window < 2; window++)
                {
                    tails.Add((await load.HelloAsync(32, seconds), await load.PreflightAsync(32, seconds)));
                }
            }
        }

        WrkResult Find(string kind, string endpoint, int c) => results.First(r => r.Kind == kind && r.Result.Endpoint == endpoint && r.Result.Connections == c).Result;
        double Ratio(string kind, WrkResult r) => r.PerSecond / Find(kind, "hello world", r.Connections).PerSecond;

        _body.AppendLine("### HTTP: hello world, pre-flight, durable sends").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"The Release server process on each database (SQLite with `synchronous=FULL`; PostgreSQL as named above, the server of the storage part), loaded by `wrk -t2 -d{seconds}s` at each connection count, on the same two cores. Hello world is `GET /bench/hello` (mapped only with `Reach:BenchHello`) behind the same Kestrel settings and middleware, measured on the same server as the two endpoints beside it; the pre-flight asks about members member1…member1000 in turn; each send is a first cold message from one of 64 signed-in senders to a member nobody has written to. A warm-up of each, as long as a measurement, comes first (the server is measured warm: tiered compilation is still at work several seconds after a load starts).").AppendLine()
            .AppendLine("| database | endpoint | connections | requests/s | ratio to hello world | p50 ms | p99 ms | non-2xx |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (kind, r) in results)
        {
            _body.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {r.Endpoint} | {r.Connections} | {F(r.PerSecond)} | {F(Ratio(kind, r), "0.000")} | {F(r.P50Ms, "0.00")} | {F(r.P99Ms, "0.00")} | {r.NotOk} |");
        }

        _body.AppendLine();
        var chart = "http.png";
        var series = results.Select(r => (r.Kind, r.Result.Endpoint)).Distinct()
            .Select(s => (_databases.Length > 1 ? $"{s.Endpoint} ({s.Kind})" : s.Endpoint, connections.Select(c => Find(s.Kind, s.Endpoint, c).PerSecond).ToArray()));
        Charts.GroupedBars(Path.Combine(_charts, chart), "Requests per second by connection count (wrk, same run)", "requests/s",
            [.. connections.Select(c => $"{c} connections")], [.. series]);
        _body.AppendLine(CultureInfo.InvariantCulture, $"![HTTP requests per second](performance/{chart})").AppendLine();

        double Best(string kind, string endpoint) => connections.Max(c => Ratio(kind, Find(kind, endpoint, c)));
        foreach (var kind in _databases)
        {
            var preflight = Best(kind, "GET /api/reach/{handle}");
            var send = Best(kind, "POST /api/messages");
            if (kind == "SQLite")
            {
                Bar("pre-flight over HTTP (SQLite) ≥ 0.3 of hello world (first step; goal 0.6)", $"{F(preflight, "0.000")} (best connection count)", preflight >= 0.3);
                if (tails.Count > 0)
                {
                    var p99s = tails.Select(t => t.Preflight.P99Ms).Order().ToList();
                    var median = p99s[p99s.Count / 2];
                    Bar("pre-flight p99 (SQLite) ≤ 5 ms at 32 connections", $"{F(median, "0.00")} ms (median of {p99s.Count} windows: {string.Join(", ", tails.Select(t => F(t.Preflight.P99Ms, "0.00")))})", median <= 5);
                }

                Bar("durable sends over HTTP (SQLite, synchronous=FULL) ≥ 0.1 of hello world (first step; goal 0.3)", $"{F(send, "0.000")} (best connection count)", send >= 0.1);
            }
            else
            {
                var p99 = connections.Contains(32) ? $"; p99 at 32 connections {F(Find(kind, "GET /api/reach/{handle}", 32).P99Ms, "0.00")} ms" : string.Empty;
                Reported($"pre-flight over HTTP ({kind}), beside the SQLite bar", $"{F(preflight, "0.000")} of hello world (best connection count){p99}");
                Reported($"durable sends over HTTP ({kind}), beside the SQLite bar", $"{F(send, "0.000")} of hello world (best connection count)");
            }
        }

        if (tails.Count > 0)
        {
            _body.AppendLine(CultureInfo.InvariantCulture, $"The pre-flight's p99 on SQLite at 32 connections in {tails.Count} windows of {seconds} s (the first is the table's), each just after a window of hello world at 32 connections:").AppendLine()
                .AppendLine("| window | hello world p50 ms | hello world p99 ms | pre-flight requests/s | pre-flight p50 ms | pre-flight p99 ms |").AppendLine("|---:|---:|---:|---:|---:|---:|");
            for (var i = 0; i < tails.Count; i++)
            {
                var (h, p) = tails[i];
                _body.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {F(h.P50Ms, "0.00")} | {F(h.P99Ms, "0.00")} | {F(p.PerSecond)} | {F(p.P50Ms, "0.00")} | {F(p.P99Ms, "0.00")} |");
            }

            _body.AppendLine();
        }

        if (results.Any(r => r.Result.NotOk > 0))
        {
            _body.AppendLine("Some answers were not 2xx (the non-2xx column): those runs' rates include them.").AppendLine();
        }
    }

    // The storage path of a send against hand-written SQL doing the same writes, one transaction per send.
    private async Task StorageAsync()
    {
        _body.AppendLine("### Storage: Reach's send path against hand-written SQL").AppendLine()
            .AppendLine("In-process, no HTTP. Each send is a first cold message between two members who have never written to each other. Reach's path is `SendMessage.SendAsync` in a scope of its own (as a request has): the sender's row lock (PostgreSQL) and the pair's facts, the recipient found by handle, in one round trip; the decision; then the conversation, the message, the notification, the decision log and — last — the place of the cap, on PostgreSQL in one round trip with the commit, on SQLite in the group commit's batch. The baseline is hand-written SQL doing exactly those writes (sender lock, conditional counter upsert, conversation, message, notification, decision log) in one transaction per send, with nothing read. SQLite runs with `synchronous=FULL`; PostgreSQL with `fsync` on. Same database, same number of concurrent workers; a warm-up of each first; then baseline, Reach, baseline, Reach, and the figures are the totals.").AppendLine()
            .AppendLine("On SQLite Reach's figure is with group commit (the default); the column before it is the same path with group commit off (`DatabaseOptions.GroupCommit = false`: one transaction and one commit per send, like the baseline).").AppendLine()
            .AppendLine("| database | workers | hand-written SQL sends/s | Reach, one commit per send | Reach sends/s | ratio | Reach statements per send | Reach time in statements |").AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var chartGroups = new List<string>();
        var sql = new List<double>();
        var single = new List<double>();
        var reach = new List<double>();
        foreach (var kind in _databases)
        {
            await using var database = await OpenAsync(kind, "storage", 300_000);
            await using var services = database.Services();
            await using var oneCommitEach = database.Services(groupCommit: false);
            foreach (var workers in _quick ? [4] : new[] { 1, 16, 64 })
            {
                await SendLoad.SqlAsync(database, database.FreshPairs(Sends(200)), workers);
                await SendLoad.ReachAsync(services, database.FreshPairs(Sends(200)), workers);
                var baseline = Combine(await SendLoad.SqlAsync(database, database.FreshPairs(Sends(1500)), workers), await SendLoad.SqlAsync(database, database.FreshPairs(Sends(1500)), workers));
                var ours = Combine(await SendLoad.ReachAsync(services, database.FreshPairs(Sends(1500)), workers), await SendLoad.ReachAsync(services, database.FreshPairs(Sends(1500)), workers));
                var withoutGroup = kind == "SQLite" ? await SendLoad.ReachAsync(oneCommitEach, database.FreshPairs(Sends(1000)), workers) : null;
                var ratio = ours.PerSecond / baseline.PerSecond;
                _body.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {workers} | {F(baseline.PerSecond)} | {(withoutGroup is null ? "—" : F(withoutGroup.PerSecond))} | {F(ours.PerSecond)} | {F(ratio, "0.00")} | {F(ours.StatementsPerSend, "0.0")} | {F(ours.DatabaseShare * 100, "0")} % |");
                chartGroups.Add($"{kind}, {workers}");
                sql.Add(baseline.PerSecond);
                single.Add(withoutGroup?.PerSecond ?? double.NaN);
                reach.Add(ours.PerSecond);
                Bar($"storage path ≥ 1.0 of hand-written SQL ({kind}, {workers} workers; goal 3 with group commit)", F(ratio, "0.00"), ratio >= 1.0);
                Failures(baseline, ours);
            }
        }

        _body.AppendLine();
        Charts.GroupedBars(Path.Combine(_charts, "storage.png"), "Sends per second: hand-written SQL vs Reach's send path", "sends/s", chartGroups,
            [("hand-written SQL, one transaction per send", sql.ToArray()), ("Reach, one commit per send", single.ToArray()), ("Reach (group commit on SQLite)", reach.ToArray())]);
        _body.AppendLine("![Storage path against hand-written SQL](performance/storage.png)").AppendLine();
    }

    // Only Reach's send path (first database of --databases, REACH_PROFILE_WORKERS workers, default 16), to profile it:
    // with BENCH_TRACE=1 every statement of the measured sends is printed with its start and duration.
    private async Task ProfileAsync()
    {
        await using var database = await OpenAsync(_databases[0], "profile", 100_000);
        await using var services = database.Services();
        await SendLoad.ReachAsync(services, database.FreshPairs(500), 16);
        var workers = int.Parse(Environment.GetEnvironmentVariable("REACH_PROFILE_WORKERS") ?? "16", Invariant);
        var result = await SendLoad.ReachAsync(services, database.FreshPairs(Sends(4000)), workers);
        Console.WriteLine($"profile: {result.PerSecond:0} sends/s, {result.StatementsPerSend:0.0} statements per send");
    }

    // One recipient receiving from 64 concurrent senders, against 64 senders writing to 64 different recipients.
    private async Task HotAsync()
    {
        _body.AppendLine("### One hot recipient").AppendLine()
            .AppendLine("Reach's send path with 64 concurrent workers, each send from a sender who has not written before: all to one recipient (one counter row, one member row for every send) against each to a different recipient (the baseline), same database, same run.").AppendLine()
            .AppendLine("| database | 64 recipients sends/s (baseline) | one hot recipient sends/s | ratio |").AppendLine("|---|---:|---:|---:|");
        foreach (var kind in _databases)
        {
            await using var database = await OpenAsync(kind, "hot", 100_000);
            await using var services = database.Services();
            await SendLoad.ReachAsync(services, database.FreshPairs(Sends(200)), 64);
            var spread = await SendLoad.ReachAsync(services, database.FreshPairs(Sends(2000)), 64);
            var hot = await SendLoad.ReachAsync(services, database.ToOne(1, Sends(2000)), 64);
            Failures(spread, hot);
            _body.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {F(spread.PerSecond)} | {F(hot.PerSecond)} | {F(hot.PerSecond / spread.PerSecond, "0.00")} |");
            if (kind == "PostgreSQL")
            {
                var ratio = hot.PerSecond / spread.PerSecond;
                Bar("one hot recipient ≥ 0.8 of spread recipients (PostgreSQL; goal 0.9)", F(ratio, "0.00"), ratio >= 0.8);
            }
        }

        _body.AppendLine();
    }

    // The cost of a send with 1,000 members and none stored, against 1,000,000 members and 10,000,000 messages.
    private async Task ScaleAsync()
    {
        var (bigMembers, bigMessages) = _quick ? (20_000, 100_000L) : (1_000_000, 10_000_000L);
        _body.AppendLine("### Scale").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Reach's send path, 16 workers, first cold messages, on a database of 1,000 members and no messages (the baseline) and on one of {F(bigMembers)} members and {F(bigMessages)} stored messages (made in bulk with SQL: about ten messages in each conversation of neighbours), same run: both open side by side, a warm-up of each, then three rounds of {F(Sends(2000))} sends on the small one and {F(Sends(2000))} on the big one; the figures are the totals.").AppendLine()
            .AppendLine("| database | members | stored messages | made in | sends/s | ms per send | ratio to 1,000 members |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in _databases)
        {
            var made = System.Diagnostics.Stopwatch.StartNew();
            await using var small = await OpenAsync(kind, "scale", 1_000);
            var smallMade = made.Elapsed;
            made.Restart();
            await using var big = await OpenAsync(kind, "scale_big", bigMembers, bigMessages);
            var bigMade = made.Elapsed;
            await using var smallServices = small.Services();
            await using var bigServices = big.Services();
            await SendLoad.ReachAsync(smallServices, small.FreshPairs(Sends(500)), 16);
            await SendLoad.ReachAsync(bigServices, big.FreshPairs(Sends(500)), 16);

            // Small, big, small, big, small, big: the machine's drift (other work, the disk's flush times) falls on
            // both alike.
            var (smallResult, bigResult) = (default(LoadResult), default(LoadResult));
            for (var round = 0; round < 3; round++)
            {
                var s = await SendLoad.ReachAsync(smallServices, small.FreshPairs(Sends(2000)), 16);
                var b = await SendLoad.ReachAsync(bigServices, big.FreshPairs(Sends(2000)), 16);
                smallResult = smallResult is null ? s : Combine(smallResult, s);
                bigResult = bigResult is null ? b : Combine(bigResult, b);
            }

            Failures(smallResult!, bigResult!);
            var ratio = bigResult!.PerSecond / smallResult!.PerSecond;
            _body.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | 1,000 | 0 | {F(smallMade.TotalSeconds, "0")} s | {F(smallResult.PerSecond)} | {F(smallResult.MillisecondsPerSend, "0.00")} | 1.00 |")
                .AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {F(bigMembers)} | {F(bigMessages)} | {F(bigMade.TotalSeconds, "0")} s | {F(bigResult.PerSecond)} | {F(bigResult.MillisecondsPerSend, "0.00")} | {F(ratio, "0.00")} |");
            Bar($"cost per send flat from 1,000 to {F(bigMembers)} members and {F(bigMessages)} messages ({kind})", $"{F(ratio, "0.00")} of the small database's rate", ratio >= 0.8);
        }

        _body.AppendLine();
    }

    // Policy what-if: a month of logged sends replayed under a candidate policy, in-process on SQLite.
    private async Task WhatIfAsync()
    {
        var decisions = _quick ? 20_000L : 1_000_000L;
        await using var database = await BenchDatabase.SqliteAsync(_work, "whatif", 10_000);
        var made = System.Diagnostics.Stopwatch.StartNew();
        await WhatIfLoad.FillAsync(database, decisions);
        made.Stop();
        var result = await WhatIfLoad.MeasureAsync(database);
        _body.AppendLine("### Policy what-if").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`WhatIf.ReplayAsync` in-process on SQLite: {F(result.Decisions)} send decisions of one month in the log (written in bulk in {F(made.Elapsed.TotalSeconds, "0")} s, each with its facts; 10,000 members, a tenth InMails) replayed under a candidate policy whose cap is a third of the one that decided them. The baseline reads the same rows in the same order and decides nothing.").AppendLine()
            .AppendLine("| | seconds | decisions/s | ratio to reading alone |").AppendLine("|---|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| reading the log alone | {F(result.Read.TotalSeconds, "0.00")} | {F(result.Decisions / result.Read.TotalSeconds)} | 1.00 |")
            .AppendLine(CultureInfo.InvariantCulture, $"| the replay ({F(result.NowLocked)} now locked) | {F(result.Replay.TotalSeconds, "0.00")} | {F(result.Decisions / result.Replay.TotalSeconds)} | {F(result.Replay.TotalSeconds / result.Read.TotalSeconds, "0.00")} |")
            .AppendLine();
        var perMillion = result.Replay.TotalSeconds * 1_000_000 / result.Decisions;
        Bar("what-if: 1,000,000 logged decisions replayed in ≤ 10 s (SQLite)", $"{F(perMillion, "0.0")} s per 1,000,000 ({F(result.Decisions)} replayed)", perMillion <= 10);
    }

    private Task<BenchDatabase> OpenAsync(string kind, string name, int members, long messages = 0) =>
        kind == "SQLite" ? BenchDatabase.SqliteAsync(_work, name, members, messages) : BenchDatabase.PostgresAsync(_postgres, "reach_bench_" + name, members, messages);

    private static LoadResult Combine(LoadResult a, LoadResult b) => new(
        a.Sends + b.Sends, a.Workers, a.Elapsed + b.Elapsed, a.Failed + b.Failed,
        ((a.StatementsPerSend * a.Sends) + (b.StatementsPerSend * b.Sends)) / (a.Sends + b.Sends),
        ((a.DatabaseShare * a.Elapsed.TotalSeconds) + (b.DatabaseShare * b.Elapsed.TotalSeconds)) / (a.Elapsed + b.Elapsed).TotalSeconds);

    private static void Failures(params LoadResult[] results)
    {
        if (results.Sum(r => r.Failed) is var failed and > 0)
        {
            throw new InvalidOperationException($"{failed} sends of the run were refused: every send of a run must be allowed.");
        }
    }

    private string Report(DateTimeOffset started, DateTimeOffset ended)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run: `bench/run{(_quick ? " --quick" : string.Empty)}`, {started:yyyy-MM-dd HH:mm} to {ended:HH:mm} UTC.").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}. Load tool: {Tool("wrk", "--version")}. PostgreSQL: {PostgresVersion()}. SQLite {SqliteVersion()}.").AppendLine()
            .AppendLine("| SPEC §12 bar | measured in this run | verdict |").AppendLine("|---|---|---|");
        foreach (var (bar, measured, verdict) in _bars)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {bar} | {measured} | {verdict} |");
        }

        return text.AppendLine().Append(_body).ToString();
    }

    private void WriteReport(string report)
    {
        const string Begin = "<!-- bench/run: begin -->";
        const string End = "<!-- bench/run: end -->";
        var file = Path.Combine(_root, "docs", "PERFORMANCE.md");
        var text = File.ReadAllText(file);
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new InvalidOperationException($"{file} has no {Begin} … {End} section.");
        }

        File.WriteAllText(file, text[..(begin + Begin.Length)] + "\n" + report + text[end..]);
        Console.WriteLine($"Wrote {file}");
    }

    private string PostgresVersion()
    {
        try
        {
            using var connection = new Npgsql.NpgsqlConnection(_postgres);
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("SELECT current_setting('server_version') || ', fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit')", connection);
            return (string)command.ExecuteScalar()!;
        }
        catch (Npgsql.NpgsqlException e)
        {
            return "unreachable (" + e.Message + ")";
        }
    }

    private static string SqliteVersion()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static string Tool(string name, string argument)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(name, argument) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return name + " (not found)";
        }
    }
}
