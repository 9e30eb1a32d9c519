using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reach;
using Reach.Policy;
using Reach.Server;
using Reach.Server.Api;
using Reach.Server.Web;
using Scalar.AspNetCore;

if (args.Length > 0 && Cli.IsCommand(args[0]))
{
    return await Cli.RunAsync(args);
}

if (StartOptions.UnknownOption(args) is { } unknown)
{
    await Console.Error.WriteLineAsync($"reach: unknown option '{unknown}'. Known: {string.Join(", ", StartOptions.Options.Select(o => "--" + o))}.");
    return 2;
}

// Settings are read once, at start: no file watcher on the content root, which is often the folder of the SQLite
// database, where every commit would wake it (a watcher thread took about 4 % of the CPU under a load of sends).
var builder = WebApplication.CreateBuilder([.. StartOptions.WithFlagValues(args), "--hostBuilder:reloadConfigOnChange=false"]);

// Defaults that hold wherever the server is started from (appsettings.json is read from the current folder, so it is
// often not there): framework and database-driver categories at Warning (Npgsql logs every command at
// Information), so that a request writes no log line. appsettings.json,
// environment variables and the command line still override them.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:System"] = "Warning",
        ["Logging:LogLevel:Npgsql"] = "Warning",
        // Hosting logs each request's start and end at Information and nothing above; while its category is on at any
        // level it opens a log scope and an Activity for every request, which a request of Reach does not need.
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        // It warns at every start that the keys are stored unencrypted: they are kept in the database on purpose
        // (WebAuth, docs/SECURITY.md).
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager"] = "Error",
        // The start is said in plain words below; the host's own lines stay for warnings.
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
    },
});
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls(StartOptions.DefaultUrls);
}

// A body over the limit is refused with 413 before it is read (an endpoint that takes more says so; RequestGuards).
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestGuards.MaxBodyBytes);

builder.Logging.ClearProviders();
builder.Logging.AddJsonConsole(options => options.UseUtcTimestamp = true);

// Start options by the options pattern: bound from configuration once, when the host is built (so a test host's
// settings count like the command line's), checked at start below; the policy file read once, at start.
builder.Services.AddOptions<StartSettings>().BindConfiguration(string.Empty);
builder.Services.AddSingleton<IValidateOptions<StartSettings>, StartSettingsValidator>();
builder.Services.AddSingleton(services => StartOptions.From(services.GetRequiredService<IOptions<StartSettings>>().Value));
builder.Services.AddSingleton(services => services.GetRequiredService<StartOptions>().LoadPolicy());
builder.Services.AddSingleton<TimeProvider>(services =>
    services.GetRequiredService<StartOptions>().ManualClock ? new ManualClock(DateTimeOffset.UtcNow) : TimeProvider.System);
builder.Services.AddReach(services => services.GetRequiredService<StartOptions>().Database);

builder.Services.AddReachAuth();
builder.Services.AddReachRequestLimits();
builder.Services.AddRazorPages();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.AddCode);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
    options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
    // Numbers are numbers: "5" for a count is a 400 naming the field, and the API document types integers as integers.
    options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
});
// Pages, JSON and static files are compressed for clients that ask (Brotli, else gzip), at the fastest level; the live
// stream is not (its MIME type is not in the list), so each event leaves at once. Over HTTPS too: docs/SECURITY.md says
// why BREACH does not apply.
builder.Services.AddResponseCompression(options =>
{
    options.EnableForHttps = true;
    options.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    options.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
    options.MimeTypes = [.. Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes, "application/problem+json", "image/svg+xml"];
});
// A request that waits on a stalled database ends with 503 after --request-timeout instead of piling up: its token is
// cancelled, which cancels its statement (the live stream has no timeout).
builder.Services.AddRequestTimeouts();
builder.Services.AddOptions<Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutOptions>().Configure<StartOptions>((options, start) =>
    options.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
    {
        Timeout = start.RequestTimeout,
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = Problems.WriteTimeoutAsync,
    });
builder.Services.AddHealthChecks().AddCheck<DatabaseReadiness>("database", tags: [DatabaseReadiness.Tag]);
builder.Services.AddReachOpenApi();
builder.Services.AddHostedService<ReachabilitySweeper>();
// Metrics at /metrics: HTTP (ASP.NET Core and Kestrel), the runtime, the database client (Npgsql, EF Core) and
// Reach's own (docs/OPERATIONS.md lists what to alert on).
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("reach", serviceVersion: typeof(Program).Assembly.GetName().Version?.ToString()))
    .WithMetrics(metrics => metrics
        .AddMeter(
            "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Runtime",
            "Npgsql", "Microsoft.EntityFrameworkCore", ReachMetrics.MeterName, Reach.Data.DataMetrics.MeterName)
        // Each scrape reads the counters as they are (the exporter would otherwise answer a copy up to 300 ms old).
        .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

// Traces only with --otlp (the exporter is made as the host is built, so the address is read from the configuration
// here; StartSettingsValidator checks it): a request's span (ASP.NET Core), the use case's, and the statements'
// (Reach's batches, Npgsql's commands). Without it nothing listens, and no span is made.
if (builder.Configuration["otlp"] is { Length: > 0 } otlp && Uri.TryCreate(otlp, UriKind.Absolute, out var collector))
{
    builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
        .AddAspNetCoreInstrumentation()
        .AddSource("Npgsql", ReachActivity.SourceName)
        .AddOtlpExporter(exporter =>
        {
            exporter.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(collector, "v1/traces");
            exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
        }));
}

