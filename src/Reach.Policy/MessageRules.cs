namespace Reach.Policy;

/// <summary>
/// The decision of SPEC §2.1–§2.3: may S message R, and if not, every reason and every remedy. This file is the
/// one place where a message is locked. It reads only the policy and the facts, and allocates nothing.
/// </summary>
public static class MessageRules
{
    /// <summary>Decides one message from <see cref="DecisionFacts.Sender"/> to <see cref="DecisionFacts.Recipient"/>.</summary>
    public static Decision Decide(ReachPolicy policy, in DecisionFacts facts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var trace = default(DecisionTrace);

        // 1. Not a decision: a member who does not exist for the other, or a message to oneself.
        if (facts.Sender.Status == AccountStatus.Deactivated || facts.Recipient.Status == AccountStatus.Deactivated)
        {
            return new Decision { Error = DecisionError.MemberNotFound, Kind = facts.Kind, Trace = trace.With(Rule.Members, failed: true) };
        }

        if (facts.SameMember)
        {
            return new Decision { Error = DecisionError.SameMember, Kind = facts.Kind, Trace = trace.With(Rule.Members, failed: true) };
        }

        trace = trace.With(Rule.Members, failed: false);

        // 2. A block either way, or a suspended recipient: one reason, nothing else evaluated or shown.
        if (facts.Blocked || facts.Recipient.Status == AccountStatus.Suspended)
        {
            return new Decision
            {
                Kind = facts.Kind,
                Reasons = ReasonSet.None.With(Reason.Unavailable),
                Trace = trace.With(Rule.Block, failed: true),
            };
        }

        trace = trace.With(Rule.Block, failed: false);

        // 3–4. Sender status; a connection or open conversation exempts the message from every cold rule.
        var suspended = facts.Sender.Status == AccountStatus.Suspended;
        var reasons = ReasonSet.None.With(Reason.SenderSuspended, suspended);
        if (facts.Connected || facts.OpenConversation)
        {
            trace = ExemptColdRules(ExemptInMailRules(trace))
                .With(Rule.SenderStatus, failed: suspended)
                .With(Rule.Relationship, failed: false);
            return new Decision
            {
                Kind = facts.Kind,
                Channel = suspended ? Channel.None : facts.Connected ? Channel.Connection : Channel.Conversation,
                Reasons = reasons,
                Trace = trace,
            };
        }

        var restricted = facts.Sender.IsRestrictedAt(facts.Now);
        reasons = reasons.With(Reason.SenderRestricted, restricted);
        trace = trace.With(Rule.SenderStatus, failed: suspended || restricted).With(Rule.Relationship, failed: true);

        // 5. A cold message, regular or InMail.
        Channel channel;
        if (facts.Kind == MessageKind.InMail)
        {
            var inMail = InMailReasons(policy, facts, facts.Sender.Tier, facts.CreditBalance);
            reasons = reasons.Union(inMail);
            trace = InMailTrace(ExemptColdRules(trace), inMail, facts.Sender.Tier);
            channel = Channel.InMail;
        }
        else
        {
            var cold = ColdReasons(policy, facts, facts.Sender.Tier, out channel);
            reasons = reasons.Union(cold);
            trace = ColdTrace(ExemptInMailRules(trace), cold);
        }

        var cost = facts.Kind == MessageKind.InMail ? policy.InMailCost : 0;
        if (reasons.IsEmpty)
        {
            return new Decision { Kind = facts.Kind, Channel = channel, Cost = cost, Trace = trace };
        }

        DateTimeOffset? resetsAt = reasons.Contains(Reason.MonthlyLimitReached)
            ? policy.Periods.Containing(facts.Now).End
            : null;
        return new Decision
        {
            Kind = facts.Kind,
            Reasons = reasons,
            Remedies = suspended ? RemedySet.None : Remedies(policy, facts, reasons, restricted, resetsAt),
            ResetsAt = resetsAt,
            RestrictedUntil = restricted ? facts.Sender.RestrictedUntil : null,
            Cost = cost,
            Trace = trace,
        };
    }

