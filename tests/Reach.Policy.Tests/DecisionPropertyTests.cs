using CsCheck;
using static Reach.Policy.Tests.Scenario;

namespace Reach.Policy.Tests;

/// <summary>Invariants of the decision over random facts (CsCheck, at least 1,000 cases each).</summary>
public sealed class DecisionPropertyTests
{
    private const long Cases = 10_000;

    private static readonly Gen<Party> GenParty =
        Gen.Select(
            Gen.OneOf([.. Defaults.Tiers]),
            Gen.Frequency((8, Gen.Const(AccountStatus.Active)), (1, Gen.Const(AccountStatus.Restricted)), (1, Gen.Const(AccountStatus.Suspended))),
            Gen.Int[-5, 5],
            (tier, status, days) => new Party(tier, status, status == AccountStatus.Restricted ? Now.AddDays(days) : null));

    private static readonly Gen<MessagingSettings> GenSettings =
        Gen.Select(Gen.Enum<WhoCanMessage>(), Gen.Bool, Gen.Bool, (who, inMail, open) => new MessagingSettings(who, inMail, open));

    private static readonly Gen<DecisionFacts> GenRelationship =
        Gen.Select(Gen.Frequency((1, Gen.Const(true)), (9, Gen.Const(false))), Gen.Bool, Gen.Bool, Gen.Bool, Gen.Enum<GivenEmail>(), Gen.Bool,
            (blocked, connected, conversation, pending, email, addressBook) => new DecisionFacts
            {
                Sender = new Party(Basic),
                Recipient = new Party(Basic),
                Settings = MessagingSettings.Default,
                Now = Now,
                Blocked = blocked,
                Connected = connected,
                OpenConversation = conversation,
                PendingInvitationSentAt = pending ? Now.AddDays(-1) : null,
                Email = email,
                InAddressBook = addressBook,
            });

