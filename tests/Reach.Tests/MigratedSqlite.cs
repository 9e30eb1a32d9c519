using Microsoft.Extensions.DependencyInjection;
using Reach.Policy;

namespace Reach.Tests;

/// <summary>Reach's services without a server, on a fresh SQLite database migrated to the current schema.</summary>
public sealed class MigratedSqlite : IAsyncLifetime
{
    public SqliteDatabase Database { get; } = new();

    public ServiceProvider Services { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(ReachPolicy.Default);
        services.AddSingleton(TimeProvider.System);
        services.AddReach(_ => DatabaseOptions.Parse(Database.Db));
        Services = services.BuildServiceProvider();
        await Services.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Services is not null)
        {
            await Services.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
