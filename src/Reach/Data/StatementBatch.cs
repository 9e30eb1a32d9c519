using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace Reach.Data;

/// <summary>
/// Hot statements sent together: on PostgreSQL one batch, one round trip (Npgsql prepares each statement on the
/// server after its second use); on SQLite one prepared command after another, each kept prepared on its
/// connection and only re-bound. Each statement that returns rows (a query, a write with <c>RETURNING</c>) gives one
/// result set, in the order they were added; the others give none, as in an ADO.NET batch.
/// </summary>
public abstract class StatementBatch : IAsyncDisposable
{
    private int _count;

    /// <summary>How many result sets the statements added so far give: the index of the next one's.</summary>
    public int Results { get; private set; }

    /// <summary>A batch on the connection and transaction of <paramref name="db"/>, which must be open.</summary>
    public static StatementBatch On(ReachDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return On(db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction());
    }

    /// <summary>A batch on an open connection, in <paramref name="transaction"/> when it is given.</summary>
    public static StatementBatch On(DbConnection connection, DbTransaction? transaction) => connection switch
    {
        NpgsqlConnection postgres => new PostgresBatch(postgres, (NpgsqlTransaction?)transaction),
        SqliteConnection sqlite => new SqliteBatch(sqlite, (SqliteTransaction?)transaction),
        _ => throw new ArgumentException("Reach runs on SQLite or PostgreSQL.", nameof(connection)),
    };

    /// <summary>Adds a statement; its parameters are set on what this returns.</summary>
    public Parameters Add(Statement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        Results += statement.ReturnsRows ? 1 : 0;
        _count++;
        return AddStatement(statement);
    }

    /// <summary>Runs the statements; the reader stands on the first result set.</summary>
    public async Task<BatchReader> ExecuteAsync(CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        // A span while tracing: on PostgreSQL the round trip, on SQLite the first statement (the others run as they are read).
        using var activity = ReachActivity.Source.StartActivity("db.batch", ActivityKind.Client);
        activity?.SetTag("db.statements", _count);
        var reader = await RunAsync(cancel);
        reader.Measured(_count, started);
        return reader;
    }

    protected abstract Task<BatchReader> RunAsync(CancellationToken cancel);

