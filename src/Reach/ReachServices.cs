using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Bookmarks;
using Reach.Credits;
using Reach.Data;
using Reach.Invitations;
using Reach.Members;
using Reach.Messaging;
using Reach.Notifications;
using Reach.Policy;
using Reach.Safety;

namespace Reach;

/// <summary>Where Reach keeps its data: a SQLite file, or PostgreSQL by connection string (SPEC §10 <c>--db</c>).</summary>
/// <param name="IsPostgres">PostgreSQL, else SQLite.</param>
/// <param name="ConnectionString">The provider's connection string.</param>
/// <param name="GroupCommit">SQLite only: concurrent write transactions share one commit (<see cref="Data.GroupCommit"/>).</param>
public sealed record DatabaseOptions(bool IsPostgres, string ConnectionString, bool GroupCommit = true)
{
    /// <summary>The default of <see cref="WriteQueue"/>.</summary>
    public const int DefaultWriteQueue = 1024;

    /// <summary>
    /// SQLite only: how many write transactions may wait for the group commit (<c>--write-queue</c>). One more is refused
    /// at once with 503 <c>unavailable</c> instead of growing memory while the writer is stalled.
    /// </summary>
    public int WriteQueue { get; init; } = DefaultWriteQueue;

    /// <summary>
    /// PostgreSQL only: where the reads that may be a little stale go (<c>--db-read</c>, a standby's connection string, or
    /// a formation's with <c>Target Session Attributes=prefer-standby</c>); null: every read on the primary.
    /// </summary>
    public string? ReadConnectionString { get; init; }

    /// <summary>Reads <c>--db</c>: a PostgreSQL connection string (it has <c>Host=</c>), otherwise a SQLite file path.</summary>
    public static DatabaseOptions Parse(string db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseOptions(true, db);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = db, Pooling = true, DefaultTimeout = 30 };
        return new DatabaseOptions(false, builder.ToString());
    }
}

public static class ReachServices
{
    /// <summary>
    /// Registers the database, Identity's user store and every use case. The caller registers the
    /// <see cref="ReachPolicy"/> and the <see cref="TimeProvider"/>; <paramref name="database"/> is asked once, when
    /// the first database context is made.
    /// </summary>
    public static IServiceCollection AddReach(this IServiceCollection services, Func<IServiceProvider, DatabaseOptions> database)
    {
        services.AddMetrics();
        services.AddSingleton<ReachMetrics>();
        services.AddSingleton<LiveNotifications>();
        services.AddSingleton(database);
        services.AddHostedService<PostgresListener>();
        services.AddSingleton<PostgresWakeups>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgresWakeups>());
        services.AddSingleton<Outbox.OutboxSignal>();
        services.AddSingleton<Outbox.OutboxWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<Outbox.OutboxWorker>());
        services.AddSingleton(provider => ReachDatabase.Open(
            provider.GetRequiredService<DatabaseOptions>(),
            new NotificationPublisher(
                provider.GetRequiredService<LiveNotifications>(), provider.GetRequiredService<Outbox.OutboxSignal>(), provider.GetRequiredService<PostgresWakeups>()),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddScoped<ReachDb>(provider => provider.GetRequiredService<ReachDatabase>().CreateContext());
        services.AddSingleton<ReadYourWrites>();
        services.AddScoped<StaleReads>();
        services.AddIdentityCore<Member>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789_-";
                options.Password.RequiredLength = 8;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
            })
            .AddEntityFrameworkStores<ReachDb>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddSingleton<FactsReader>();
        services.AddSingleton<MemberSessions>();
        services.AddScoped<CreditLedger>();
        services.AddScoped<IdempotencyKeys>();
        services.AddScoped<AnsweredInMails>();
        services.AddSingleton<Preflight>();
        services.AddScoped<SendMessage>();
        services.AddScoped<RespondToRequest>();
        services.AddScoped<ConversationService>();
        services.AddScoped<AccountService>();
        services.AddScoped<ConnectionService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<SafetyService>();
        services.AddScoped<CreditService>();
        services.AddScoped<AdminService>();
        services.AddScoped<Decisions.WhatIf>();
        services.AddScoped<NotificationService>();
        services.AddScoped<BookmarkService>();
        services.AddScoped<Reachability>();
        services.AddScoped<Posts.PostService>();
        services.AddScoped<Hints>();
        services.AddScoped<Search.SearchService>();
        return services;
    }

    /// <summary>Applies the committed migrations of the configured provider.</summary>
    public static async Task MigrateAsync(this IServiceProvider services, CancellationToken cancel = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        await db.Database.MigrateAsync(cancel);
    }
}
