using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Decisions;

/// <summary>A member whose decisions a replay changed, by handle.</summary>
public sealed record AffectedHandle(string Handle, int Changed);

/// <summary>A replay's report, with the most affected members named.</summary>
public sealed record WhatIfResult(ReplayReport Report, IReadOnlyList<AffectedHandle> Senders, IReadOnlyList<AffectedHandle> Recipients);

/// <summary>
/// Policy what-if: the send decisions logged from <c>from</c> to <c>to</c> decided again under a candidate policy
/// (<see cref="PolicyReplay"/>), read from the log in one pass, in the order they were made (commit order, the order
/// in which they changed the counters). Nothing is written.
/// </summary>
public sealed class WhatIf(ReachDb db, ReachPolicy policy)
{
    private static readonly Statement Count = new("""
        SELECT count(*) FROM "DecisionLog" WHERE "Source" = 'send' AND "At" >= @from AND "At" < @to
        """, "from", "to");

    private static readonly Statement Sends = new("""
        SELECT "At", "SenderId", "RecipientId", "InMail", "Allowed", "ReasonBits", "SenderTier", "RecipientTier", "Facts"
        FROM "DecisionLog" WHERE "Source" = 'send' AND "At" >= @from AND "At" < @to ORDER BY "Id"
        """, "from", "to");

    /// <summary>Replays the period under <paramref name="candidate"/>; <paramref name="progress"/> hears the share done.</summary>
    public async Task<WhatIfResult> ReplayAsync(
        ReachPolicy candidate, DateTimeOffset from, DateTimeOffset to, IProgress<double>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        await db.Database.OpenConnectionAsync(cancel);
        try
        {
            long total = 0;
            if (progress is not null)
            {
                await using var counting = StatementBatch.On(db);
                counting.Add(Count).Set("from", from).Set("to", to);
                await using var counted = await counting.ExecuteAsync(cancel);
                await counted.ReadAsync();
                total = counted.GetInt64(0);
            }

            var replay = new PolicyReplay(policy, candidate, from);
            await using (var batch = StatementBatch.On(db))
            {
                batch.Add(Sends).Set("from", from).Set("to", to);
                await using var reader = await batch.ExecuteAsync(cancel);
                long read = 0;
                while (await reader.ReadAsync())
                {
                    replay.Add(new LoggedDecision(
                        reader.GetInstant(0), reader.GetInt64(1), reader.GetInt64(2),
                        reader.GetBoolean(3) ? MessageKind.InMail : MessageKind.Regular, reader.GetBoolean(4), (uint)reader.GetInt32(5),
                        reader.GetStringOrNull(6), reader.GetStringOrNull(7), reader.GetInt64OrNull(8)));
                    if (progress is not null && ++read % 65_536 == 0)
                    {
                        progress.Report(total == 0 ? 1 : Math.Min(1, (double)read / total));
                    }
                }
            }

            progress?.Report(1);
            var report = replay.Report();
            var ids = report.MostAffectedSenders.Concat(report.MostAffectedRecipients).Select(m => m.MemberId).Distinct().ToList();
            var handles = await db.Members.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Handle, cancel);
            return new WhatIfResult(
                report,
                [.. report.MostAffectedSenders.Select(m => new AffectedHandle(handles.GetValueOrDefault(m.MemberId, "?"), m.Changed))],
                [.. report.MostAffectedRecipients.Select(m => new AffectedHandle(handles.GetValueOrDefault(m.MemberId, "?"), m.Changed))]);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
