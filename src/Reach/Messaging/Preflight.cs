using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using Reach.Members;
using Reach.Policy;

namespace Reach.Messaging;

public sealed record PreflightResult(Decision Decision, IReadOnlyList<Tip> Tips);

/// <summary>
/// "Can I message R?" (SPEC §4): the decision a send would get, without sending, from the same facts and rules. A
/// read: the pair's facts in one prepared statement on a kept connection, then the rules; it writes only when a wrong
/// email must use one of the day's attempts (so that the pre-flight cannot test addresses for free).
/// </summary>
public sealed class Preflight(FactsReader facts, ReachPolicy policy, TimeProvider clock, IServiceScopeFactory scopes, ReachMetrics metrics)
{
    public async Task<Outcome<PreflightResult>> DecideAsync(
        long senderId, string handle, bool inMail, string? recipientEmail, CancellationToken cancel, string? draft = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (draft is not null && TextRules.Check("body", draft, policy.MessageBodyMaxLength) is { } invalidDraft)
        {
            return invalidDraft;
        }

        if (recipientEmail is not null && recipientEmail.Length > 0 && !MemberRules.IsValidEmail(recipientEmail.Trim()))
        {
            return Failure.Invalid("recipientEmail", "recipientEmail must be an email address.");
        }

        using var activity = ReachActivity.Source.StartActivity("preflight");
        var normalized = MemberRules.NormalizeHandle(handle);
        if (!MemberRules.IsValidHandle(normalized))
        {
            return Failure.NotFound("Member");
        }

        var now = clock.GetUtcNow();
        var pair = await facts.ReadPairAsync(senderId, RecipientKey.ByHandle(normalized), now, cancel);
        if (pair is null)
        {
            return Failure.NotFound("Member");
        }

        if (pair.RecipientId == senderId)
        {
            return Failure.Invalid("handle", "You cannot message yourself.");
        }

        // An email given for a known-contacts recipient is compared only after one of the day's attempts is taken for it,
        // atomically; a right one gives it back.
        var checksEmail = !string.IsNullOrWhiteSpace(recipientEmail) && pair.Settings.WhoCanMessage == WhoCanMessage.KnownContacts
            && policy.WrongEmailAttemptsPerDay > 0 && pair.WrongEmailsToday < policy.WrongEmailAttemptsPerDay;
        if (checksEmail)
        {
            pair.WrongEmailsToday = await ReserveEmailAttemptAsync(senderId, now, cancel) is { } count ? count - 1 : policy.WrongEmailAttemptsPerDay;
        }

        var decisionFacts = pair.Facts(policy, inMail ? MessageKind.InMail : MessageKind.Regular, recipientEmail, now);
        if (checksEmail && decisionFacts.Email == GivenEmail.Matches)
        {
            await ReleaseEmailAttemptAsync(senderId, now, cancel);
        }

        var decision = MessageRules.Decide(policy, decisionFacts);
        metrics.Decided(decision, "preflight");
        activity?.SetTag("reach.allowed", decision.Allowed);
        return new PreflightResult(decision, Advise(pair, decisionFacts, decision, draft));
    }

    // Tips for a first message (SPEC §6); none when the recipient is unavailable, so advice cannot reveal a block.
    private static IReadOnlyList<Tip> Advise(PairFacts pair, DecisionFacts decisionFacts, Decision decision, string? draft)
    {
        if (decision.Reasons.Contains(Reason.Unavailable) || decision.Error != DecisionError.None)
        {
            return [];
        }

        var unanswered = decisionFacts.UnansweredColdMessages + decisionFacts.UnansweredInMails > 0;
        return OutreachAdvice.For(new AdviceFacts(
            draft, pair.DisplayName, pair.Company, pair.Headline, decisionFacts.Connected, decisionFacts.OpenConversation,
            unanswered ? pair.LastSentAt : null, decisionFacts.Now,
            InvitationPossible: !decisionFacts.Connected && decisionFacts.PendingInvitationSentAt is null && decisionFacts.InvitationsLeft > 0));
    }

    // Takes one of the day's email attempts: the count with it, or null when none was left.
    private Task<int?> ReserveEmailAttemptAsync(long senderId, DateTimeOffset now, CancellationToken cancel) => InUnitAsync(async (batch, c) =>
    {
        batch.Add(MessagingSql.ReserveEmailAttempt).Set("s", senderId).Set("day", PairFacts.Day(now)).Set("limit", policy.WrongEmailAttemptsPerDay);
        await using var reader = await batch.ExecuteAsync(c);
        return await reader.ReadAsync() ? (int?)reader.GetInt32(0) : null;
    }, cancel);

    // Gives back an attempt taken for an email that turned out right.
    private Task<bool> ReleaseEmailAttemptAsync(long senderId, DateTimeOffset now, CancellationToken cancel) => InUnitAsync(async (batch, c) =>
    {
        batch.Add(MessagingSql.ReleaseEmailAttempt).Set("s", senderId).Set("day", PairFacts.Day(now));
        await batch.ExecuteNonQueryAsync(c);
        return true;
    }, cancel);

    // A pre-flight's rare write, in a unit of work of its own (the pre-flight itself runs outside any).
    private async Task<T> InUnitAsync<T>(Func<StatementBatch, CancellationToken, Task<T>> work, CancellationToken cancel)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReachDb>();
        return await db.InTransactionAsync(async c =>
        {
            await using var batch = StatementBatch.On(db);
            return await work(batch, c);
        }, cancel);
    }
}
