namespace Reach.Policy;

/// <summary>One send decision as the log keeps it: who, when, the outcome, and the facts it was decided on.</summary>
/// <param name="At">When it was decided.</param>
/// <param name="SenderId">The sender.</param>
/// <param name="RecipientId">The recipient.</param>
/// <param name="Kind">A regular message or an InMail.</param>
/// <param name="Allowed">Whether it was allowed.</param>
/// <param name="ReasonBits">Its reasons (<see cref="ReasonSet.Bits"/>).</param>
/// <param name="SenderTier">The sender's tier then; null for a decision logged before facts were kept.</param>
/// <param name="RecipientTier">The recipient's tier then.</param>
/// <param name="Facts">The <see cref="LoggedFacts"/> value; null for a decision logged before facts were kept.</param>
public readonly record struct LoggedDecision(
    DateTimeOffset At, long SenderId, long RecipientId, MessageKind Kind, bool Allowed, uint ReasonBits,
    string? SenderTier, string? RecipientTier, long? Facts);

/// <summary>How the decisions of one tier changed.</summary>
public sealed record TierChange(int NowLocked, int NowAllowed);

/// <summary>How many decisions were locked as logged and as replayed.</summary>
public sealed record BeforeAfter(int Before, int After);

/// <summary>A member and how many of the member's decisions changed.</summary>
public sealed record AffectedMember(long MemberId, int Changed);

/// <summary>What a candidate policy would have done to a period's send decisions.</summary>
public sealed record ReplayReport(
    int Decisions,
    int Unchanged,
    int NowLocked,
    int NowAllowed,
    int ReasonsChanged,
    int Skipped,
    IReadOnlyDictionary<string, int> ByReason,
    IReadOnlyDictionary<string, TierChange> BySenderTier,
    IReadOnlyDictionary<string, TierChange> ByRecipientTier,
    IReadOnlyDictionary<string, BeforeAfter> LockedByReason,
    IReadOnlyDictionary<string, BeforeAfter> LockedBySenderTier,
    IReadOnlyDictionary<string, BeforeAfter> LockedByRecipientTier,
    int CreditsBefore,
    int CreditsAfter,
    IReadOnlyList<AffectedMember> MostAffectedSenders,
    IReadOnlyList<AffectedMember> MostAffectedRecipients,
    IReadOnlyList<string> Approximations);

/// <summary>
/// Decides a period's logged send decisions again, in the order they were made, under a candidate policy, and counts
/// what changes. What the candidate changes in the state later decisions read is simulated as the replay goes: a
/// message it locks no longer takes a place of its recipient's cap nor counts as its sender's unanswered message; one
/// it allows does; its InMails spend from a balance that each grant changes by the new allotment; its period start
/// decides which cold messages a cap counts. Each counter is the logged value plus what the replay has changed so far,
/// so the state from before the period comes from the log. Reactions cannot be simulated — a reply to a message that is
/// now locked, credits returned by an answer — and are taken as they happened; <see cref="ReplayReport.Approximations"/>
/// names each one that applies. Reads nothing but the decisions it is given; about a microsecond per decision.
/// </summary>
public sealed class PolicyReplay(ReachPolicy current, ReachPolicy candidate, DateTimeOffset from)
{
    private const int MostAffected = 5;

    private readonly bool _samePeriods = current.Periods.TimeZoneId == candidate.Periods.TimeZoneId;
    private readonly Dictionary<(long Recipient, int Period), int> _capChange = [];
    private readonly Dictionary<(long Recipient, int Period), int> _capCount = [];
    private readonly Dictionary<(long Sender, long Recipient), PairState> _pairs = [];
    private readonly Dictionary<long, SenderState> _senders = [];
    private readonly Dictionary<string, Tier> _candidateTiers = [];
    private readonly SortedSet<string> _missingTiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byReason = [];
    private readonly Dictionary<string, (int Locked, int Allowed)> _bySender = [];
    private readonly Dictionary<string, (int Locked, int Allowed)> _byRecipient = [];
    private readonly Dictionary<string, (int Before, int After)> _lockedReasons = [];
    private readonly Dictionary<string, (int Before, int After)> _lockedSenderTiers = [];
    private readonly Dictionary<string, (int Before, int After)> _lockedRecipientTiers = [];
    private readonly Dictionary<long, int> _changedSenders = [];
    private readonly Dictionary<long, int> _changedRecipients = [];
    private int _decisions, _unchanged, _nowLocked, _nowAllowed, _reasonsChanged, _skipped, _creditsBefore, _creditsAfter;
    private bool _allotmentChanged, _inMails;