    /// <summary>
    /// The credit balance a member with <paramref name="balance"/> has after moving to <paramref name="tier"/>:
    /// the tier's grant added and the total held to its rollover cap, or nothing for a tier without InMail.
    /// </summary>
    public static int BalanceAfterMovingTo(Tier tier, int balance)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return tier.HasInMail ? Math.Min(balance + tier.InMailCredits, tier.CreditRolloverCap) : 0;
    }

    // The regular cold-message rules of §2.1 step 5 for a sender of senderTier.
    private static ReasonSet ColdReasons(ReachPolicy policy, in DecisionFacts facts, Tier senderTier, out Channel channel) =>
        ColdReasonsForAnyTier(policy, facts, out channel).With(Reason.PremiumRequired, PremiumRequired(facts, senderTier));

    // The cold-message rules that do not depend on the sender's tier: preference, cap and pacing.
    private static ReasonSet ColdReasonsForAnyTier(ReachPolicy policy, in DecisionFacts facts, out Channel channel)
    {
        var settings = facts.Settings;
        var openProfile = HasOpenProfile(facts);
        var knownContact = facts.Email == GivenEmail.Matches || facts.InAddressBook;

        channel = openProfile ? Channel.OpenProfile
            : settings.WhoCanMessage == WhoCanMessage.KnownContacts ? Channel.KnownContact
            : Channel.Open;

        return ReasonSet.None
            .With(Reason.ConnectionsOnly, !openProfile && settings.WhoCanMessage == WhoCanMessage.Connections)
            .With(Reason.KnownContactsOnly, !openProfile && settings.WhoCanMessage == WhoCanMessage.KnownContacts && !knownContact)
            .With(Reason.MonthlyLimitReached, facts.ColdMessagesReceived >= facts.Recipient.Tier.ReceiveCap)
            .With(Reason.AwaitingReply, facts.UnansweredColdMessages >= policy.MaxUnansweredColdMessages);
    }

    // Premium-only: the one cold rule that depends on the sender's tier.
    private static bool PremiumRequired(in DecisionFacts facts, Tier senderTier) =>
        !HasOpenProfile(facts) && facts.Recipient.Tier.PremiumOnlyRecipient && !senderTier.PremiumSender;

    // openProfile counts only for tiers with a premium badge.
    private static bool HasOpenProfile(in DecisionFacts facts) => facts.Settings.OpenProfile && facts.Recipient.Tier.PremiumBadge;

    // The InMail rules of §2.2 for a sender of senderTier holding balance credits.
    private static ReasonSet InMailReasons(ReachPolicy policy, in DecisionFacts facts, Tier senderTier, int balance) =>
        InMailReasonsForAnyTier(policy, facts).Union(InMailSenderReasons(policy, senderTier, balance));

    // The InMail rules that do not depend on the sender's tier: the recipient accepts InMail, and InMail pacing.
    private static ReasonSet InMailReasonsForAnyTier(ReachPolicy policy, in DecisionFacts facts) => ReasonSet.None
        .With(Reason.AwaitingReply, facts.UnansweredInMails >= policy.MaxUnansweredInMails)
        .With(Reason.InMailNotAccepted, !facts.Settings.AcceptInMail);

    // The InMail rules of the sender's tier and balance.
    private static ReasonSet InMailSenderReasons(ReachPolicy policy, Tier senderTier, int balance) => ReasonSet.None
        .With(Reason.InMailRequiresPremium, !senderTier.HasInMail)
        .With(Reason.InsufficientCredits, senderTier.HasInMail && balance < policy.InMailCost);

    private static DecisionTrace ColdTrace(DecisionTrace trace, ReasonSet cold) => trace
        .With(Rule.Preference, failed: cold.Contains(Reason.ConnectionsOnly) || cold.Contains(Reason.KnownContactsOnly))
        .With(Rule.PremiumOnly, failed: cold.Contains(Reason.PremiumRequired))
        .With(Rule.ReceiveCap, failed: cold.Contains(Reason.MonthlyLimitReached))
        .With(Rule.ColdPacing, failed: cold.Contains(Reason.AwaitingReply));

    private static DecisionTrace InMailTrace(DecisionTrace trace, ReasonSet inMail, Tier senderTier) => trace
        .With(Rule.InMailTier, failed: inMail.Contains(Reason.InMailRequiresPremium))
        .With(Rule.InMailCredits, senderTier.HasInMail ? (inMail.Contains(Reason.InsufficientCredits) ? RuleOutcome.Failed : RuleOutcome.Passed) : RuleOutcome.Exempt)
        .With(Rule.InMailAccepted, failed: inMail.Contains(Reason.InMailNotAccepted))
        .With(Rule.InMailPacing, failed: inMail.Contains(Reason.AwaitingReply));

    // The remedies of §2.3 for a locked cold message from a sender who is not suspended.
    private static RemedySet Remedies(ReachPolicy policy, in DecisionFacts facts, ReasonSet reasons, bool restricted, DateTimeOffset? resetsAt)
    {
        var invitationPending = facts.PendingInvitationSentAt is not null;
        var canInvite = !invitationPending && !restricted && facts.InvitationsLeft > 0 && !(facts.ReinviteBlockedUntil > facts.Now);
        var provideEmail = reasons.Contains(Reason.KnownContactsOnly) && facts.EmailAttemptsLeft > 0;
        var useInMail = false;
        var upgrades = TierSet.Empty;
        if (!restricted)
        {
            var inMailForAnyTier = InMailReasonsForAnyTier(policy, facts);
            useInMail = facts.Kind == MessageKind.Regular
                && inMailForAnyTier.IsEmpty
                && InMailSenderReasons(policy, facts.Sender.Tier, facts.CreditBalance).IsEmpty;
            upgrades = UpgradeTiers(policy, facts, inMailForAnyTier);
        }

        return new RemedySet(
            canInvite, facts.InvitationsLeft,
            facts.PendingInvitationSentAt,
            provideEmail,
            useInMail, policy.InMailCost, facts.CreditBalance,
            upgrades,
            resetsAt);
    }

    // The tiers that would unlock the message: as a regular message, or as an InMail with the credits the move grants.
    private static TierSet UpgradeTiers(ReachPolicy policy, in DecisionFacts facts, ReasonSet inMailForAnyTier)
    {
        var regularMayUnlock = facts.Kind == MessageKind.Regular && ColdReasonsForAnyTier(policy, facts, out _).IsEmpty;
        if (!regularMayUnlock && !inMailForAnyTier.IsEmpty)
        {
            return TierSet.Empty;
        }

        var tiers = TierSet.Empty;
        foreach (var tier in policy.TierSpan)
        {
            if (tier.Id == facts.Sender.Tier.Id)
            {
                continue;
            }

            var unlocks = (regularMayUnlock && !PremiumRequired(facts, tier))
                || (inMailForAnyTier.IsEmpty && InMailSenderReasons(policy, tier, BalanceAfterMovingTo(tier, facts.CreditBalance)).IsEmpty);
            if (unlocks)
            {
                tiers = tiers.With(tier);
            }
        }

        return tiers;
    }

    private static DecisionTrace ExemptColdRules(DecisionTrace trace) => trace
        .With(Rule.Preference, RuleOutcome.Exempt)
        .With(Rule.PremiumOnly, RuleOutcome.Exempt)
        .With(Rule.ReceiveCap, RuleOutcome.Exempt)
        .With(Rule.ColdPacing, RuleOutcome.Exempt);

    private static DecisionTrace ExemptInMailRules(DecisionTrace trace) => trace
        .With(Rule.InMailTier, RuleOutcome.Exempt)
        .With(Rule.InMailCredits, RuleOutcome.Exempt)
        .With(Rule.InMailAccepted, RuleOutcome.Exempt)
        .With(Rule.InMailPacing, RuleOutcome.Exempt);
}
