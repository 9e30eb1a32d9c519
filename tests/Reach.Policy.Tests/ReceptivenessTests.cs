using CsCheck;

namespace Reach.Policy.Tests;

/// <summary>The receptiveness hint (SPEC §4): each signal moves the score its way, and the score stays in 0–100.</summary>
public sealed class ReceptivenessTests
{
    private static readonly ReachPolicy Policy = ReachPolicy.Default;

    private static readonly Gen<ReceptivenessFacts> Facts =
        Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, Gen.Select(Gen.Int[0, 3], Gen.Double[0, 1], (pick, d) => pick == 0 ? (double?)null : d), Gen.Int[0, 5000], Gen.Bool,
            (premium, photo, headline, engagement, connections, openToWork) => new ReceptivenessFacts(premium, photo, headline, engagement, connections, openToWork));

    [Fact]
    public void ANeutralProfileScoresTheBase()
    {
        var hint = Receptiveness.Of(Policy, new ReceptivenessFacts(false, true, true, null, 10, false));
        Assert.Equal(40, hint.Score);
        Assert.All(hint.Signals, s => Assert.False(s.Present));
        Assert.Equal(["premium_badge", "anonymous_profile", "engagement", "many_connections", "open_to_work"], hint.Signals.Select(s => s.Code));
    }

    [Theory]
    [InlineData("premium", 55)]
    [InlineData("anonymous", 10)]
    [InlineData("engaged", 65)]
    [InlineData("half_engaged", 53)]
    [InlineData("connections", 50)]
    [InlineData("open_to_work", 55)]
    [InlineData("everything", 100)]
    public void EachSignalAddsItsWeight(string profile, int score)
    {
        var facts = profile switch
        {
            "premium" => new ReceptivenessFacts(true, true, true, null, 10, false),
            "anonymous" => new ReceptivenessFacts(false, false, false, null, 10, false),
            "engaged" => new ReceptivenessFacts(false, true, true, 1.0, 10, false),
            "half_engaged" => new ReceptivenessFacts(false, true, true, 0.5, 10, false),
            "connections" => new ReceptivenessFacts(false, true, true, null, 500, false),
            "open_to_work" => new ReceptivenessFacts(false, true, true, null, 10, true),
            _ => new ReceptivenessFacts(true, true, true, 1.0, 900, true),
        };
        Assert.Equal(score, Receptiveness.Of(Policy, facts).Score);
    }

    [Fact]
    public void EverySignalMovesTheScoreItsWayAndTheScoreStaysInRange() =>
        Facts.Sample(facts =>
        {
            var score = Receptiveness.Of(Policy, facts).Score;
            Assert.InRange(score, 0, 100);
            Assert.True(Receptiveness.Of(Policy, facts with { PremiumBadge = true }).Score >= Receptiveness.Of(Policy, facts with { PremiumBadge = false }).Score);
            Assert.True(Receptiveness.Of(Policy, facts with { OpenToWork = true }).Score >= Receptiveness.Of(Policy, facts with { OpenToWork = false }).Score);
            Assert.True(Receptiveness.Of(Policy, facts with { Connections = 1000 }).Score >= Receptiveness.Of(Policy, facts with { Connections = 0 }).Score);
            Assert.True(Receptiveness.Of(Policy, facts with { Engagement = 1 }).Score >= Receptiveness.Of(Policy, facts with { Engagement = 0 }).Score);
            Assert.True(Receptiveness.Of(Policy, facts with { HasPhoto = false, HasHeadline = false }).Score <= Receptiveness.Of(Policy, facts with { HasPhoto = true }).Score);
        }, iter: 5_000);

    [Fact]
    public void TheWeightsComeFromThePolicyFile()
    {
        var policy = PolicyFile.Parse("""{ "hints": { "base": 10, "openToWork": 50 } }""");
        Assert.Equal(60, Receptiveness.Of(policy, new ReceptivenessFacts(false, true, true, null, 0, true)).Score);
        var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse("""{ "hints": { "base": 500 } }"""));
        Assert.Contains(error.Errors, e => e.Message.Contains("hints.base", StringComparison.Ordinal));
    }
}
