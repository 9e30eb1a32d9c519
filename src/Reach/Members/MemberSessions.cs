using System.Collections.Concurrent;
using System.Security.Cryptography;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

/// <summary>What a signed-in request needs to know of its member beyond its token: the security stamp in force and the status.</summary>
public readonly record struct SessionState(string Stamp, AccountStatus Status);

/// <summary>
/// Whether a member's sign-in still holds: every token and cookie carries the security stamp it was issued under, and
/// it holds only while that is the member's stamp (signing out, changing the password or a status change by the
/// operator rotate it) and the member is not deactivated. Read for every signed-in request, so kept in memory: a change
/// made by this process is seen by its next request; one made by another process on the same database within
/// <see cref="Freshness"/>.
/// </summary>
public sealed class MemberSessions(ReachDatabase database)
{
    /// <summary>How long a member's stamp and status are taken from memory before they are read again.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    private static readonly Statement Read = new("""SELECT "SecurityStamp", "Status" FROM "Members" WHERE "Id" = @id""", "id");

    private readonly ConcurrentDictionary<long, (SessionState State, long ReadAt)> _states = new();

    /// <summary>A new security stamp: a random value that no earlier token or cookie carries.</summary>
    public static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

    /// <summary>The member's stamp and status as they are now (null: no such member).</summary>
    public async ValueTask<SessionState?> CurrentAsync(long memberId, CancellationToken cancel)
    {
        // Real time, like the tokens themselves: the manual clock moves the rules, not sign-in.
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_states.TryGetValue(memberId, out var known) && System.Diagnostics.Stopwatch.GetElapsedTime(known.ReadAt, now) < Freshness)
        {
            return known.State;
        }

        SessionState? state = null;
        await using (var read = await database.ReadAsync(cancel))
        {
            await using var batch = StatementBatch.On(read.Connection, null);
            batch.Add(Read).Set("id", memberId);
            await using var reader = await batch.ExecuteAsync(cancel);
            if (await reader.ReadAsync())
            {
                state = new SessionState(reader.IsNull(0) ? string.Empty : reader.GetString(0), Enum.Parse<AccountStatus>(reader.GetString(1)));
            }
        }

        if (state is { } found)
        {
            _states[memberId] = (found, now);
        }
        else
        {
            _states.TryRemove(memberId, out _);
        }

        return state;
    }

    /// <summary>Drops what this process knows of the member: called after their stamp or status changed.</summary>
    public void Forget(long memberId) => _states.TryRemove(memberId, out _);
}
