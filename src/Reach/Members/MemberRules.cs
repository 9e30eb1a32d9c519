using System.Net.Mail;

namespace Reach.Members;

/// <summary>Limits and normal forms of member data.</summary>
public static class MemberRules
{
    public const int HandleMinLength = 3;
    public const int HandleMaxLength = 30;
    public const int DisplayNameMaxLength = 100;
    public const int HeadlineMaxLength = 200;
    public const int CompanyMaxLength = 100;
    public const int PhotoUrlMaxLength = 500;
    public const int EmailMaxLength = 254;
    public const int PasswordMaxLength = 200;
    public const int AddressBookMaxEntries = 10_000;

    /// <summary>A handle as stored: trimmed and lower case; valid ones are 3–30 of a-z, 0-9, _ and -.</summary>
    public static string NormalizeHandle(string handle) => handle.Trim().TrimStart('@').ToLowerInvariant();

    public static bool IsValidHandle(string handle) =>
        handle.Length is >= HandleMinLength and <= HandleMaxLength
        && handle.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-');

    /// <summary>An email as compared: trimmed and lower case.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValidEmail(string email)
    {
        if (email.Length is 0 or > EmailMaxLength || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || !TextRules.IsWellFormed(email))
        {
            return false;
        }

        return MailAddress.TryCreate(email, out var address) && address.Address == email && email.Contains('.', StringComparison.Ordinal);
    }

    /// <summary>
    /// An https address only: every viewer's browser fetches it, so it must not go in the clear (or, over plain http,
    /// be rewritten on the way), and the pages' policy takes images over https only.
    /// </summary>
    public static bool IsValidPhotoUrl(string url) =>
        url.Length <= PhotoUrlMaxLength
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && string.IsNullOrEmpty(uri.UserInfo);
}
