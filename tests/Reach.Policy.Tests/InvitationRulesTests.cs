using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>The invitation rules of SPEC §2.4 that need no storage.</summary>
public sealed class InvitationRulesTests
{
    private static readonly InvitationFacts Fresh = new()
    {
        Sender = new Party(Basic),
        Recipient = new Party(Basic),
        Now = Now,
    };

    private static InvitationDecision Decide(InvitationFacts facts) => InvitationRules.Decide(Defaults, facts);

    [Fact]
    public void AFreshInvitationIsSent()
    {
        Assert.Equal(InvitationAction.Send, Decide(Fresh).Action);
    }

    [Theory]
    [InlineData(99, InvitationAction.Send)]
    [InlineData(100, InvitationAction.Refused)]
    public void TheHundredAndFirstInvitationInSevenDaysIsRefused(int sent, InvitationAction action)
    {
        var decision = Decide(Fresh with { SentInWindow = sent });

        Assert.Equal(action, decision.Action);
        Assert.Equal(action == InvitationAction.Refused ? InvitationRefusal.WeeklyLimitReached : null, decision.Refusal);
    }

    [Fact]
    public void TheWindowIsTheLastSevenDays()
    {
        Assert.Equal(Now.AddDays(-7), InvitationRules.WindowStart(Defaults, Now));
        Assert.Equal(3, InvitationRules.InvitationsLeft(Defaults, 97));
        Assert.Equal(0, InvitationRules.InvitationsLeft(Defaults, 150));
    }

    [Theory]
    [InlineData(-20, true)]
    [InlineData(-21, false)]
    public void AWithdrawnInvitationBlocksReinvitingForTwentyOneDays(int daysAgo, bool blocked)
    {
        var decision = Decide(Fresh with { LastWithdrawnAt = Now.AddDays(daysAgo) });

        Assert.Equal(blocked ? InvitationRefusal.ReinviteBlocked : null, decision.Refusal);
        if (blocked)
        {
            Assert.Equal(Now.AddDays(daysAgo + 21), decision.Until);
        }
    }

    [Theory]
    [InlineData(300, null)]
    [InlineData(301, InvitationRefusal.NoteTooLong)]
    public void ANoteMayHaveThreeHundredCharacters(int length, InvitationRefusal? refusal)
    {
        Assert.Equal(refusal, Decide(Fresh with { NoteLength = length }).Refusal);
    }

    [Fact]
    public void ACrossingInvitationIsAcceptedInsteadEvenAtTheWeeklyLimit()
    {
        Assert.Equal(InvitationAction.AcceptCrossing, Decide(Fresh with { PendingFromRecipient = true, SentInWindow = 100 }).Action);
    }

    [Theory]
    [InlineData("blocked", InvitationRefusal.Unavailable)]
    [InlineData("recipient suspended", InvitationRefusal.Unavailable)]
    [InlineData("sender suspended", InvitationRefusal.SenderSuspended)]
    [InlineData("sender restricted", InvitationRefusal.SenderRestricted)]
    [InlineData("connected", InvitationRefusal.AlreadyConnected)]
    [InlineData("pending", InvitationRefusal.AlreadyPending)]
    public void EachRefusal(string situation, InvitationRefusal refusal)
    {
        var facts = situation switch
        {
            "blocked" => Fresh with { Blocked = true },
            "recipient suspended" => Fresh with { Recipient = new Party(Basic, AccountStatus.Suspended) },
            "sender suspended" => Fresh with { Sender = new Party(Basic, AccountStatus.Suspended) },
            "sender restricted" => Fresh with { Sender = new Party(Basic, AccountStatus.Restricted, Now.AddDays(1)) },
            "connected" => Fresh with { Connected = true },
            _ => Fresh with { PendingFromSender = true },
        };

        Assert.Equal(refusal, Decide(facts).Refusal);
    }

    [Fact]
    public void ThreeDistinctReportersInThirtyDaysRestrictForSevenDays()
    {
        Assert.Null(SafetyRules.RestrictionUntil(Defaults, 2, Now));
        Assert.Equal(Now.AddDays(7), SafetyRules.RestrictionUntil(Defaults, 3, Now));
        Assert.Equal(Now.AddDays(-30), SafetyRules.ReportWindowStart(Defaults, Now));
    }
}