    /// <summary>Decides <paramref name="logged"/> again; decisions must come in the order they were made.</summary>
    public void Add(in LoggedDecision logged)
    {
        if (logged.Facts is not { } packed || logged.SenderTier is null || logged.RecipientTier is null)
        {
            _skipped++;
            return;
        }

        var senderTier = CandidateTier(logged.SenderTier);
        var recipientTier = CandidateTier(logged.RecipientTier);
        var facts = LoggedFacts.Unpack(packed, senderTier, recipientTier, logged.At, logged.Kind);
        var cold = facts.Kind == MessageKind.Regular && !facts.Connected && !facts.OpenConversation;
        var realCounted = logged.Allowed && cold;
        var realInMail = logged.Allowed && facts.Kind == MessageKind.InMail && !facts.Connected && !facts.OpenConversation;

        // The recipient's cold messages of the candidate's period.
        var period = candidate.Periods.Containing(logged.At);
        var capKey = (logged.RecipientId, period.Year * 12 + period.Month);
        int received;
        if (_samePeriods)
        {
            received = facts.ColdMessagesReceived + _capChange.GetValueOrDefault(capKey);
        }
        else
        {
            if (!_capCount.TryGetValue(capKey, out received))
            {
                // A period that began before the replay: what it had received then is known only from the log.
                received = period.Start < from ? facts.ColdMessagesReceived : 0;
            }
        }

        // The sender's unanswered messages to the recipient: the log's, plus what the replay changed since the last
        // answer (a count lower than the replay expects is an answer, which resets it).
        ref var pair = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_pairs, (logged.SenderId, logged.RecipientId), out var pairSeen);
        if (!pairSeen || facts.UnansweredColdMessages < pair.ExpectedCold)
        {
            pair.ColdChange = 0;
        }

        if (!pairSeen || facts.UnansweredInMails < pair.ExpectedInMail)
        {
            pair.InMailChange = 0;
        }

