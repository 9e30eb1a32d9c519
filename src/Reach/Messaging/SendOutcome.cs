using Reach.Policy;

namespace Reach.Messaging;

public sealed record SendRequest(string? ToHandle, string? Body, string? Subject, bool? InMail, string? RecipientEmail);

public sealed record SendResult(long MessageId, long ConversationId, string Channel, int CreditsCharged);

/// <summary>What a send did: delivered, replayed for its Idempotency-Key, locked by the rules, or refused.</summary>
public abstract record SendOutcome
{
    private SendOutcome()
    {
    }

    /// <summary>Delivered now.</summary>
    public sealed record Sent(SendResult Result) : SendOutcome;

    /// <summary>Delivered by an earlier attempt with the same Idempotency-Key: its stored 201 body.</summary>
    public sealed record Replayed(string Response) : SendOutcome;

    /// <summary>The rules lock it; nothing was delivered, counted or charged.</summary>
    public sealed record Locked(Decision Decision) : SendOutcome;

    /// <summary>Not decided at all: invalid input, no such member or conversation, a key reused or in flight.</summary>
    public sealed record Refused(Failure Failure) : SendOutcome;
}
