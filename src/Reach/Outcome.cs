using Reach.Policy;

namespace Reach;

/// <summary>
/// Why a use case did not do what was asked. <see cref="Code"/> is the stable problem code of the HTTP API;
/// the server's one table maps each code to a status.
/// </summary>
/// <param name="Code">The problem code, e.g. <c>validation_failed</c>, <c>not_found</c>, <c>message_locked</c>.</param>
/// <param name="Detail">A sentence for people.</param>
/// <param name="Field">With <c>validation_failed</c>: the field at fault, in the request's own spelling.</param>
public sealed record Failure(string Code, string Detail, string? Field = null)
{
    /// <summary>With <c>message_locked</c>: the decision as the sender may see it.</summary>
    public Decision? Decision { get; init; }

    /// <summary>With refusals that have several causes (<c>invitation_refused</c>): which one, e.g. <c>weekly_limit_reached</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>With refusals that end: when.</summary>
    public DateTimeOffset? Until { get; init; }

    public static Failure Invalid(string field, string detail) => new(Codes.ValidationFailed, detail, field);

    public static Failure NotFound(string what) => new(Codes.NotFound, $"{what} was not found.");

    public static Failure Locked(Decision decision) =>
        new(Codes.MessageLocked, "This member cannot be messaged now.") { Decision = decision };

    /// <summary>The problem codes of the API.</summary>
    public static class Codes
    {
        public const string ValidationFailed = "validation_failed";
        public const string NotFound = "not_found";
        public const string MessageLocked = "message_locked";
        public const string Conflict = "conflict";
        public const string IdempotencyKeyReused = "idempotency_key_reused";
        public const string IdempotencyKeyInFlight = "idempotency_key_in_flight";
        public const string InvitationRefused = "invitation_refused";
        public const string InsufficientCredits = "insufficient_credits";
        public const string NotAllowed = "not_allowed";
        public const string ClockNotManual = "clock_not_manual";
    }
}

/// <summary>A value or a <see cref="Failure"/>.</summary>
public readonly record struct Outcome<T>(T? Value, Failure? Failure)
{
    public bool Succeeded => Failure is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
