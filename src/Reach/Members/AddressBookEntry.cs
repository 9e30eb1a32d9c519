namespace Reach.Members;

/// <summary>An email in a member's imported address book, normalised (trimmed, lower case).</summary>
public sealed class AddressBookEntry
{
    public long OwnerId { get; set; }

    public required string Email { get; set; }
}
