using System.Diagnostics.Metrics;
using Reach.Policy;

namespace Reach;

/// <summary>
/// Reach's own metrics (SPEC §10), recorded by the use cases so that a decision or a send made from a page counts
/// like one made through the API: <c>reach.decisions</c> by outcome, reason and source (every reason of the
/// decision, whatever the explain mode shows the sender), and <c>reach.sends</c> by channel. The data layer's
/// (statements, group-commit batches, retries) are in <see cref="Data.DataMetrics"/>. Exported at <c>/metrics</c>.
/// </summary>
public sealed class ReachMetrics
{
    public const string MeterName = "Reach";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _sends;

    public ReachMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("reach.decisions", unit: "{decision}", description: "Decisions by outcome and reason (a locked decision once for each reason).");
        _sends = meter.CreateCounter<long>("reach.sends", unit: "{message}", description: "Messages delivered, by channel.");
    }

    /// <summary>A decision made: <paramref name="source"/> is <c>preflight</c> or <c>send</c>.</summary>
    public void Decided(in Decision decision, string source)
    {
        if (decision.Allowed)
        {
            _decisions.Add(1, new("outcome", "allowed"), new("reason", "none"), new("source", source));
            return;
        }

        if (decision.Reasons.IsEmpty)
        {
            _decisions.Add(1, new("outcome", "locked"), new("reason", decision.Error == DecisionError.None ? "none" : "error"), new("source", source));
        }

        foreach (var reason in decision.Reasons)
        {
            _decisions.Add(1, new("outcome", "locked"), new("reason", reason.Code()), new("source", source));
        }
    }

    /// <summary>A message delivered on <paramref name="channel"/>: its send's decision allowed it.</summary>
    public void Sent(string channel)
    {
        _decisions.Add(1, new("outcome", "allowed"), new("reason", "none"), new("source", "send"));
        _sends.Add(1, new KeyValuePair<string, object?>("channel", channel));
    }
}
