using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Reach.Tests;

/// <summary>
/// The served API document judged by third-party tools: Redocly's linter with its recommended rules, and a client
/// generated from it by Kiota that walks the README's journey (<c>GeneratedClient/Journey.cs</c>). If the document lies
/// about an operation, a field, a type or a problem, the generated client fails to compile or the journey fails.
/// </summary>
public sealed class ApiDocumentTests : IAsyncLifetime
{
    private readonly SqliteDatabase _database = new();
    private ReachHost? _host;
    private string _folder = string.Empty;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _host = new ReachHost(_database.Db);
        _folder = Directory.CreateTempSubdirectory("reach-openapi-").FullName;
        var document = await _host.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        await File.WriteAllTextAsync(DocumentPath, document);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string DocumentPath => Path.Combine(_folder, "openapi.json");

    [Fact]
    public async Task TheDocumentLintsCleanWithRedoclysRecommendedRules()
    {
        var output = await RunAsync("npx", _folder, "--yes", "@redocly/cli@2.77.0", "lint", DocumentPath, "--format=json", "--max-problems=1000");
        var report = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        var problems = string.Join("\n", report.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity")} {p.GetProperty("ruleId")}: {p.GetProperty("message")} at {p.GetProperty("location")[0].GetProperty("pointer")}"));
        Assert.True(report.GetProperty("totals").GetProperty("errors").GetInt32() == 0, problems);
        Assert.True(report.GetProperty("totals").GetProperty("warnings").GetInt32() <= 10, problems);
    }

    [Fact]
    public async Task AClientGeneratedFromTheDocumentWalksTheReadmeJourney()
    {
        var root = RepositoryRoot();
        var generated = Path.Combine(_folder, "client");
        await RunAsync("dotnet", root, "tool", "restore");
        await RunAsync("dotnet", root, "kiota", "generate", "--language", "CSharp", "--openapi", DocumentPath, "--output", generated,
            "--class-name", "ReachClient", "--namespace-name", "Reach.Client", "--exclude-backward-compatible");

        var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: ["NET", "NETCOREAPP", "NETCOREAPP3_1_OR_GREATER", "NETSTANDARD2_1_OR_GREATER"]);
        var journey = Path.Combine(AppContext.BaseDirectory, "GeneratedClient", "Journey.cs");
        var sources = Directory.EnumerateFiles(generated, "*.cs", SearchOption.AllDirectories).Append(journey)
            .Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(file), parse, file));
        // The platform and the libraries the client needs, not Reach's own assemblies: the client knows only the document.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Reach.", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Reach.Client", sources, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));

        var context = new AssemblyLoadContext("generated-client", isCollectible: true);
        try
        {
            image.Position = 0;
            var run = context.LoadFromStream(image).GetType("Reach.Client.Journey.Journey")!.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Static)!;
            Func<HttpClient> newHttp = () => _host!.CreateClient();
            var steps = await (Task<IReadOnlyList<string>>)run.Invoke(null, [newHttp, ReachHost.AdminKey])!;
            Assert.Equal(["registered and signed in", "locked, with reasons and remedies", "invited, accepted, sent", "read and answered", "admin and credits", "refreshed and signed out"], steps);
        }
        finally
        {
            context.Unload();
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Reach.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root (Reach.slnx) was not found.");
    }

    private static async Task<string> RunAsync(string program, string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Kiota would look for a newer version of itself on GitHub at every run.
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
        return await output;
    }
}
