using Reach.Data;
using Reach.Policy;

namespace Reach.Decisions;

/// <summary>Records decisions for operators, in the transaction of the send they decided.</summary>
public sealed class DecisionLog(ReachDb db)
{
    public void Record(long senderId, long recipientId, Decision decision, string source, DateTimeOffset now) =>
        db.DecisionLog.Add(new DecisionLogEntry
        {
            At = now,
            Day = now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            SenderId = senderId,
            RecipientId = recipientId,
            InMail = decision.Kind == MessageKind.InMail,
            Allowed = decision.Allowed,
            ReasonBits = (int)decision.Reasons.Bits,
            TraceBits = (long)decision.Trace.Bits,
            Source = source,
        });
}
