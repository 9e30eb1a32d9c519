using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>The rule matrix of SPEC §2.1–§2.2: every reason alone and in pairs, each channel, each exemption.</summary>
public sealed class DecisionMatrixTests
{
    /// <summary>One obstacle each: applied to an allowed message, it must give exactly its reason.</summary>
    private static readonly Dictionary<string, (Func<DecisionFacts, DecisionFacts> Apply, Reason Reason)> Obstacles = new()
    {
        ["blocked"] = (f => f with { Blocked = true }, Reason.Unavailable),
        ["recipient suspended"] = (f => f with { Recipient = f.Recipient with { Status = AccountStatus.Suspended } }, Reason.Unavailable),
        ["sender suspended"] = (f => f with { Sender = f.Sender with { Status = AccountStatus.Suspended } }, Reason.SenderSuspended),
        ["sender restricted"] = (f => f with { Sender = f.Sender with { Status = AccountStatus.Restricted, RestrictedUntil = f.Now.AddDays(3) } }, Reason.SenderRestricted),
        ["connections only"] = (f => f with { Settings = f.Settings with { WhoCanMessage = WhoCanMessage.Connections } }, Reason.ConnectionsOnly),
        ["known contacts only"] = (f => f with { Settings = f.Settings with { WhoCanMessage = WhoCanMessage.KnownContacts } }, Reason.KnownContactsOnly),
        ["premium only"] = (f => f with { Recipient = f.Recipient with { Tier = PremiumBusiness } }, Reason.PremiumRequired),
        ["cap reached"] = (f => f with { ColdMessagesReceived = 1_000 }, Reason.MonthlyLimitReached),
        ["two unanswered"] = (f => f with { UnansweredColdMessages = 2 }, Reason.AwaitingReply),
    };

    private static readonly Dictionary<string, (Func<DecisionFacts, DecisionFacts> Apply, Reason Reason)> InMailObstacles = new()
    {
        ["blocked"] = (f => f with { Blocked = true }, Reason.Unavailable),
        ["sender suspended"] = (f => f with { Sender = f.Sender with { Status = AccountStatus.Suspended } }, Reason.SenderSuspended),
        ["sender restricted"] = (f => f with { Sender = f.Sender with { Status = AccountStatus.Restricted, RestrictedUntil = f.Now.AddDays(3) } }, Reason.SenderRestricted),
        ["one unanswered InMail"] = (f => f with { UnansweredInMails = 1 }, Reason.AwaitingReply),
        ["InMail refused"] = (f => f with { Settings = f.Settings with { AcceptInMail = false } }, Reason.InMailNotAccepted),
        ["basic sender"] = (f => f with { Sender = f.Sender with { Tier = Basic } }, Reason.InMailRequiresPremium),
        ["no credits"] = (f => f with { CreditBalance = 0 }, Reason.InsufficientCredits),
    };

    public static TheoryData<string> ObstacleNames => [.. Obstacles.Keys];

    public static TheoryData<string> InMailObstacleNames => [.. InMailObstacles.Keys];

    public static TheoryData<string, string> ColdPairs
    {
        get
        {
            // The cold-message reasons of step 5 and sender restriction, two at a time. The two preference values exclude each other.
            string[] cold = ["sender restricted", "connections only", "known contacts only", "premium only", "cap reached", "two unanswered"];
            var pairs = new TheoryData<string, string>();
            for (var i = 0; i < cold.Length; i++)
            {
                for (var j = i + 1; j < cold.Length; j++)
                {
                    if (!(cold[i] == "connections only" && cold[j] == "known contacts only"))
                    {
                        pairs.Add(cold[i], cold[j]);
                    }
                }
            }

            return pairs;
        }
    }

    [Fact]
    public void TheStartingPointsAreAllowed()
    {
        Assert.Equal(Channel.Open, Decide(Cold).Channel);
        Assert.Equal(Channel.InMail, Decide(InMail).Channel);
    }

    [Theory]
    [MemberData(nameof(ObstacleNames))]
    public void EachObstacleAloneGivesExactlyItsReason(string name)
    {
        var (apply, reason) = Obstacles[name];

        var decision = Decide(apply(Cold));

        Assert.True(decision.Locked);
        Assert.Equal([reason], decision.Reasons());
        Assert.Equal(Channel.None, decision.Channel);
    }

