namespace Reach.Messaging;

/// <summary>
/// A send made with an <c>Idempotency-Key</c>. The (sender, key) primary key admits one; a replay returns the stored
/// response, another payload under the same key is refused, and a key whose first send is still running is busy.
/// </summary>
public sealed class IdempotencyRecord
{
    public long SenderId { get; set; }

    public required string Key { get; set; }

    public required string RequestHash { get; set; }

    public bool Completed { get; set; }

    public int StatusCode { get; set; }

    public string? Response { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