        // The sender's balance: the log's, with each grant changed by the candidate's allotment and what the replay
        // spent differently, held to the candidate's rollover cap.
        ref var sender = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_senders, logged.SenderId, out var senderSeen);
        var grantPeriod = current.Periods.Containing(logged.At);
        var grantKey = grantPeriod.Year * 12 + grantPeriod.Month;
        if (!senderSeen || sender.GrantPeriod != grantKey)
        {
            var allotment = senderTier.InMailCredits - (current.FindTier(logged.SenderTier)?.InMailCredits ?? senderTier.InMailCredits);
            sender.CreditChange += allotment;
            sender.GrantPeriod = grantKey;
            _allotmentChanged |= allotment != 0;
        }

        var balance = Math.Max(0, facts.CreditBalance + sender.CreditChange);
        if (senderTier.HasInMail && balance > senderTier.CreditRolloverCap
            && senderTier.CreditRolloverCap != current.FindTier(logged.SenderTier)?.CreditRolloverCap)
        {
            balance = senderTier.CreditRolloverCap;
        }

        sender.CreditChange = balance - facts.CreditBalance;

        var replayed = MessageRules.Decide(candidate, facts with
        {
            ColdMessagesReceived = Math.Max(0, received),
            UnansweredColdMessages = Math.Max(0, facts.UnansweredColdMessages + pair.ColdChange),
            UnansweredInMails = Math.Max(0, facts.UnansweredInMails + pair.InMailChange),
            CreditBalance = balance,
        });

        // What each outcome changes in the state of later decisions.
        var replayCounted = replayed.Allowed && replayed.CountsAgainstCap;
        var replayInMail = replayed.Allowed && replayed.Channel == Channel.InMail;
        if (_samePeriods)
        {
            _capChange[capKey] = _capChange.GetValueOrDefault(capKey) + (replayCounted ? 1 : 0) - (realCounted ? 1 : 0);
        }
        else
        {
            _capCount[capKey] = received + (replayCounted ? 1 : 0);
        }

        pair.ColdChange += (replayCounted ? 1 : 0) - (realCounted ? 1 : 0);
        pair.InMailChange += (replayInMail ? 1 : 0) - (realInMail ? 1 : 0);
        pair.ExpectedCold = facts.UnansweredColdMessages + (realCounted ? 1 : 0);
        pair.ExpectedInMail = facts.UnansweredInMails + (realInMail ? 1 : 0);
        var spentBefore = realInMail ? current.InMailCost : 0;
        var spentAfter = replayInMail ? candidate.InMailCost : 0;
        sender.CreditChange += spentBefore - spentAfter;
        _creditsBefore += spentBefore;
        _creditsAfter += spentAfter;
        _inMails |= logged.Kind == MessageKind.InMail;

        Count(logged, replayed);
    }

    /// <summary>What the replay found.</summary>
    public ReplayReport Report()
    {
        var approximations = new List<string>
        {
            "Replies are taken as they happened: a reply to a message the candidate would lock still resets its sender's count of unanswered messages.",
        };
        if (_inMails)
        {
            approximations.Add("Credits returned by answered InMails are taken as they happened, also for InMails the candidate would lock; an InMail it would allow that was locked is taken as never answered.");
        }

        if (_allotmentChanged)
        {
            approximations.Add("Balances carried from before the period are taken from the log; each grant in the period is changed by the new allotment, and the new rollover cap applied.");
        }

        if (!_samePeriods)
        {
            approximations.Add("The period starts at another time: in a period that began before the replay, a recipient's cold messages from before it are taken from the log.");
        }

        foreach (var tier in _missingTiers)
        {
            approximations.Add($"Tier '{tier}' is not in the candidate policy: its members are replayed in the default tier '{candidate.DefaultTierId}'.");
        }

        if (_skipped > 0)
        {
            approximations.Add($"{_skipped} decisions logged before their facts were kept are not replayed.");
        }

        return new ReplayReport(
            _decisions, _unchanged, _nowLocked, _nowAllowed, _reasonsChanged, _skipped,
            _byReason,
            _bySender.ToDictionary(e => e.Key, e => new TierChange(e.Value.Locked, e.Value.Allowed)),
            _byRecipient.ToDictionary(e => e.Key, e => new TierChange(e.Value.Locked, e.Value.Allowed)),
            BeforeAndAfter(_lockedReasons), BeforeAndAfter(_lockedSenderTiers), BeforeAndAfter(_lockedRecipientTiers),
            _creditsBefore, _creditsAfter,
            Top(_changedSenders), Top(_changedRecipients),
            approximations);
    }

    private void Count(in LoggedDecision logged, in Decision replayed)
    {
        _decisions++;
        Locked(logged, new ReasonSet(logged.ReasonBits), before: true, locked: !logged.Allowed);
        Locked(logged, replayed.Reasons, before: false, locked: !replayed.Allowed);
        if (replayed.Allowed == logged.Allowed && replayed.Reasons.Bits == logged.ReasonBits)
        {
            _unchanged++;
            return;
        }

        if (replayed.Allowed == logged.Allowed)
        {
            _reasonsChanged++;
            return;
        }

        var locked = !replayed.Allowed;
        if (locked)
        {
            _nowLocked++;
            foreach (var reason in replayed.Reasons)
            {
                _byReason[reason.Code()] = _byReason.GetValueOrDefault(reason.Code()) + 1;
            }
        }
        else
        {
            _nowAllowed++;
        }

        Tally(_bySender, CandidateTier(logged.SenderTier!).Id, locked);
        Tally(_byRecipient, CandidateTier(logged.RecipientTier!).Id, locked);
        _changedSenders[logged.SenderId] = _changedSenders.GetValueOrDefault(logged.SenderId) + 1;
        _changedRecipients[logged.RecipientId] = _changedRecipients.GetValueOrDefault(logged.RecipientId) + 1;
    }

    // The locked decisions by reason and by tier, as logged (before) or as replayed (after), for the report's chart.
    private void Locked(in LoggedDecision logged, ReasonSet reasons, bool before, bool locked)
    {
        if (!locked)
        {
            return;
        }

        foreach (var reason in reasons)
        {
            Add(_lockedReasons, reason.Code(), before);
        }

        Add(_lockedSenderTiers, logged.SenderTier!, before);
        Add(_lockedRecipientTiers, logged.RecipientTier!, before);
    }

    private static void Add(Dictionary<string, (int Before, int After)> totals, string key, bool before)
    {
        var (b, a) = totals.GetValueOrDefault(key);
        totals[key] = before ? (b + 1, a) : (b, a + 1);
    }

    private static Dictionary<string, BeforeAfter> BeforeAndAfter(Dictionary<string, (int Before, int After)> totals) =>
        totals.ToDictionary(e => e.Key, e => new BeforeAfter(e.Value.Before, e.Value.After));

    private static void Tally(Dictionary<string, (int Locked, int Allowed)> tiers, string tier, bool locked)
    {
        var (l, a) = tiers.GetValueOrDefault(tier);
        tiers[tier] = locked ? (l + 1, a) : (l, a + 1);
    }

    private static List<AffectedMember> Top(Dictionary<long, int> changed) =>
        [.. changed.OrderByDescending(e => e.Value).ThenBy(e => e.Key).Take(MostAffected).Select(e => new AffectedMember(e.Key, e.Value))];

    private Tier CandidateTier(string id)
    {
        if (!_candidateTiers.TryGetValue(id, out var tier))
        {
            tier = candidate.FindTier(id);
            if (tier is null)
            {
                _missingTiers.Add(id);
                tier = candidate.DefaultTier;
            }

            _candidateTiers[id] = tier;
        }

        return tier;
    }

    private struct PairState
    {
        public int ColdChange;
        public int InMailChange;
        public int ExpectedCold;
        public int ExpectedInMail;
    }

    private struct SenderState
    {
        public int CreditChange;
        public int GrantPeriod;
    }
}