// The start options are checked, and the policy file read, as the host is built and the policy first asked for: a bad
// one stops the server with exit code 2 and a message that names it.
WebApplication app;
try
{
    app = builder.Build();
    _ = app.Services.GetRequiredService<ReachPolicy>();
    await app.Services.MigrateAsync();
    if (app.Services.GetRequiredService<StartOptions>().Demo)
    {
        await SeedDemoAsync(app.Services);
    }
}
catch (StartException e)
{
    await Console.Error.WriteLineAsync("reach: " + e.Message);
    return 2;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync("reach: " + string.Join(" ", e.Failures));
    return 2;
}

app.UseResponseCompression();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseErrorPages();
app.UseRequestGuards();
app.UseStaticFiles(new StaticFileOptions { FileProvider = Assets.Provider, OnPrepareResponse = Assets.SetCaching });

// Routing after the error pages, so that a browser's error page, run again in place, is routed afresh.
app.UseRouting();
app.UseRequestTimeouts();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseMemberStatusGate();
app.UseWriteMarks();

// The metrics say how much Reach is used and by which channels: for the operator, who scrapes with the admin key.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase), metrics => metrics.Use(async (context, next) =>
{
    if (AdminKeyFilter.Carries(context.Request, context.RequestServices.GetRequiredService<StartOptions>()))
    {
        await next(context);
        return;
    }

    await AdminKeyFilter.Refusal.ExecuteAsync(context);
}));

app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.MapPrometheusScrapingEndpoint("/metrics");
// Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
app.MapGet("/favicon.ico", () => TypedResults.Redirect(Assets.Versioned("/favicon.svg"), permanent: true)).ExcludeFromDescription();
app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
// Liveness (the process answers) and readiness (its database answers too: 503 when not), as health checks.
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(DatabaseReadiness.Tag) });
if (app.Configuration.GetValue<bool>("Reach:BenchHello"))
{
    // The baseline of bench/run: a bare endpoint behind the same Kestrel settings and middleware as the API.
    app.MapGet("/bench/hello", () => "Hello, world").ExcludeFromDescription();
}

app.MapAuth();
app.MapPasswordChange();
app.MapMembers();
app.MapMessages();
app.MapInvitations();
app.MapCredits();
app.MapSafety();
app.MapAdmin();
app.MapWhatIf();
app.MapNotifications();
app.MapBookmarks();
app.MapPosts();
app.MapSearch();
app.MapRazorPages();

// Where Reach listens, in plain words on standard output (the logs stay JSON, for machines).
app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
    if (addresses.FirstOrDefault() is { } address)
    {
        Console.Out.WriteLine($"Reach is listening on {string.Join(" and ", addresses)}.");
        Console.Out.WriteLine($"Open {address} in a browser; the API reference is at {address}/docs. Press Ctrl+C to stop.");
    }

    var start = app.Services.GetRequiredService<StartOptions>();
    var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reach.Server");
    var where = StartOptions.Describe(start.Database);
    var listening = string.Join(", ", addresses);
    ServerLog.Started(log, start.Database.IsPostgres ? "PostgreSQL" : "SQLite", where, start.PolicyPath ?? "defaults", start.ManualClock ? "manual" : "system", listening);
});

await app.RunAsync();
return 0;

// The demo network, with a progress bar on a terminal (plain lines when the output is redirected, as in scripts).
static async Task SeedDemoAsync(IServiceProvider services)
{
    if (Console.IsOutputRedirected)
    {
        await Reach.Demo.DemoNetwork.SeedAsync(services, Console.Out);
        return;
    }

    var said = new StringWriter();
    await Spectre.Console.AnsiConsole.Progress().StartAsync(async context =>
    {
        var task = context.AddTask("Seeding the demo network");
        await Reach.Demo.DemoNetwork.SeedAsync(services, said, progress: new Progress<double>(part => task.Value = part * 100));
        task.Value = 100;
    });
    await Console.Out.WriteAsync(said.ToString());
}

/// <summary>The host, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
