using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Reach.Decisions;
using Reach.Policy;

namespace Reach.Benchmarks.Run;

/// <summary>What a what-if replay measured: how many decisions, and the time of reading them alone and of the replay.</summary>
public sealed record WhatIfResultLine(long Decisions, TimeSpan Read, TimeSpan Replay, int NowLocked);

/// <summary>
/// The what-if replay on a logged month of sends: send decisions written into the log in
/// bulk, each with the facts it was decided on (senders and recipients among 10,000 members, a tenth InMails, recipients'
/// counts rising through the month), then replayed under a candidate whose cap is a third of the bench tier's.
/// The baseline is reading the same rows, in the same order, with nothing decided.
/// </summary>
public static class WhatIfLoad
{
    private const int Members = 10_000;

    private static readonly string[] Parameters = ["$at", "$day", "$s", "$r", "$inMail", "$allowed", "$reasons", "$tier", "$facts"];

    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task FillAsync(BenchDatabase database, long decisions)
    {
        var policy = PolicyFile.Parse(Policy(receiveCap: 30));
        var tier = policy.DefaultTier;
        var toSqlite = new DateTimeOffsetToBinaryConverter();
        await using var connection = await database.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=OFF";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO "DecisionLog" ("At", "Day", "SenderId", "RecipientId", "InMail", "Allowed", "ReasonBits", "TraceBits", "Source", "SenderTier", "RecipientTier", "Facts")
            VALUES ($at, $day, $s, $r, $inMail, $allowed, $reasons, 0, 'send', $tier, $tier, $facts)
            """;
        var parameters = Parameters.Select(name =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        await insert.PrepareAsync();
        var received = new int[Members + 1];
        var step = TimeSpan.FromDays(30) / decisions;
        for (long n = 0; n < decisions; n++)
        {
            var at = Start + (step * n);
            var (sender, recipient) = ((n % Members) + 1, ((n * 7919) % Members) + 1);
            var kind = n % 10 == 0 ? MessageKind.InMail : MessageKind.Regular;
            var facts = new DecisionFacts
            {
                Sender = new Party(tier),
                Recipient = new Party(tier),
                Settings = MessagingSettings.Default,
                Now = at,
                Kind = kind,
                ColdMessagesReceived = received[recipient],
            };
            var decision = MessageRules.Decide(policy, facts);
            if (decision.Allowed && decision.CountsAgainstCap)
            {
                received[recipient]++;
            }

            parameters[0].Value = toSqlite.ConvertToProvider(at);
            parameters[1].Value = at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            parameters[2].Value = sender;
            parameters[3].Value = recipient;
            parameters[4].Value = kind == MessageKind.InMail;
            parameters[5].Value = decision.Allowed;
            parameters[6].Value = (int)decision.Reasons.Bits;
            parameters[7].Value = tier.Id;
            parameters[8].Value = LoggedFacts.Pack(facts);
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public static async Task<WhatIfResultLine> MeasureAsync(BenchDatabase database)
    {
        var candidate = PolicyFile.Parse(Policy(receiveCap: 10));
        var (from, to) = (Start, Start.AddDays(31));

        // The baseline: the same rows read in the same order, nothing decided.
        var read = Stopwatch.StartNew();
        long rows = 0;
        await using (var connection = await database.OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT "At", "SenderId", "RecipientId", "InMail", "Allowed", "ReasonBits", "SenderTier", "RecipientTier", "Facts"
                FROM "DecisionLog" WHERE "Source" = 'send' ORDER BY "Id"
                """;
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            long sum = 0;
            while (await reader.ReadAsync())
            {
                sum += reader.GetInt64(0) ^ reader.GetInt64(1) ^ reader.GetInt64(2) ^ (reader.GetBoolean(3) ? 1 : 0) ^ (reader.GetBoolean(4) ? 1 : 0)
                    ^ reader.GetInt32(5) ^ reader.GetString(6).Length ^ reader.GetString(7).Length ^ reader.GetInt64(8);
                rows++;
            }

            GC.KeepAlive(sum);
        }

        read.Stop();

        await using var services = database.Services();
        await using var scope = services.CreateAsyncScope();
        var replay = Stopwatch.StartNew();
        var result = await scope.ServiceProvider.GetRequiredService<WhatIf>().ReplayAsync(candidate, from, to, null, CancellationToken.None);
        replay.Stop();
        if (result.Report.Decisions != rows)
        {
            throw new InvalidOperationException($"The replay decided {result.Report.Decisions} of {rows} logged decisions.");
        }

        return new WhatIfResultLine(rows, read.Elapsed, replay.Elapsed, result.Report.NowLocked);
    }

    private static string Policy(int receiveCap) => BenchDatabase.PolicyJson.Replace(
        "\"receiveCap\": 1000000, \"inMailCredits\": 0, \"creditRolloverCap\": 0",
        $"\"receiveCap\": {receiveCap}, \"inMailCredits\": 50, \"creditRolloverCap\": 150",
        StringComparison.Ordinal);
}
