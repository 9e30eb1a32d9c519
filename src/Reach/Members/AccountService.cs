using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Policy;

namespace Reach.Members;

public sealed record RegisterRequest(string? Email, string? Password, string? Handle, string? DisplayName, string? Headline);

public sealed record ProfilePatch(string? DisplayName, string? Headline, string? Company, string? PhotoUrl, bool? OpenToWork);

public sealed record SettingsRequest(string? WhoCanMessage, bool? AcceptInMail, bool? OpenProfile);

/// <summary>Sign-up, profile, settings and address book (SPEC §1, §2, §8). Passwords are ASP.NET Core Identity's.</summary>
public sealed class AccountService(ReachDb db, UserManager<Member> users, ReachPolicy policy, TimeProvider clock, Bookmarks.Reachability reachability, Hints hints)
{
    /// <summary>
    /// What is wrong with a sign-up, field by field, in the order of the form (email, password, handle, name, headline):
    /// the API answers with the first, a page shows them all at once. Empty when the request is well-formed (the handle
    /// may still be taken).
    /// </summary>
    public static IReadOnlyList<Failure> Check(RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var failures = new List<Failure>();
        if (!MemberRules.IsValidEmail(request.Email?.Trim() ?? string.Empty))
        {
            failures.Add(Failure.Invalid("email", "email must be an email address."));
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            failures.Add(Failure.Invalid("password", "password is required."));
        }
        else if (request.Password.Length > MemberRules.PasswordMaxLength)
        {
            failures.Add(Failure.Invalid("password", $"password must have at most {MemberRules.PasswordMaxLength} characters."));
        }

        if (!MemberRules.IsValidHandle(MemberRules.NormalizeHandle(request.Handle ?? string.Empty)))
        {
            failures.Add(Failure.Invalid("handle", "handle must have 3 to 30 characters of a-z, 0-9, _ and -."));
        }

        if (TextRules.Check("displayName", request.DisplayName, MemberRules.DisplayNameMaxLength, required: true) is { } invalidName)
        {
            failures.Add(invalidName);
        }

        if (TextRules.Check("headline", request.Headline, MemberRules.HeadlineMaxLength) is { } invalidHeadline)
        {
            failures.Add(invalidHeadline);
        }

        return failures;
    }

    public async Task<Outcome<Member>> RegisterAsync(RegisterRequest request, CancellationToken cancel)
    {
        if (Check(request) is [var first, ..])
        {
            return first;
        }

        var email = request.Email!.Trim();
        var handle = MemberRules.NormalizeHandle(request.Handle!);
        var displayName = request.DisplayName!.Trim();
        var headline = request.Headline?.Trim();

        if (await db.Members.AnyAsync(m => m.Handle == handle, cancel))
        {
            return new Failure(Failure.Codes.Conflict, "This handle is taken.", "handle");
        }

        var now = clock.GetUtcNow();
        var member = new Member
        {
            UserName = handle,
            Email = email,
            Handle = handle,
            DisplayName = displayName,
            Headline = string.IsNullOrEmpty(headline) ? null : headline,
            TierId = policy.DefaultTier.Id,
            CreatedAt = now,
        };
        member.RefreshSearchText();
        member.Receptiveness = Receptiveness.Of(policy, hints.Facts(member, connections: 0, engagement: null)).Score;

        IdentityResult created;
        try
        {
            created = await users.CreateAsync(member, request.Password!);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            return new Failure(Failure.Codes.Conflict, "This handle or email is taken.", "handle");
        }

        if (!created.Succeeded)
        {
            var error = created.Errors.First();
            return error.Code switch
            {
                "DuplicateEmail" => new Failure(Failure.Codes.Conflict, "An account with this email exists.", "email"),
                "DuplicateUserName" => new Failure(Failure.Codes.Conflict, "This handle is taken.", "handle"),
                "InvalidEmail" => Failure.Invalid("email", "email must be an email address."),
                _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => Failure.Invalid("password", error.Description),
                _ => Failure.Invalid("handle", error.Description),
            };
        }

        await MemberWord.ReplaceAsync(db, member, cancel);
        // A default tier with InMail gets its first grant on first access, like every period's grant (CreditLedger.UpkeepAsync).
        return member;
    }

