using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;
using Reach.Notifications;

namespace Reach.Data;

/// <summary>
/// The one database this process uses: its pooled EF Core contexts, its PostgreSQL data source (automatic
/// preparation of the most used statements), and on SQLite the group commit and the open connections the hot reads
/// keep their prepared statements on.
/// </summary>
public sealed class ReachDatabase : IAsyncDisposable
{
    // Statements prepared per PostgreSQL connection: the hot paths use a dozen, the cold ones many more.
    private const int AutoPrepared = 64;

    // Open SQLite read connections kept for reuse; more may be open at once, the rest are closed when returned.
    private const int KeptReaders = 64;

    // How long a standby that could not be reached is left alone before it is tried again.
    private static readonly TimeSpan StandbyRest = TimeSpan.FromSeconds(5);

    private readonly Func<ReachDb> _create;
    private long _standbyRestsUntil;
    private readonly ConcurrentQueue<SqliteConnection> _readers = new();
    private readonly string _connectionString;
    private readonly NotificationPublisher _publisher;

    private ReachDatabase(DatabaseOptions options, Func<ReachDb> create, NpgsqlDataSource? postgres, GroupCommit? group, NotificationPublisher publisher)
    {
        _publisher = publisher;
        Options = options;
        _create = create;
        Postgres = postgres;
        GroupCommit = group;
        _connectionString = options.ConnectionString;
    }

    public DatabaseOptions Options { get; }

    public bool IsPostgres => Options.IsPostgres;

    /// <summary>PostgreSQL only: the data source every connection of this process comes from.</summary>
    internal NpgsqlDataSource? Postgres { get; }

    /// <summary>PostgreSQL only: the data source of the hot reads outside transactions.</summary>
    private NpgsqlDataSource? PostgresReads { get; init; }

    /// <summary>PostgreSQL with <c>--db-read</c> only: the data source of the reads a standby may serve (<see cref="StaleReads"/>).</summary>
    private NpgsqlDataSource? Standby { get; init; }

    private Func<ReachDb>? StandbyContexts { get; init; }

    /// <summary>Whether <c>--db-read</c> names a standby for the stale-tolerant reads.</summary>
    public bool HasStandby => Standby is not null;

    /// <summary>Whether the standby was found unreachable a moment ago, so that the primary serves its reads meanwhile.</summary>
    public bool StandbyResting => Environment.TickCount64 < Interlocked.Read(ref _standbyRestsUntil);

    /// <summary>SQLite only, unless turned off: where write transactions share a commit.</summary>
    internal GroupCommit? GroupCommit { get; }