    [Theory]
    [MemberData(nameof(InMailObstacleNames))]
    public void EachInMailObstacleAloneGivesExactlyItsReason(string name)
    {
        var (apply, reason) = InMailObstacles[name];

        var decision = Decide(apply(InMail));

        Assert.True(decision.Locked);
        Assert.Equal([reason], decision.Reasons());
    }

    [Theory]
    [MemberData(nameof(ColdPairs))]
    public void TwoColdObstaclesGiveBothReasonsInSpecOrder(string first, string second)
    {
        var facts = Obstacles[second].Apply(Obstacles[first].Apply(Cold));

        var decision = Decide(facts);

        Reason[] expected = [.. new[] { Obstacles[first].Reason, Obstacles[second].Reason }.Order()];
        Assert.Equal(expected, decision.Reasons());
    }

    [Fact]
    public void EveryColdObstacleAtOnceGivesEveryReasonInSpecOrder()
    {
        var facts = Cold with
        {
            Sender = new Party(Basic, AccountStatus.Restricted, Now.AddDays(1)),
            Recipient = new Party(PremiumBusiness),
            Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.KnownContacts },
            ColdMessagesReceived = 25,
            UnansweredColdMessages = 2,
        };

        Assert.Equal(
            [Reason.SenderRestricted, Reason.KnownContactsOnly, Reason.PremiumRequired, Reason.MonthlyLimitReached, Reason.AwaitingReply],
            Decide(facts).Reasons());
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(15, false)]
    [InlineData(16, false)]
    public void TheBasicCapLocksTheSixteenthColdMessage(int received, bool allowed)
    {
        Assert.Equal(allowed, Decide(Cold with { ColdMessagesReceived = received }).Allowed);
    }

    [Theory]
    [InlineData("basic", 15)]
    [InlineData("premium_business", 25)]
    [InlineData("sales_navigator", 50)]
    [InlineData("recruiter_lite", 150)]
    [InlineData("recruiter", 300)]
    public void EachTiersCapLocksAtItsReceiveCap(string tierId, int cap)
    {
        var facts = Cold with { Sender = new Party(SalesNavigator), Recipient = new Party(Defaults.Tier(tierId)) };

        Assert.True(Decide(facts with { ColdMessagesReceived = cap - 1 }).Allowed);
        Assert.Equal([Reason.MonthlyLimitReached], Decide(facts with { ColdMessagesReceived = cap }).Reasons());
    }

    [Fact]
    public void TheCapLockCarriesTheStartOfTheNextPeriod()
    {
        var decision = Decide(Cold with { ColdMessagesReceived = 15 });

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), decision.ResetsAt);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void TwoUnansweredColdMessagesLockTheThird(int unanswered, bool allowed)
    {
        Assert.Equal(allowed, Decide(Cold with { UnansweredColdMessages = unanswered }).Allowed);
    }

    [Fact]
    public void ARestrictionWhoseEndHasPassedNoLongerLocks()
    {
        var facts = Cold with { Sender = new Party(Basic, AccountStatus.Restricted, Now) };

        Assert.True(Decide(facts).Allowed);
    }

    [Fact]
    public void ARestrictedSenderIsToldUntilWhen()
    {
        var until = Now.AddDays(3);

        var decision = Decide(Cold with { Sender = new Party(Basic, AccountStatus.Restricted, until) });

        Assert.Equal(until, decision.RestrictedUntil);
    }

    [Theory]
    [InlineData("connection")]
    [InlineData("conversation")]
    public void AConnectionOrOpenConversationExemptsEveryColdRule(string relationship)
    {
        var facts = Cold with
        {
            Sender = new Party(Basic, AccountStatus.Restricted, Now.AddDays(1)),
            Recipient = new Party(PremiumBusiness),
            Settings = new MessagingSettings(WhoCanMessage.Connections, AcceptInMail: false, OpenProfile: false),
            ColdMessagesReceived = 1_000,
            UnansweredColdMessages = 10,
            Connected = relationship == "connection",
            OpenConversation = relationship == "conversation",
        };

        var decision = Decide(facts);

        Assert.True(decision.Allowed);
        Assert.Equal(relationship == "connection" ? Channel.Connection : Channel.Conversation, decision.Channel);
        Assert.False(decision.CountsAgainstCap);
        Assert.Equal(RuleOutcome.Exempt, decision.Trace[Rule.ReceiveCap]);
    }

    [Fact]
    public void ASuspendedSenderIsLockedEvenWithAConnection()
    {
        var facts = Cold with { Connected = true, Sender = new Party(Basic, AccountStatus.Suspended) };

        Assert.Equal([Reason.SenderSuspended], Decide(facts).Reasons());
    }

    [Fact]
    public void ABlockHidesEveryOtherReasonAndEveryRemedy()
    {
        var facts = Cold with
        {
            Blocked = true,
            Sender = new Party(Basic, AccountStatus.Suspended),
            Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.Connections },
            ColdMessagesReceived = 100,
            Connected = true,
        };

        var decision = Decide(facts);

        Assert.Equal([Reason.Unavailable], decision.Reasons());
        Assert.True(decision.Remedies.IsEmpty);
        Assert.Null(decision.ResetsAt);
        Assert.Equal(RuleOutcome.NotEvaluated, decision.Trace[Rule.Preference]);
    }

    [Theory]
    [InlineData(AccountStatus.Deactivated, AccountStatus.Active)]
    [InlineData(AccountStatus.Active, AccountStatus.Deactivated)]
    public void ADeactivatedMemberIsAnErrorNotADecision(AccountStatus sender, AccountStatus recipient)
    {
        var decision = Decide(Cold with { Sender = new Party(Basic, sender), Recipient = new Party(Basic, recipient) });

        Assert.Equal(DecisionError.MemberNotFound, decision.Error);
        Assert.False(decision.Allowed);
        Assert.False(decision.Locked);
    }

    [Fact]
    public void MessagingOneselfIsAnError()
    {
        Assert.Equal(DecisionError.SameMember, Decide(Cold with { SameMember = true }).Error);
    }

    [Theory]
    [InlineData(WhoCanMessage.Anyone, GivenEmail.None, false, Channel.Open)]
    [InlineData(WhoCanMessage.KnownContacts, GivenEmail.Matches, false, Channel.KnownContact)]
    [InlineData(WhoCanMessage.KnownContacts, GivenEmail.None, true, Channel.KnownContact)]
    [InlineData(WhoCanMessage.KnownContacts, GivenEmail.DoesNotMatch, true, Channel.KnownContact)]
    public void EachColdChannel(WhoCanMessage who, GivenEmail email, bool inAddressBook, Channel channel)
    {
        var facts = Cold with { Settings = MessagingSettings.Default with { WhoCanMessage = who }, Email = email, InAddressBook = inAddressBook };

        var decision = Decide(facts);

        Assert.Equal(channel, decision.Channel);
        Assert.True(decision.CountsAgainstCap);
    }

    [Fact]
    public void AWrongEmailGivesTheSameReasonAsNoEmail()
    {
        var knownContacts = Cold with { Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.KnownContacts } };

        var none = Decide(knownContacts);
        var wrong = Decide(knownContacts with { Email = GivenEmail.DoesNotMatch });

        Assert.Equal(none.ForSender(ExplainMode.Detailed), wrong.ForSender(ExplainMode.Detailed));
    }

    [Theory]
    [InlineData(WhoCanMessage.Connections)]
    [InlineData(WhoCanMessage.KnownContacts)]
    [InlineData(WhoCanMessage.Anyone)]
    public void AnOpenProfilePassesPreferenceAndPremiumOnlyButNotTheCap(WhoCanMessage who)
    {
        var facts = Cold with
        {
            Recipient = new Party(PremiumBusiness),
            Settings = new MessagingSettings(who, AcceptInMail: true, OpenProfile: true),
        };

        var decision = Decide(facts);

        Assert.Equal(Channel.OpenProfile, decision.Channel);
        Assert.True(decision.CountsAgainstCap);
        Assert.Equal([Reason.MonthlyLimitReached], Decide(facts with { ColdMessagesReceived = 25 }).Reasons());
    }

    [Fact]
    public void OpenProfileHasNoEffectForATierWithoutPremiumBadge()
    {
        var facts = Cold with { Settings = new MessagingSettings(WhoCanMessage.Connections, AcceptInMail: true, OpenProfile: true) };

        Assert.Equal([Reason.ConnectionsOnly], Decide(facts).Reasons());
    }

    [Theory]
    [InlineData("premium_business", "basic", true)]
    [InlineData("premium_business", "premium_business", false)]
    [InlineData("premium_business", "sales_navigator", false)]
    [InlineData("premium_business", "recruiter_lite", true)]
    [InlineData("premium_business", "recruiter", true)]
    [InlineData("sales_navigator", "basic", true)]
    [InlineData("sales_navigator", "premium_business", false)]
    [InlineData("sales_navigator", "sales_navigator", false)]
    [InlineData("sales_navigator", "recruiter_lite", true)]
    [InlineData("sales_navigator", "recruiter", true)]
    [InlineData("recruiter", "basic", false)]
    [InlineData("recruiter_lite", "basic", false)]
    public void PremiumOnlyRecipientsNeedAPremiumSender(string recipientTier, string senderTier, bool locked)
    {
        var facts = Cold with { Sender = new Party(Defaults.Tier(senderTier)), Recipient = new Party(Defaults.Tier(recipientTier)) };

        Assert.Equal(locked ? [Reason.PremiumRequired] : [], Decide(facts).Reasons());
    }

    [Fact]
    public void InMailSkipsPreferencePremiumOnlyCapAndColdPacing()
    {
        var facts = InMail with
        {
            Recipient = new Party(SalesNavigator),
            Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.Connections },
            ColdMessagesReceived = 1_000,
            UnansweredColdMessages = 10,
            Sender = new Party(RecruiterLite),
        };

        var decision = Decide(facts);

        Assert.True(decision.Allowed);
        Assert.Equal(Channel.InMail, decision.Channel);
        Assert.Equal(1, decision.Cost);
        Assert.False(decision.CountsAgainstCap);
        Assert.Equal(RuleOutcome.Exempt, decision.Trace[Rule.Preference]);
    }

    [Fact]
    public void InMailToAConnectionIsARegularMessageThatCostsNothing()
    {
        var decision = Decide(InMail with { Connected = true, CreditBalance = 0, Settings = MessagingSettings.Default with { AcceptInMail = false } });

        Assert.Equal(Channel.Connection, decision.Channel);
        Assert.Equal(0, decision.Cost);
    }

    [Fact]
    public void ABasicSenderIsToldInMailNeedsPremiumRatherThanCredits()
    {
        Assert.Equal([Reason.InMailRequiresPremium], Decide(InMail with { Sender = new Party(Basic), CreditBalance = 0 }).Reasons());
    }

    [Fact]
    public void EveryInMailReasonAtOnceInSpecOrder()
    {
        var facts = InMail with { CreditBalance = 0, UnansweredInMails = 1, Settings = MessagingSettings.Default with { AcceptInMail = false } };

        Assert.Equal([Reason.AwaitingReply, Reason.InMailNotAccepted, Reason.InsufficientCredits], Decide(facts).Reasons());
    }

    [Fact]
    public void TheCostOfInMailComesFromThePolicy()
    {
        var policy = Defaults with { InMailCost = 3 };

        Assert.Equal([Reason.InsufficientCredits], MessageRules.Decide(policy, InMail with { CreditBalance = 2 }).Reasons());
        Assert.Equal(3, MessageRules.Decide(policy, InMail with { CreditBalance = 3 }).Cost);
    }

    [Fact]
    public void TheTraceNamesEveryRuleThatFailed()
    {
        var facts = Cold with { ColdMessagesReceived = 15, UnansweredColdMessages = 2 };

        var trace = Decide(facts).Trace;

        Assert.Equal(RuleOutcome.Passed, trace[Rule.Members]);
        Assert.Equal(RuleOutcome.Passed, trace[Rule.Block]);
        Assert.Equal(RuleOutcome.Passed, trace[Rule.SenderStatus]);
        Assert.Equal(RuleOutcome.Failed, trace[Rule.Relationship]);
        Assert.Equal(RuleOutcome.Passed, trace[Rule.Preference]);
        Assert.Equal(RuleOutcome.Passed, trace[Rule.PremiumOnly]);
        Assert.Equal(RuleOutcome.Failed, trace[Rule.ReceiveCap]);
        Assert.Equal(RuleOutcome.Failed, trace[Rule.ColdPacing]);
        Assert.Equal(RuleOutcome.Exempt, trace[Rule.InMailTier]);
    }

    [Fact]
    public void TheResetDateFollowsThePolicyTimeZone()
    {
        var policy = Defaults with { Periods = PeriodCalendar.Find("America/New_York")! };

        var decision = MessageRules.Decide(policy, Cold with { ColdMessagesReceived = 15 });

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromHours(-5)), decision.ResetsAt);
    }
}
