using BenchmarkDotNet.Attributes;
using Reach.Policy;

namespace Reach.Benchmarks;

/// <summary>
/// The in-process decision (SPEC §12: at most 100 ns and no allocation). The baseline is the common case, a cold
/// message that is allowed; the ratios show what a connection, an InMail and a fully explained lock cost beside it.
/// </summary>
[MemoryDiagnoser]
public class DecideBenchmarks
{
    private static readonly ReachPolicy Policy = ReachPolicy.Default;
    private static readonly DateTimeOffset Now = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly DecisionFacts _coldAllowed = new()
    {
        Sender = new Party(Policy.Tier("basic")),
        Recipient = new Party(Policy.Tier("basic")),
        Settings = MessagingSettings.Default,
        Now = Now,
        ColdMessagesReceived = 3,
        InvitationsLeft = 100,
        EmailAttemptsLeft = 5,
    };

    private DecisionFacts _connection;
    private DecisionFacts _lockedEverything;
    private DecisionFacts _inMail;

    [GlobalSetup]
    public void Setup()
    {
        _connection = _coldAllowed with { Connected = true };
        _inMail = _coldAllowed with { Kind = MessageKind.InMail, Sender = new Party(Policy.Tier("sales_navigator")), CreditBalance = 12 };

        // Locked for four reasons at once, with every remedy computed: the most work a decision does.
        _lockedEverything = _coldAllowed with
        {
            Sender = new Party(Policy.Tier("premium_business")),
            Recipient = new Party(Policy.Tier("sales_navigator")),
            Settings = MessagingSettings.Default with { WhoCanMessage = WhoCanMessage.KnownContacts },
            ColdMessagesReceived = 50,
            UnansweredColdMessages = 2,
            CreditBalance = 0,
        };
    }

    [Benchmark]
    public Decision Connection() => MessageRules.Decide(Policy, _connection);

    [Benchmark(Baseline = true)]
    public Decision ColdAllowed() => MessageRules.Decide(Policy, _coldAllowed);

    [Benchmark]
    public Decision InMailAllowed() => MessageRules.Decide(Policy, _inMail);

    [Benchmark]
    public Decision LockedWithEveryRemedy() => MessageRules.Decide(Policy, _lockedEverything);
}