    public static ReachDatabase Open(DatabaseOptions database, NotificationPublisher publisher, ILoggerFactory logging)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.IsPostgres)
        {
            var source = new NpgsqlDataSourceBuilder(database.ConnectionString);
            if (source.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                source.ConnectionStringBuilder.MaxAutoPrepare = AutoPrepared;
                source.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }

            // Reach changes no session state, so a connection going back to the pool needs no reset (which would cost
            // every next statement on it a round of RESET commands).
            source.ConnectionStringBuilder.NoResetOnClose = true;

            source.UseLoggerFactory(logging);
            var dataSource = source.Build();

            // The hot reads' own connections keep one plan per statement, through its indexes (MessagingSql.StablePlans).
            var reads = new NpgsqlDataSourceBuilder(source.ConnectionStringBuilder.ConnectionString);
            reads.ConnectionStringBuilder.Options = (reads.ConnectionStringBuilder.Options + " " + Messaging.MessagingSql.StablePlanOptions).Trim();
            reads.UseLoggerFactory(logging);
            var options = new DbContextOptionsBuilder<PostgresReachDb>()
                .UseNpgsql(dataSource)
                .UseLoggerFactory(logging)
                .AddInterceptors(publisher)
                .Options;
            var pool = new PooledDbContextFactory<PostgresReachDb>(options);
            NpgsqlDataSource? standby = null;
            Func<ReachDb>? standbyContexts = null;
            if (database.ReadConnectionString is { } read)
            {
                // The stale-tolerant reads' own data source and contexts (StandbyReads), which only read.
                var standbySource = new NpgsqlDataSourceBuilder(read);
                standbySource.ConnectionStringBuilder.MaxAutoPrepare = source.ConnectionStringBuilder.MaxAutoPrepare;
                standbySource.ConnectionStringBuilder.AutoPrepareMinUsages = source.ConnectionStringBuilder.AutoPrepareMinUsages;
                standbySource.ConnectionStringBuilder.NoResetOnClose = true;
                standbySource.UseLoggerFactory(logging);
                standby = standbySource.Build();
                var standbyOptions = new DbContextOptionsBuilder<PostgresReachDb>()
                    .UseNpgsql(standby)
                    .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                    .UseLoggerFactory(logging)
                    .Options;
                standbyContexts = new PooledDbContextFactory<PostgresReachDb>(standbyOptions).CreateDbContext;
            }

            return new ReachDatabase(database, pool.CreateDbContext, dataSource, null, publisher)
            {
                PostgresReads = reads.Build(),
                Standby = standby,
                StandbyContexts = standbyContexts,
            };
        }

        var sqlite = new DbContextOptionsBuilder<SqliteReachDb>()
            .UseSqlite(database.ConnectionString)
            .UseLoggerFactory(logging)
            // A migration that rebuilds tables turns foreign keys off, which SQLite does outside its transaction; EF
            // warns of it at every start of a new database. Known and intended (HotPathSchema), so not a warning.
            .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning))
            .AddInterceptors(SqlitePragmas.Instance, publisher)
            .Options;
        var group = database.GroupCommit ? new GroupCommit(database.ConnectionString, publisher, database.WriteQueue) : null;
        var contexts = new PooledDbContextFactory<SqliteReachDb>(sqlite);
        return new ReachDatabase(database, contexts.CreateDbContext, null, group, publisher);
    }

    /// <summary>A context from the pool, ready for one unit of work (the caller's scope returns it).</summary>
    public ReachDb CreateContext()
    {
        var db = _create();
        db.GroupCommit = GroupCommit;
        db.Publisher = _publisher;
        db.CommittedInBatch = false;
        db.ConnectionLost = ConnectionLost;
        db.NotifySaved.Clear();
        db.NotifyAfterCommit.Clear();
        db.OutboxAfterCommit = false;
        return db;
    }

    /// <summary>A context on the standby (<c>--db-read</c>), which tracks nothing; only <see cref="StaleReads"/> asks for one.</summary>
    internal ReachDb CreateStandbyContext() =>
        (StandbyContexts ?? throw new InvalidOperationException("No standby is configured (--db-read)."))();

    /// <summary>The standby could not be reached: its idle connections are dropped and it rests for a few seconds.</summary>
    internal void StandbyLost()
    {
        Standby?.Clear();
        Interlocked.Exchange(ref _standbyRestsUntil, Environment.TickCount64 + (long)StandbyRest.TotalMilliseconds);
    }

    /// <summary>
    /// PostgreSQL: how far the primary's write-ahead log has been written, which is at least as far as every commit it
    /// has acknowledged (<see cref="ReadYourWrites"/>).
    /// </summary>
    public async Task<ulong> PrimaryPositionAsync(CancellationToken cancel)
    {
        var source = Postgres ?? throw new InvalidOperationException("Only PostgreSQL has a write-ahead log position.");
        await using var command = source.CreateCommand("SELECT pg_current_wal_lsn()");
        return (ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancel))!;
    }

    /// <summary>
    /// A connection to PostgreSQL was found lost (the server killed, restarted, or its sessions ended): the pools'
    /// idle connections are dropped, since they most likely went with it, so that the next requests open new ones
    /// instead of each finding a dead one.
    /// </summary>
    public void ConnectionLost()
    {
        Postgres?.Clear();
        PostgresReads?.Clear();
    }

    /// <summary>
    /// An open connection for reads outside any transaction: on SQLite one of the kept connections, whose hot
    /// statements stay prepared; on PostgreSQL one from the data source.
    /// </summary>
    public async ValueTask<ReadConnection> ReadAsync(CancellationToken cancel)
    {
        if (PostgresReads is { } source)
        {
            return new ReadConnection(this, await source.OpenConnectionAsync(cancel));
        }

        if (!_readers.TryDequeue(out var connection))
        {
            connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancel);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqlitePragmas.Pragmas + SqlitePragmas.ReadPragmas;
            await pragmas.ExecuteNonQueryAsync(cancel);
            StatementBatch.KeepPrepared(connection);
        }

        return new ReadConnection(this, connection);
    }

    private async ValueTask ReturnAsync(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite && _readers.Count < KeptReaders)
        {
            _readers.Enqueue(sqlite);
            return;
        }

        await connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        while (_readers.TryDequeue(out var connection))
        {
            await connection.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        if (PostgresReads is not null)
        {
            await PostgresReads.DisposeAsync();
        }

        if (Standby is not null)
        {
            await Standby.DisposeAsync();
        }

        if (GroupCommit is not null)
        {
            await GroupCommit.DisposeAsync();
        }
    }

    /// <summary>A connection lent for reads; disposing it gives it back.</summary>
    public readonly struct ReadConnection(ReachDatabase owner, DbConnection connection) : IAsyncDisposable
    {
        public DbConnection Connection => connection;

        public ValueTask DisposeAsync() => owner.ReturnAsync(connection);
    }
}

/// <summary>
/// Every SQLite connection: write-ahead log, a busy timeout instead of "database is locked", and full sync so that an
/// acknowledged write survives a crash.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";

    /// <summary>
    /// The kept read connections read the file through a memory map: a page is read where the operating system keeps
    /// it, not copied into each connection's own cache.
    /// </summary>
    public const string ReadPragmas = " PRAGMA mmap_size=1073741824;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
