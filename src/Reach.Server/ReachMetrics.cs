using System.Diagnostics.Metrics;
using Reach.Messaging;
using Reach.Policy;

namespace Reach.Server;

/// <summary>
/// OpenTelemetry metrics (SPEC §10): <c>reach.decisions</c> by outcome, reason and source, and <c>reach.sends</c> by
/// channel. Exported for scraping at <c>/metrics</c>.
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
        _decisions = meter.CreateCounter<long>("reach.decisions", description: "Decisions by outcome and reason.");
        _sends = meter.CreateCounter<long>("reach.sends", description: "Messages delivered, by channel.");
    }

    public void Decided(Decision decision, string source)
    {
        if (decision.Allowed)
        {
            _decisions.Add(1, new("outcome", "allowed"), new("reason", "none"), new("source", source));
            return;
        }

        if (decision.Reasons.IsEmpty)
        {
            _decisions.Add(1, new("outcome", "locked"), new("reason", "unexplained"), new("source", source));
        }

        foreach (var reason in decision.Reasons)
        {
            _decisions.Add(1, new("outcome", "locked"), new("reason", reason.Code()), new("source", source));
        }
    }

    public void Sent(SendResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _decisions.Add(1, new("outcome", "allowed"), new("reason", "none"), new("source", "send"));
        _sends.Add(1, new KeyValuePair<string, object?>("channel", result.Channel));
    }
}
