using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>Each remedy of SPEC §2.3 appears exactly when its condition holds, with its data.</summary>
public sealed class RemedyTests
{
    private static readonly DecisionFacts ConnectionsOnly =
        Cold with { Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.Connections } };

    private static readonly DecisionFacts KnownContactsOnly =
        Cold with { Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.KnownContacts } };

    [Fact]
    public void AnAllowedMessageHasNoRemedies()
    {
        Assert.True(Decide(Cold).Remedies.IsEmpty);
    }

    [Fact]
    public void SendInvitationCarriesTheInvitationsLeft()
    {
        var decision = Decide(ConnectionsOnly with { InvitationsLeft = 7 });

        Assert.Contains(Remedy.SendInvitation, decision.Remedies());
        Assert.Equal(7, decision.Remedies.InvitationsLeft);
    }

    [Fact]
    public void NoInvitationsLeftMeansNoSendInvitation()
    {
        Assert.DoesNotContain(Remedy.SendInvitation, Decide(ConnectionsOnly with { InvitationsLeft = 0 }).Remedies());
    }

    [Fact]
    public void APendingInvitationReplacesSendInvitationAndCarriesWhenItWasSent()
    {
        var sentAt = Now.AddDays(-2);

        var decision = Decide(ConnectionsOnly with { PendingInvitationSentAt = sentAt });

        Assert.Contains(Remedy.InvitationPending, decision.Remedies());
        Assert.DoesNotContain(Remedy.SendInvitation, decision.Remedies());
        Assert.Equal(sentAt, decision.Remedies.InvitationSentAt);
    }

    [Fact]
    public void NoPendingInvitationMeansNoInvitationPending()
    {
        Assert.DoesNotContain(Remedy.InvitationPending, Decide(ConnectionsOnly).Remedies());
    }

    [Fact]
    public void AReinviteBlockMeansNoSendInvitationUntilItEnds()
    {
        Assert.DoesNotContain(Remedy.SendInvitation, Decide(ConnectionsOnly with { ReinviteBlockedUntil = Now.AddDays(1) }).Remedies());
        Assert.Contains(Remedy.SendInvitation, Decide(ConnectionsOnly with { ReinviteBlockedUntil = Now }).Remedies());
    }

    [Fact]
    public void ARestrictedSenderIsNotOfferedInvitationsInMailOrUpgrades()
    {
        var facts = ConnectionsOnly with { Sender = new Party(PremiumBusiness, AccountStatus.Restricted, Now.AddDays(2)), CreditBalance = 5 };

        Assert.Equal([Remedy.MentionInPost, Remedy.Bookmark], Decide(facts).Remedies());
    }

    [Fact]
    public void ProvideEmailIsOfferedWhenTheRecipientAcceptsKnownContacts()
    {
        Assert.Contains(Remedy.ProvideEmail, Decide(KnownContactsOnly).Remedies());
        Assert.Contains(Remedy.ProvideEmail, Decide(KnownContactsOnly with { Email = GivenEmail.DoesNotMatch }).Remedies());
    }

    [Fact]
    public void ProvideEmailIsNotOfferedForConnectionsOnlyOrWhenAttemptsAreUsedUp()
    {
        Assert.DoesNotContain(Remedy.ProvideEmail, Decide(ConnectionsOnly).Remedies());
        Assert.DoesNotContain(Remedy.ProvideEmail, Decide(KnownContactsOnly with { EmailAttemptsLeft = 0 }).Remedies());
    }

    [Fact]
    public void UseInMailCarriesCostAndBalance()
    {
        var decision = Decide(ConnectionsOnly with { Sender = new Party(PremiumBusiness), CreditBalance = 4 });

        Assert.Contains(Remedy.UseInMail, decision.Remedies());
        Assert.Equal(1, decision.Remedies.InMailCost);
        Assert.Equal(4, decision.Remedies.CreditBalance);
    }

    public static TheoryData<string> InMailBlockers => ["basic sender", "no credits", "InMail refused", "InMail unanswered"];

    [Theory]
    [MemberData(nameof(InMailBlockers))]
    public void UseInMailIsOfferedOnlyWhenAnInMailWouldGoThrough(string blocker)
    {
        var facts = ConnectionsOnly with { Sender = new Party(PremiumBusiness), CreditBalance = 4 };
        facts = blocker switch
        {
            "basic sender" => facts with { Sender = new Party(Basic) },
            "no credits" => facts with { CreditBalance = 0 },
            "InMail refused" => facts with { Settings = facts.Settings with { AcceptInMail = false } },
            _ => facts with { UnansweredInMails = 1 },
        };

        Assert.DoesNotContain(Remedy.UseInMail, Decide(facts).Remedies());
    }

    [Fact]
    public void ALockedInMailDoesNotOfferInMail()
    {
        Assert.DoesNotContain(Remedy.UseInMail, Decide(InMail with { UnansweredInMails = 1 }).Remedies());
    }

    [Fact]
    public void UpgradeForPremiumOnlyNamesThePremiumSenderTiers()
    {
        var facts = Cold with { Recipient = new Party(PremiumBusiness), Settings = MessagingSettings.Default with { AcceptInMail = false } };

        var decision = Decide(facts);

        Assert.Contains(Remedy.Upgrade, decision.Remedies());
        Assert.Equal(["premium_business", "sales_navigator"], decision.UpgradeTierIds());
    }

    [Fact]
    public void UpgradeForABasicSenderNamesEveryTierWithInMail()
    {
        var decision = Decide(ConnectionsOnly);

        Assert.Equal(["premium_business", "sales_navigator", "recruiter_lite", "recruiter"], decision.UpgradeTierIds());
    }

    [Fact]
    public void UpgradeForALockedInMailNamesTheTiersWithInMail()
    {
        Assert.Equal(
            ["premium_business", "sales_navigator", "recruiter_lite", "recruiter"],
            Decide(InMail with { Sender = new Party(Basic) }).UpgradeTierIds());
    }

    [Fact]
    public void AnOutOfCreditsPremiumSenderIsOfferedTiersWhoseGrantWouldCoverAnInMail()
    {
        var decision = Decide(ConnectionsOnly with { Sender = new Party(PremiumBusiness), CreditBalance = 0 });

        Assert.Equal(["sales_navigator", "recruiter_lite", "recruiter"], decision.UpgradeTierIds());
    }

    [Fact]
    public void NoTierUnlocksWhatNoTierCan()
    {
        var facts = ConnectionsOnly with { Settings = ConnectionsOnly.Settings with { AcceptInMail = false } };

        Assert.DoesNotContain(Remedy.Upgrade, Decide(facts).Remedies());
    }

    [Fact]
    public void WaitUntilCarriesTheReset()
    {
        var decision = Decide(Cold with { ColdMessagesReceived = 15 });

        Assert.Contains(Remedy.WaitUntil, decision.Remedies());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), decision.Remedies.ResetsAt);
    }

    [Fact]
    public void WaitUntilOnlyForTheMonthlyLimit()
    {
        Assert.DoesNotContain(Remedy.WaitUntil, Decide(ConnectionsOnly).Remedies());
    }

    [Fact]
    public void MentionAndBookmarkAreAlwaysOfferedUnlessUnavailable()
    {
        Assert.Equal([Remedy.MentionInPost, Remedy.Bookmark], Decide(Cold with { UnansweredColdMessages = 2, InvitationsLeft = 0, Sender = new Party(Basic) } with
        {
            Settings = MessagingSettings.Default with { AcceptInMail = false },
        }).Remedies());
        Assert.Empty(Decide(Cold with { Blocked = true }).Remedies());
    }

    [Fact]
    public void ASuspendedSenderIsOfferedNothing()
    {
        Assert.Empty(Decide(ConnectionsOnly with { Sender = new Party(Basic, AccountStatus.Suspended) }).Remedies());
    }

    [Fact]
    public void RemediesComeInSpecOrder()
    {
        var facts = KnownContactsOnly with
        {
            Sender = new Party(PremiumBusiness),
            CreditBalance = 3,
            ColdMessagesReceived = 15,
        };

        Assert.Equal(
            [Remedy.SendInvitation, Remedy.ProvideEmail, Remedy.UseInMail, Remedy.Upgrade, Remedy.WaitUntil, Remedy.MentionInPost, Remedy.Bookmark],
            Decide(facts).Remedies());
    }

    [Fact]
    public void MinimalModeKeepsRemediesAndDropsReasons()
    {
        var decision = Decide(Cold with { ColdMessagesReceived = 15 });

        var minimal = decision.ForSender(ExplainMode.Minimal);

        Assert.True(minimal.Locked);
        Assert.True(minimal.Reasons.IsEmpty);
        Assert.Null(minimal.ResetsAt);
        Assert.Equal(decision.Remedies, minimal.Remedies);
        Assert.Equal(default, minimal.Trace);
    }

    [Fact]
    public void TheSendersViewNeverCarriesTheTrace()
    {
        Assert.Equal(default, Decide(Cold with { ColdMessagesReceived = 15 }).ForSender(ExplainMode.Detailed).Trace);
    }
}