    internal static void Record(int statements, long started)
    {
        DataMetrics.Statements.Add(statements);
        DataMetrics.BatchDurations.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Runs the statements, with no result to read.</summary>
    public async Task ExecuteNonQueryAsync(CancellationToken cancel)
    {
        var reader = await ExecuteAsync(cancel);
        await reader.DisposeAsync();
    }

    public abstract ValueTask DisposeAsync();

    protected abstract Parameters AddStatement(Statement statement);

    private sealed class PostgresBatch(NpgsqlConnection connection, NpgsqlTransaction? transaction) : StatementBatch
    {
        private readonly NpgsqlBatch _batch = new(connection, transaction);

        protected override Parameters AddStatement(Statement statement)
        {
            var command = new NpgsqlBatchCommand(statement.Postgres);
            for (var i = 0; i < statement.ParameterCount; i++)
            {
                command.Parameters.Add(new NpgsqlParameter());
            }

            _batch.BatchCommands.Add(command);
            return new Parameters(command.Parameters, statement, postgres: true);
        }

        protected override async Task<BatchReader> RunAsync(CancellationToken cancel) =>
            new PostgresReader(await _batch.ExecuteReaderAsync(cancel));

        public override ValueTask DisposeAsync() => _batch.DisposeAsync();
    }

    /// <summary>
    /// Keeps the statements run on <paramref name="connection"/> prepared for as long as it stays open. Only for
    /// connections their owner keeps open (the group commit's, the kept readers): Microsoft.Data.Sqlite hands a closed
    /// connection's native handle to another connection object, and a statement kept across that would run on it.
    /// </summary>
    internal static void KeepPrepared(SqliteConnection connection) => SqliteBatch.Keep(connection);

    private sealed class SqliteBatch(SqliteConnection connection, SqliteTransaction? transaction) : StatementBatch
    {
        // Microsoft.Data.Sqlite keeps a statement prepared only in the command that prepared it: the commands of a
        // kept connection are kept with it and reused, so that a statement is parsed and planned once. A statement
        // added several times to one batch (a page of search results) has a command for each time.
        private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<Statement, List<SqliteCommand>>> Prepared = [];

        private readonly List<(SqliteCommand? Command, bool ReturnsRows)> _commands = [];
        private List<SqliteCommand>? _transient;

        public static void Keep(SqliteConnection connection) => Prepared.TryAdd(connection, []);

        protected override Parameters AddStatement(Statement statement)
        {
            if (statement.PostgresOnly)
            {
                _commands.Add((null, statement.ReturnsRows));
                return default;
            }

            SqliteCommand command;
            if (Prepared.TryGetValue(connection, out var prepared))
            {
                if (!prepared.TryGetValue(statement, out var commands))
                {
                    prepared.Add(statement, commands = []);
                }

                var uses = 0;
                foreach (var (used, _) in _commands)
                {
                    uses += used is not null && commands.Contains(used) ? 1 : 0;
                }

                if (uses == commands.Count)
                {
                    commands.Add(Create(statement));
                }

                command = commands[uses];
            }
            else
            {
                command = Create(statement);
                (_transient ??= []).Add(command);
            }

            command.Transaction = transaction;
            _commands.Add((command, statement.ReturnsRows));
            return new Parameters(command.Parameters, statement, postgres: false);
        }

        private SqliteCommand Create(Statement statement)
        {
            var command = connection.CreateCommand();
            command.CommandText = statement.Sqlite;
            for (var i = 0; i < statement.ParameterCount; i++)
            {
                command.Parameters.Add(new SqliteParameter("@" + statement.ParameterName(i), DBNull.Value));
            }

            return command;
        }

        protected override Task<BatchReader> RunAsync(CancellationToken cancel)
        {
            var reader = new SqliteReader(_commands, cancel);
            reader.Start();
            return Task.FromResult<BatchReader>(reader);
        }

        public override ValueTask DisposeAsync()
        {
            foreach (var command in _transient ?? [])
            {
                command.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresReader(NpgsqlDataReader reader) : BatchReader(reader, postgres: true)
    {
        protected override Task<bool> NextAsync() => reader.NextResultAsync();

        public override async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync();
            Done();
        }
    }

    // Runs the commands when their results are reached, so that each sees the writes of the ones before it; the
    // commands that give no result set run on the way to the next one that does.
    private sealed class SqliteReader(List<(SqliteCommand? Command, bool ReturnsRows)> commands, CancellationToken cancel) : BatchReader(null, postgres: false)
    {
        private int _next;

        /// <summary>Runs the statements up to the first that gives a result set.</summary>
        public void Start() => Next();

        protected override Task<bool> NextAsync()
        {
            Current?.Dispose();
            Current = null;
            return Task.FromResult(Next());
        }

        // Microsoft.Data.Sqlite runs every command synchronously (its async methods only wrap the same calls).
        private bool Next()
        {
            while (_next < commands.Count)
            {
                cancel.ThrowIfCancellationRequested();
                var (command, returnsRows) = commands[_next++];
                if (!returnsRows)
                {
                    command?.ExecuteNonQuery();
                    continue;
                }

                // A statement SQLite skips gives an empty result set, as its PostgreSQL twin gives one.
                Current = command?.ExecuteReader();
                return true;
            }

            return false;
        }

        public override ValueTask DisposeAsync()
        {
            Current?.Dispose();
            Current = null;

            // The statements not reached still run, as they do in a PostgreSQL batch.
            while (_next < commands.Count)
            {
                commands[_next++].Command?.ExecuteNonQuery();
            }

            Done();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The parameters of one statement of a batch, set by name; instants are converted for the database.</summary>
public readonly struct Parameters
{
    private static readonly Func<DateTimeOffset, long> ToSqlite = new DateTimeOffsetToBinaryConverter().ConvertToProviderTyped;

    private readonly DbParameterCollection? _collection;
    private readonly Statement? _statement;
    private readonly bool _postgres;

    internal Parameters(DbParameterCollection collection, Statement statement, bool postgres) =>
        (_collection, _statement, _postgres) = (collection, statement, postgres);

    public Parameters Set(string name, long value) => Put(name, value, NpgsqlDbType.Bigint);

    public Parameters Set(string name, long? value) => Put(name, value, NpgsqlDbType.Bigint);

    public Parameters Set(string name, int value) => Put(name, value, NpgsqlDbType.Integer);

    public Parameters Set(string name, bool value) => Put(name, value, NpgsqlDbType.Boolean);

    public Parameters Set(string name, string? value) => Put(name, value, NpgsqlDbType.Text);

    public Parameters Set(string name, DateTimeOffset value) => _postgres ? Put(name, value, NpgsqlDbType.TimestampTz) : Put(name, ToSqlite(value), NpgsqlDbType.Bigint);

    public Parameters Set(string name, DateTimeOffset? value) => value is { } v ? Set(name, v) : Put(name, null, _postgres ? NpgsqlDbType.TimestampTz : NpgsqlDbType.Bigint);

    private Parameters Put(string name, object? value, NpgsqlDbType type)
    {
        if (_statement is null)
        {
            return this; // a statement this database skips
        }

        var parameter = _collection![_statement.IndexOf(name)];
        parameter.Value = value ?? DBNull.Value;
        if (_postgres)
        {
            ((NpgsqlParameter)parameter).NpgsqlDbType = type;
        }

        return this;
    }
}

/// <summary>Reads the results of a <see cref="StatementBatch"/>: one result set per statement, in order.</summary>
public abstract class BatchReader(DbDataReader? reader, bool postgres) : IAsyncDisposable
{
    private static readonly Func<long, DateTimeOffset> FromSqlite = new DateTimeOffsetToBinaryConverter().ConvertFromProviderTyped;

    private int _result;
    private int _statements;
    private long _started;

    protected DbDataReader? Current { get; set; } = reader;

    /// <summary>Moves to the next result set.</summary>
    public async Task<bool> NextResultAsync()
    {
        var moved = await NextAsync();
        _result += moved ? 1 : 0;
        return moved;
    }

    /// <summary>Moves on to result set <paramref name="result"/> (see <see cref="StatementBatch.Results"/>).</summary>
    public async Task MoveToAsync(int result)
    {
        while (_result < result)
        {
            if (!await NextResultAsync())
            {
                throw new InvalidOperationException($"The batch gave no result set {result}.");
            }
        }
    }

    protected abstract Task<bool> NextAsync();

    public Task<bool> ReadAsync() => Current is { } reader ? reader.ReadAsync() : Task.FromResult(false);

    public bool IsNull(int ordinal) => Current!.IsDBNull(ordinal);

    public long GetInt64(int ordinal) => Current!.GetInt64(ordinal);

    public long? GetInt64OrNull(int ordinal) => IsNull(ordinal) ? null : GetInt64(ordinal);

    public int GetInt32(int ordinal) => Current!.GetInt32(ordinal);

    public int GetInt32OrZero(int ordinal) => IsNull(ordinal) ? 0 : GetInt32(ordinal);

    public bool GetBoolean(int ordinal) => Current!.GetBoolean(ordinal);

    public bool GetBooleanOrFalse(int ordinal) => !IsNull(ordinal) && GetBoolean(ordinal);

    public string GetString(int ordinal) => Current!.GetString(ordinal);

    public string? GetStringOrNull(int ordinal) => IsNull(ordinal) ? null : GetString(ordinal);

    public DateTimeOffset GetInstant(int ordinal) =>
        postgres ? Current!.GetFieldValue<DateTimeOffset>(ordinal) : FromSqlite(Current!.GetInt64(ordinal));

    public DateTimeOffset? GetInstantOrNull(int ordinal) => IsNull(ordinal) ? null : GetInstant(ordinal);

    public abstract ValueTask DisposeAsync();

    internal void Measured(int statements, long started) => (_statements, _started) = (statements, started);

    /// <summary>The batch is read to its end: its statements and time are recorded.</summary>
    protected void Done()
    {
        if (_statements > 0)
        {
            StatementBatch.Record(_statements, _started);
            _statements = 0;
        }
    }
}
