using Microsoft.AspNetCore.Identity;
using Reach.Policy;

namespace Reach.Members;

/// <summary>A member of the network: the Identity account (email, password hash) and everything Reach keeps of them.</summary>
public sealed class Member : IdentityUser<long>
{
    /// <summary>The public handle, lower case: <c>ada_lovelace</c>.</summary>
    public required string Handle { get; set; }

    public required string DisplayName { get; set; }

    public string? Headline { get; set; }

    public string? Company { get; set; }

    public string? PhotoUrl { get; set; }

    public bool OpenToWork { get; set; }

    public required string TierId { get; set; }

    public AccountStatus Status { get; set; }

    public DateTimeOffset? RestrictedUntil { get; set; }

    public WhoCanMessage WhoCanMessage { get; set; }

    public bool AcceptInMail { get; set; } = true;

    public bool OpenProfile { get; set; }

    /// <summary>The InMail balance: always the sum of the member's ledger entries, never below zero (a check constraint).</summary>
    public int CreditBalance { get; set; }

    /// <summary>The key of the last period whose InMail grant the member received, e.g. <c>2026-11</c>.</summary>
    public string? CreditsGrantedFor { get; set; }

    /// <summary>The earliest moment a credit lot expires, or null: lets reads skip credit upkeep until something is due.</summary>
    public DateTimeOffset? NextCreditExpiry { get; set; }

    /// <summary>Bumped by every write that must be serialized per member; on PostgreSQL the update takes the row lock.</summary>
    public long Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>How many connections the member has, kept with every connection made or removed (search filters on it).</summary>
    public int ConnectionCount { get; set; }

    /// <summary>The receptiveness score of SPEC §4, kept current by <see cref="Hints.RefreshAsync"/> (search sorts on it).</summary>
    public int Receptiveness { get; set; }

    /// <summary>Name, handle, headline and company in lower case: what search matches.</summary>
    public string SearchText { get; set; } = string.Empty;

    /// <summary>Sets <see cref="SearchText"/> from the profile.</summary>
    public void RefreshSearchText() =>
        SearchText = string.Join(' ', new[] { DisplayName, Handle, Headline, Company }.Where(part => !string.IsNullOrEmpty(part)))
            .ToLowerInvariant();

    /// <summary>The member's messaging settings as the rules read them.</summary>
    public MessagingSettings Settings => new(WhoCanMessage, AcceptInMail, OpenProfile);
}