    public async Task<Outcome<Member>> UpdateProfileAsync(long memberId, ProfilePatch patch, CancellationToken cancel)
    {
        var member = await db.Members.FirstAsync(m => m.Id == memberId, cancel);
        if (patch.DisplayName is not null)
        {
            if (TextRules.Check("displayName", patch.DisplayName, MemberRules.DisplayNameMaxLength, required: true) is { } invalid)
            {
                return invalid;
            }

            member.DisplayName = patch.DisplayName.Trim();
        }

        if (patch.Headline is not null)
        {
            if (TextRules.Check("headline", patch.Headline, MemberRules.HeadlineMaxLength) is { } invalid)
            {
                return invalid;
            }

            member.Headline = NullIfBlank(patch.Headline);
        }

        if (patch.Company is not null)
        {
            if (TextRules.Check("company", patch.Company, MemberRules.CompanyMaxLength) is { } invalid)
            {
                return invalid;
            }

            member.Company = NullIfBlank(patch.Company);
        }

        if (patch.PhotoUrl is not null)
        {
            if (patch.PhotoUrl.Length > 0 && !MemberRules.IsValidPhotoUrl(patch.PhotoUrl))
            {
                return Failure.Invalid("photoUrl", "photoUrl must be an https address.");
            }

            member.PhotoUrl = NullIfBlank(patch.PhotoUrl);
        }

        if (patch.OpenToWork is { } openToWork)
        {
            member.OpenToWork = openToWork;
        }

        member.RefreshSearchText();
        await db.SaveChangesAsync(cancel);
        await MemberWord.ReplaceAsync(db, member, cancel);
        await hints.RefreshAsync(memberId, cancel);
        return member;
    }

    public async Task<Outcome<Member>> UpdateSettingsAsync(long memberId, SettingsRequest request, CancellationToken cancel)
    {
        var member = await db.Members.FirstAsync(m => m.Id == memberId, cancel);
        if (request.WhoCanMessage is null || Codes.ParseWhoCanMessage(request.WhoCanMessage) is not { } who)
        {
            return Failure.Invalid("whoCanMessage", "whoCanMessage must be 'anyone', 'connections' or 'knownContacts'.");
        }

        if (request.AcceptInMail is null)
        {
            return Failure.Invalid("acceptInMail", "acceptInMail is required.");
        }

        var openProfile = request.OpenProfile ?? false;
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        if (openProfile && !tier.PremiumBadge)
        {
            return Failure.Invalid("openProfile", "openProfile is for premium tiers only.");
        }

        member.WhoCanMessage = who;
        member.AcceptInMail = request.AcceptInMail.Value;
        member.OpenProfile = openProfile;
        await db.SaveChangesAsync(cancel);
        await reachability.RecheckTargetingAsync(memberId, cancel);
        return member;
    }

    /// <summary>Replaces the member's imported address book; returns how many distinct emails it holds.</summary>
    public async Task<Outcome<int>> ReplaceAddressBookAsync(long memberId, IReadOnlyList<string?> emails, CancellationToken cancel)
    {
        if (emails.Count > MemberRules.AddressBookMaxEntries)
        {
            return Failure.Invalid("emails", $"An address book has at most {MemberRules.AddressBookMaxEntries} entries.");
        }

        var normalized = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < emails.Count; i++)
        {
            var email = emails[i]?.Trim() ?? string.Empty;
            if (!MemberRules.IsValidEmail(email))
            {
                return Failure.Invalid($"emails[{i}]", $"emails[{i}] is not an email address.");
            }

            normalized.Add(MemberRules.NormalizeEmail(email));
        }

        return await db.InTransactionAsync<Outcome<int>>(async c =>
        {
            await db.AddressBook.Where(e => e.OwnerId == memberId).ExecuteDeleteAsync(c);
            db.AddressBook.AddRange(normalized.Select(email => new AddressBookEntry { OwnerId = memberId, Email = email }));
            await db.SaveChangesAsync(c);
            return normalized.Count;
        }, cancel);
    }

    private static string? NullIfBlank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