    /// <summary>Random facts over the default policy, every field varied.</summary>
    internal static readonly Gen<DecisionFacts> GenFacts =
        Gen.Select(GenRelationship, GenParty, GenParty, GenSettings, Gen.Enum<MessageKind>(),
            Gen.Select(Gen.Int[0, 320], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 6], Gen.Int[0, 101], Gen.Int[0, 6]),
            (facts, sender, recipient, settings, kind, counts) => facts with
            {
                Sender = sender,
                Recipient = recipient,
                Settings = settings,
                Kind = kind,
                ColdMessagesReceived = counts.Item1,
                UnansweredColdMessages = counts.Item2,
                UnansweredInMails = counts.Item3,
                CreditBalance = counts.Item4,
                InvitationsLeft = counts.Item5,
                EmailAttemptsLeft = counts.Item6,
            });

    [Fact]
    public void AllowedIfAndOnlyIfThereIsNoReason()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            Assert.Equal(decision.Allowed, decision.Reasons.IsEmpty);
            Assert.Equal(decision.Allowed, decision.Channel != Channel.None);
            Assert.Equal(decision.Locked, !decision.Reasons.IsEmpty);
            if (decision.Allowed)
            {
                Assert.True(decision.Remedies.IsEmpty);
            }
        }, iter: Cases);
    }

    [Fact]
    public void AConnectionIsLockedOnlyByUnavailableOrSenderStatus()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts with { Connected = true });
            foreach (var reason in decision.Reasons)
            {
                Assert.True(reason is Reason.Unavailable or Reason.SenderSuspended or Reason.SenderRestricted, $"{reason}");
            }
        }, iter: Cases);
    }

    [Fact]
    public void InMailIsNeverLockedByPreferencePremiumCapOrColdPacing()
    {
        GenFacts.Sample(facts =>
        {
            var inMail = facts with { Kind = MessageKind.InMail };
            var decision = Decide(inMail);
            Assert.False(decision.Reasons.Contains(Reason.ConnectionsOnly));
            Assert.False(decision.Reasons.Contains(Reason.KnownContactsOnly));
            Assert.False(decision.Reasons.Contains(Reason.PremiumRequired));
            Assert.False(decision.Reasons.Contains(Reason.MonthlyLimitReached));

            // Cold pacing alone never locks an InMail: the same facts without unanswered InMails have no awaiting_reply.
            Assert.False(Decide(inMail with { UnansweredInMails = 0 }).Reasons.Contains(Reason.AwaitingReply));
        }, iter: Cases);
    }

    [Fact]
    public void MinimalModeNeverCarriesMoreThanDetailed()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            var detailed = decision.ForSender(ExplainMode.Detailed);
            var minimal = decision.ForSender(ExplainMode.Minimal);
            Assert.True(minimal.Reasons.IsSubsetOf(detailed.Reasons));
            Assert.Equal(detailed.Allowed, minimal.Allowed);
            Assert.Equal(detailed.Remedies, minimal.Remedies);
            Assert.True(minimal.ResetsAt is null || minimal.ResetsAt == detailed.ResetsAt);
            Assert.True(minimal.RestrictedUntil is null || minimal.RestrictedUntil == detailed.RestrictedUntil);
        }, iter: Cases);
    }

    [Fact]
    public void UnavailableStandsAloneWithNothingElseShown()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts with { Blocked = true });
            Assert.Equal([Reason.Unavailable], decision.Reasons());
            Assert.True(decision.Remedies.IsEmpty);
            Assert.Null(decision.ResetsAt);
            Assert.Null(decision.RestrictedUntil);
        }, iter: Cases);
    }

    [Fact]
    public void TheRecipientsCountBelowTheCapAndAddressBookAreInvisible()
    {
        // Privacy (§2.3): how many cold messages R received below the cap, and R's address book when R does not
        // use it, never change what the sender sees.
        GenFacts.Sample(facts =>
        {
            var cap = facts.Recipient.Tier.ReceiveCap;
            var low = facts with { ColdMessagesReceived = 0 };
            var high = facts with { ColdMessagesReceived = cap - 1 };
            Assert.Equal(Decide(low).ForSender(ExplainMode.Detailed), Decide(high).ForSender(ExplainMode.Detailed));
            if (facts.Settings.WhoCanMessage != WhoCanMessage.KnownContacts)
            {
                Assert.Equal(
                    Decide(facts with { InAddressBook = false }).ForSender(ExplainMode.Detailed),
                    Decide(facts with { InAddressBook = true }).ForSender(ExplainMode.Detailed));
            }
        }, iter: Cases);
    }

    [Fact]
    public void EveryLockedDecisionOffersMentionAndBookmarkUnlessUnavailableOrSuspended()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            var expected = decision.Locked
                && !decision.Reasons.Contains(Reason.Unavailable)
                && !decision.Reasons.Contains(Reason.SenderSuspended);
            Assert.Equal(expected, decision.Remedies.Contains(Remedy.MentionInPost));
            Assert.Equal(expected, decision.Remedies.Contains(Remedy.Bookmark));
        }, iter: Cases);
    }

    [Fact]
    public void UseInMailIsOfferedExactlyWhenTheInMailWouldBeAllowed()
    {
        GenFacts.Sample(facts =>
        {
            var regular = Decide(facts with { Kind = MessageKind.Regular });
            if (!regular.Locked || regular.Reasons.Contains(Reason.Unavailable) || regular.Reasons.Contains(Reason.SenderSuspended))
            {
                return;
            }

            var inMail = Decide(facts with { Kind = MessageKind.InMail });
            Assert.Equal(inMail.Allowed, regular.Remedies.Contains(Remedy.UseInMail));
        }, iter: Cases);
    }

    [Fact]
    public void EveryUpgradeTierReallyUnlocks()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            foreach (var tier in decision.Remedies.UpgradeTiers.In(Defaults))
            {
                var upgraded = facts with
                {
                    Sender = facts.Sender with { Tier = tier },
                    CreditBalance = MessageRules.BalanceAfterMovingTo(tier, facts.CreditBalance),
                };
                Assert.True(
                    Decide(upgraded).Allowed || Decide(upgraded with { Kind = MessageKind.InMail }).Allowed,
                    $"{tier.Id} was offered but does not unlock");
            }
        }, iter: Cases);
    }

    [Fact]
    public void EveryTierThatWouldUnlockIsOffered()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            if (!decision.Locked || decision.Remedies.IsEmpty || facts.Sender.IsRestrictedAt(facts.Now))
            {
                return;
            }

            foreach (var tier in Defaults.Tiers.Where(tier => tier.Id != facts.Sender.Tier.Id))
            {
                var upgraded = facts with
                {
                    Sender = facts.Sender with { Tier = tier },
                    CreditBalance = MessageRules.BalanceAfterMovingTo(tier, facts.CreditBalance),
                };
                var unlocks = (facts.Kind == MessageKind.Regular && Decide(upgraded).Allowed)
                    || Decide(upgraded with { Kind = MessageKind.InMail }).Allowed;
                Assert.Equal(unlocks, decision.Remedies.UpgradeTiers.Contains(tier));
            }
        }, iter: Cases);
    }

    [Fact]
    public void ResetsAtIsSetExactlyForTheMonthlyLimit()
    {
        GenFacts.Sample(facts =>
        {
            var decision = Decide(facts);
            Assert.Equal(decision.Reasons.Contains(Reason.MonthlyLimitReached), decision.ResetsAt is not null);
            if (decision.ResetsAt is { } resets)
            {
                Assert.True(resets > facts.Now);
            }
        }, iter: Cases);
    }
}
