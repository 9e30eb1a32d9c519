using Microsoft.Data.Sqlite;
using Reach.Messaging;

namespace Reach.Tests;

/// <summary>
/// The pair's statement reads each fact by its key on SQLite: the pre-flight's cost must not grow with what a member
/// has done before (every invitation they ever sent, every message of the month).
/// </summary>
public sealed class PairStatementPlanTests : IAsyncLifetime
{
    private readonly MigratedSqlite _sqlite = new();

    public ValueTask InitializeAsync() => _sqlite.InitializeAsync();

    public ValueTask DisposeAsync() => _sqlite.DisposeAsync();

    public static TheoryData<string> Statements => ["handle", "recipient", "conversation"];

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task EveryLookupOfThePairStatementIsByTheWholeKey(string key)
    {
        var cancel = TestContext.Current.CancellationToken;
        var statement = key switch
        {
            "handle" => MessagingSql.PairByHandle,
            "recipient" => MessagingSql.PairById,
            _ => MessagingSql.PairByConversation,
        };
        await using var connection = new SqliteConnection($"Data Source={_sqlite.Database.Db}");
        await connection.OpenAsync(cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + statement.Sqlite;
        for (var i = 0; i < statement.ParameterCount; i++)
        {
            command.Parameters.AddWithValue("@" + statement.ParameterName(i), 1);
        }

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancel))
        {
            while (await reader.ReadAsync(cancel))
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.NotEmpty(plan);
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        // The pair's invitations by sender and recipient, not every invitation of the sender by date.
        Assert.DoesNotContain(plan, step => step.Contains("IX_Invitations_FromId_SentAt (FromId=?)", StringComparison.Ordinal));
        Assert.Equal(2, plan.Count(step => step.Contains("IX_Invitations_FromId_ToId (FromId=? AND ToId=?)", StringComparison.Ordinal)));
    }
}
