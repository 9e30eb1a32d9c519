using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reach.Policy;

namespace Reach.Benchmarks.Run;

/// <summary>
/// A database made for one part of the run: migrated by Reach, then filled in bulk with SQL (members
/// <c>m1</c>…<c>mN</c> with ids 1…N, and optionally conversations with stored messages), so that a million members
/// and ten million messages take minutes, not hours. It hands out (sender, recipient) pairs that have never written
/// to each other, so that every send of a run is a first cold message and nothing is locked.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    /// <summary>The policy of every run: one tier whose receive cap no run reaches, so every send is allowed.</summary>
    public const string PolicyJson = """
        {
          "tiers": {
            "bench": { "receiveCap": 1000000, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false }
          },
          "defaultTier": "bench",
          "premiumOnlyRecipients": [],
          "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 }
        }
        """;

    public static readonly ReachPolicy Policy = PolicyFile.Parse(PolicyJson);

    private long _nextPair;

    private BenchDatabase(string kind, DatabaseOptions options, string? postgresServer, string? postgresName, string? sqliteFile, int members)
    {
        Kind = kind;
        Options = options;
        PostgresServer = postgresServer;
        PostgresName = postgresName;
        SqliteFile = sqliteFile;
        Members = members;
    }

    /// <summary>"SQLite" or "PostgreSQL".</summary>
    public string Kind { get; }

    public DatabaseOptions Options { get; }

    public bool IsPostgres => Options.IsPostgres;

    public int Members { get; }

    public long Messages { get; private set; }

    public string? SqliteFile { get; }

    private string? PostgresServer { get; }

    private string? PostgresName { get; }

    /// <summary>A fresh SQLite file in <paramref name="folder"/>.</summary>
    public static async Task<BenchDatabase> SqliteAsync(string folder, string name, int members, long messages = 0)
    {
        var file = Path.Combine(folder, name + ".db");
        foreach (var stale in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(stale);
        }

        var database = new BenchDatabase("SQLite", DatabaseOptions.Parse(file), null, null, file, members);
        await database.FillAsync(messages);
        return database;
    }

    /// <summary>A fresh database named <paramref name="name"/> on the PostgreSQL server <paramref name="server"/>.</summary>
    public static async Task<BenchDatabase> PostgresAsync(string server, string name, int members, long messages = 0)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await Execute(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await Execute(connection, $"CREATE DATABASE {name}");
        }

        var options = DatabaseOptions.Parse(new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 200 }.ToString());
        var database = new BenchDatabase("PostgreSQL", options, server, name, null, members);
        await database.FillAsync(messages);
        return database;
    }

    /// <summary>Reach's services on this database, as the server builds them (logging off).</summary>
    public ServiceProvider Services(bool groupCommit = true)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Policy);
        services.AddSingleton(TimeProvider.System);
        services.AddReach(_ => Options with { GroupCommit = groupCommit });
        return services.BuildServiceProvider();
    }

    /// <summary>A plain connection to the database with the pragmas Reach uses (SQLite: WAL, synchronous=FULL).</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(Options.ConnectionString) : new SqliteConnection(Options.ConnectionString);
        await connection.OpenAsync();
        if (!IsPostgres)
        {
            await Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        }

        return connection;
    }

    /// <summary>
    /// The next <paramref name="count"/> pairs that have never written to each other: pair j is sender j mod N and the
    /// member 2 + j div N places after it (the bulk conversations join neighbours only), so consecutive pairs have
    /// different senders.
    /// </summary>
    public (long Sender, long Recipient)[] FreshPairs(int count)
    {
        var pairs = new (long, long)[count];
        for (var i = 0; i < count; i++)
        {
            var j = _nextPair++;
            var sender = j % Members;
            var offset = 2 + (j / Members);
            pairs[i] = (sender + 1, ((sender + offset) % Members) + 1);
        }

        return pairs;
    }

    /// <summary>Pairs of fresh senders (never used by <see cref="FreshPairs"/> in this run) with one recipient.</summary>
    public (long Sender, long Recipient)[] ToOne(long recipient, int count)
    {
        var pairs = new (long, long)[count];
        for (var i = 0; i < count; i++)
        {
            var j = _nextPair++;
            var sender = (j % Members) + 1;
            pairs[i] = (sender == recipient ? (sender % Members) + 1 : sender, recipient);
        }

        return pairs;
    }

    public async ValueTask DisposeAsync()
    {
        if (IsPostgres)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync();
            await Execute(connection, $"DROP DATABASE IF EXISTS {PostgresName} WITH (FORCE)");
        }
        else
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { SqliteFile!, SqliteFile + "-wal", SqliteFile + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    private static async Task Execute(DbConnection connection, string sql, int timeoutSeconds = 0)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeoutSeconds;
        await command.ExecuteNonQueryAsync();
    }

    private async Task FillAsync(long messages)
    {
        await using (var services = Services())
        {
            await services.MigrateAsync();
        }

        var created = DateTimeOffset.UtcNow.AddYears(-1);
        await using var connection = await OpenAsync();
        if (IsPostgres)
        {
            await FillPostgresAsync(connection, created, messages);
        }
        else
        {
            await FillSqliteAsync(connection, created, messages);
        }

        Messages = messages;
    }

    private async Task FillSqliteAsync(DbConnection connection, DateTimeOffset created, long messages)
    {
        var at = (long)new DateTimeOffsetToBinaryConverter().ConvertToProvider(created)!;
        await Execute(connection, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
        await Execute(connection, $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Members})
            INSERT INTO "Members" ("Id", "Handle", "DisplayName", "OpenToWork", "TierId", "Status", "WhoCanMessage", "AcceptInMail",
                "OpenProfile", "CreditBalance", "Version", "CreatedAt", "UserName", "NormalizedUserName", "Email", "NormalizedEmail",
                "EmailConfirmed", "SecurityStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            SELECT i, 'member' || i, 'Member ' || i, 0, 'bench', 'Active', 'Anyone', 1, 0, 0, 0, {at}, 'member' || i, 'MEMBER' || i,
                'member' || i || '@bench.reach', 'MEMBER' || i || '@BENCH.REACH', 1, 'bench', 0, 0, 1, 0 FROM n
            """);
        if (messages > 0)
        {
            // About ten messages in each conversation of neighbours (i, i + 1), written both ways.
            var (conversations, per) = Spread(messages);
            await Execute(connection, $"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {conversations})
                INSERT INTO "Conversations" ("Id", "LowId", "HighId", "Declined", "LowHasWritten", "HighHasWritten", "LowUnansweredCold",
                    "HighUnansweredCold", "LowUnansweredInMail", "HighUnansweredInMail", "CreatedAt", "LastMessageAt")
                SELECT i, i, i + 1, 0, 1, 1, 0, 0, 0, 0, {at}, {at} FROM n
                """);
            await Execute(connection, $"""
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {messages - 1})
                INSERT INTO "Messages" ("ConversationId", "SenderId", "RecipientId", "Body", "Channel", "CreditsCharged", "CreditReturned", "SentAt")
                SELECT (i / {per}) + 1, (i / {per}) + 1 + (i % 2), (i / {per}) + 2 - (i % 2),
                    'A stored message of the benchmark data set.', 'conversation', 0, 0, {at} FROM n
                """);
        }

        // The bulk load ran with synchronous=OFF, so its pages may still be waiting in the system's cache: flushed here,
        // by a checkpoint with synchronous=FULL, so that the first checkpoint of a measured send does not pay for them.
        await Execute(connection, "ANALYZE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA wal_checkpoint(TRUNCATE);");
    }

    // How many conversations of neighbours hold the messages, and how many messages each: about ten, and never more
    // conversations than there are neighbour pairs.
    private (long Conversations, long PerConversation) Spread(long messages)
    {
        var conversations = Math.Min(Math.Max(1, messages / 10), Members - 1);
        var per = (messages + conversations - 1) / conversations;
        return ((messages + per - 1) / per, per);
    }

    private async Task FillPostgresAsync(DbConnection connection, DateTimeOffset created, long messages)
    {
        var at = created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "+00";
        await Execute(connection, "SET synchronous_commit = off");
        await Execute(connection, $"""
            INSERT INTO "Members" ("Id", "Handle", "DisplayName", "OpenToWork", "TierId", "Status", "WhoCanMessage", "AcceptInMail",
                "OpenProfile", "CreditBalance", "Version", "CreatedAt", "UserName", "NormalizedUserName", "Email", "NormalizedEmail",
                "EmailConfirmed", "SecurityStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            SELECT i, 'member' || i, 'Member ' || i, false, 'bench', 'Active', 'Anyone', true, false, 0, 0, '{at}', 'member' || i, 'MEMBER' || i,
                'member' || i || '@bench.reach', 'MEMBER' || i || '@BENCH.REACH', true, 'bench', false, false, true, 0
            FROM generate_series(1, {Members}) i;
            SELECT setval(pg_get_serial_sequence('"Members"', 'Id'), {Members});
            """);
        if (messages > 0)
        {
            var (conversations, per) = Spread(messages);
            await Execute(connection, $"""
                INSERT INTO "Conversations" ("Id", "LowId", "HighId", "Declined", "LowHasWritten", "HighHasWritten", "LowUnansweredCold",
                    "HighUnansweredCold", "LowUnansweredInMail", "HighUnansweredInMail", "CreatedAt", "LastMessageAt")
                SELECT i, i, i + 1, false, true, true, 0, 0, 0, 0, '{at}', '{at}'
                FROM generate_series(1, {conversations}) i;
                SELECT setval(pg_get_serial_sequence('"Conversations"', 'Id'), {conversations});
                INSERT INTO "Messages" ("ConversationId", "SenderId", "RecipientId", "Body", "Channel", "CreditsCharged", "CreditReturned", "SentAt")
                SELECT (i / {per}) + 1, (i / {per}) + 1 + (i % 2), (i / {per}) + 2 - (i % 2),
                    'A stored message of the benchmark data set.', 'conversation', 0, false, '{at}'
                FROM generate_series(0, {messages - 1}) i;
                """);
        }

        await Execute(connection, "CHECKPOINT");
        await Execute(connection, "VACUUM ANALYZE");
    }
}
