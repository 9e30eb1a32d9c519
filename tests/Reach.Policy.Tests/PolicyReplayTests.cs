using CsCheck;
using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>The facts kept with a logged decision, and the what-if replay over them (CsCheck).</summary>
public sealed class PolicyReplayTests
{
    private const long Cases = 2_000;

    private static readonly Gen<LoggedDecision[]> GenLog =
        Gen.Select(DecisionPropertyTests.GenFacts, Gen.Int[1, 6], Gen.Int[1, 6], (facts, sender, recipient) => (facts, sender, recipient)).Array[1, 40]
            .Select(rows => rows.Select((row, i) =>
            {
                var facts = row.facts with { Now = Now.AddMinutes(i), SameMember = false };
                var decision = MessageRules.Decide(Defaults, facts);
                return new LoggedDecision(facts.Now, row.sender, 10 + row.recipient, facts.Kind, decision.Allowed, decision.Reasons.Bits,
                    facts.Sender.Tier.Id, facts.Recipient.Tier.Id, LoggedFacts.Pack(facts));
            }).ToArray());

    [Fact]
    public void PackedFactsDecideAsTheFactsDid()
    {
        DecisionPropertyTests.GenFacts.Sample(facts =>
        {
            var unpacked = LoggedFacts.Unpack(LoggedFacts.Pack(facts), facts.Sender.Tier, facts.Recipient.Tier, facts.Now, facts.Kind);
            var (before, after) = (MessageRules.Decide(Defaults, facts), MessageRules.Decide(Defaults, unpacked));
            Assert.Equal(before.Allowed, after.Allowed);
            Assert.Equal(before.Reasons, after.Reasons);
            Assert.Equal(before.Channel, after.Channel);
        }, iter: 10_000);
    }

    [Fact]
    public void ReplayingUnderThePolicyThatDecidedChangesNothing()
    {
        GenLog.Sample(log =>
        {
            var replay = new PolicyReplay(Defaults, Defaults, Now.AddDays(-1));
            foreach (var decision in log)
            {
                replay.Add(decision);
            }

            var report = replay.Report();
            Assert.Equal(log.Length, report.Decisions);
            Assert.Equal(report.Decisions, report.Unchanged);
            Assert.Equal(report.CreditsBefore, report.CreditsAfter);
        }, iter: Cases);
    }

    [Fact]
    public void EveryDecisionIsCountedOnceAndALowerCapLocksOnlyForTheCap()
    {
        var lower = PolicyFile.Parse(PolicyFile.Write(Defaults).Replace("\"receiveCap\": 15", "\"receiveCap\": 1", StringComparison.Ordinal));
        GenLog.Sample(log =>
        {
            var replay = new PolicyReplay(Defaults, lower, Now.AddDays(-1));
            foreach (var decision in log)
            {
                replay.Add(decision);
            }

            var report = replay.Report();
            Assert.Equal(report.Decisions, report.Unchanged + report.NowLocked + report.NowAllowed + report.ReasonsChanged);
            Assert.Equal(report.NowLocked, report.BySenderTier.Values.Sum(t => t.NowLocked));
            // Fewer cold messages delivered can only lower the counts other rules read, so whatever is newly locked is
            // locked by the cap.
            Assert.All(report.ByReason.Keys, reason => Assert.Equal("monthly_limit_reached", reason));
        }, iter: Cases);
    }

    [Fact]
    public void DecisionsWithoutFactsAreSkippedAndNamed()
    {
        var replay = new PolicyReplay(Defaults, Defaults, Now);
        replay.Add(new LoggedDecision(Now, 1, 2, MessageKind.Regular, true, 0, null, null, null));
        var report = replay.Report();
        Assert.Equal((0, 1), (report.Decisions, report.Skipped));
        Assert.Contains(report.Approximations, a => a.StartsWith("1 decisions logged before", StringComparison.Ordinal));
    }
}
