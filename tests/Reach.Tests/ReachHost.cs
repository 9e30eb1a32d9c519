using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Reach.Tests;

/// <summary>Which database a host runs on. Each test class gets a fresh database of its own.</summary>
public abstract class Database : IAsyncLifetime
{
    public abstract string Name { get; }

    /// <summary>The value of <c>--db</c>.</summary>
    public abstract string Db { get; }

    public abstract ValueTask InitializeAsync();

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteDatabase : Database
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "reach-tests", Guid.NewGuid().ToString("N"));

    public override string Name => "SQLite";

    public override string Db => Path.Combine(_folder, "reach.db");

    public override ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection: the temp folder is cleaned by the machine.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A fresh database on the PostgreSQL server named by <c>REACH_TEST_POSTGRES</c> (test.sh starts one). Without it
/// these tests fail rather than skip: PostgreSQL is the production database.
/// </summary>
public sealed class PostgresDatabase : Database
{
    private readonly string _name = "reach_" + Guid.NewGuid().ToString("N")[..16];

    public static string Server => Environment.GetEnvironmentVariable("REACH_TEST_POSTGRES")
        ?? throw new InvalidOperationException("Set REACH_TEST_POSTGRES to a PostgreSQL connection string (./test.sh starts a server and sets it).");

    public override string Name => "PostgreSQL";

    public override string Db => new NpgsqlConnectionStringBuilder(Server) { Database = _name, MaxPoolSize = 200 }.ToString();

    public override async ValueTask InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {_name}", connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A Reach server in memory on one database, with the manual clock and a known admin key.</summary>
public sealed class ReachHost(string db, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("db", db);
        builder.UseSetting("admin-key", AdminKey);
        builder.UseSetting("clock", "manual");
        // Tests sign hundreds of members up from one address and send in bursts: without a policy of their own, they
        // run with the abuse limits off (the tests of the limits give theirs).
        builder.UseSetting("policy", TestPolicy.WithoutLimits);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        // Real Identity hashing, with fewer rounds so that tests can sign up hundreds of members quickly.
        builder.ConfigureServices(collection =>
        {
            collection.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000);
            // The reliability suite's long form keeps one token per member for longer than an access token's 15 minutes.
            collection.PostConfigure<Microsoft.AspNetCore.Authentication.BearerToken.BearerTokenOptions>(
                IdentityConstants.BearerScheme, options => options.BearerTokenExpiration = TimeSpan.FromHours(10));
            services?.Invoke(collection);
        });
    }
}
