using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Policy;
using Reach.Safety;
using Reach.Server.Api;
using Reach.Server.Web;

namespace Reach.Server.Pages.Settings;

/// <summary>Who can message me, InMail, open profile, the profile, the address book and blocks (SPEC §2, §7).</summary>
/// <remarks>Its forms take an address book's file, so its bodies may be as large as one (multipart framing included).</remarks>
[RequestSizeLimit(AddressBookBody.MaxBytes + (64 * 1024))]
public sealed class SettingsModel(ReachDb db, AccountService accounts, SafetyService safety, ReachPolicy policy) : MemberPage
{
    private const long MaxUpload = AddressBookBody.MaxBytes;

    public Member? Member { get; private set; }

    public bool Premium { get; private set; }

    public int AddressBookCount { get; private set; }

    public IReadOnlyList<Member> Blocked { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancel) => LoadAsync(cancel);

    public async Task<IActionResult> OnPostMessagingAsync(string? whoCanMessage, bool acceptInMail, bool openProfile, CancellationToken cancel)
    {
        var outcome = await accounts.UpdateSettingsAsync(Me, new SettingsRequest(whoCanMessage, acceptInMail, openProfile), cancel);
        return await DoneAsync(outcome.Failure, "Messaging settings saved.", cancel);
    }

    public async Task<IActionResult> OnPostProfileAsync(string? displayName, string? headline, string? company, bool openToWork, CancellationToken cancel)
    {
        var outcome = await accounts.UpdateProfileAsync(Me, new ProfilePatch(displayName ?? string.Empty, headline ?? string.Empty, company ?? string.Empty, null, openToWork), cancel);
        return await DoneAsync(outcome.Failure, "Profile saved.", cancel);
    }

    public async Task<IActionResult> OnPostAddressBookAsync(IFormFile? file, CancellationToken cancel)
    {
        if (file is null || file.Length == 0)
        {
            return await DoneAsync(Failure.Invalid("file", "Choose a CSV or vCard file."), string.Empty, cancel);
        }

        if (file.Length > MaxUpload)
        {
            return await DoneAsync(Failure.Invalid("file", "The file is larger than 2 MB."), string.Empty, cancel);
        }

        using var reader = new StreamReader(file.OpenReadStream());
        var import = AddressBookBody.FromFile(file.FileName, await reader.ReadToEndAsync(cancel));
        var outcome = await accounts.ReplaceAddressBookAsync(Me, import.Emails, cancel);
        return await DoneAsync(outcome.Failure, $"Imported {Show.Plural(outcome.Value, "contact", "contacts")}.{Skipped(import)}", cancel);
    }

    public async Task<IActionResult> OnPostUnblockAsync(string handle, CancellationToken cancel)
    {
        var outcome = await safety.UnblockAsync(Me, handle, cancel);
        return await DoneAsync(outcome.Failure, "Unblocked.", cancel);
    }

    // The rows a file gave nothing for, the first few in words.
    private static string Skipped(AddressBookImport import)
    {
        var skipped = import.Skipped;
        const int Shown = 5;
        if (skipped.Count == 0)
        {
            return string.Empty;
        }

        var words = string.Join("; ", skipped.Take(Shown).Select(row => row.Words(import.Unit)));
        var more = skipped.Count > Shown ? $"; and {skipped.Count - Shown} more" : string.Empty;
        return $" Skipped {Show.Plural(skipped.Count, import.Unit, import.Unit + "s")}: {words}{more}.";
    }

    private async Task<IActionResult> DoneAsync(Failure? failure, string notice, CancellationToken cancel)
    {
        if (failure is null)
        {
            return BackTo("/settings", notice);
        }

        ShowFailure(failure);
        await LoadAsync(cancel);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        var me = Me;
        Member = await db.Members.AsNoTracking().FirstAsync(m => m.Id == me, cancel);
        Premium = (policy.FindTier(Member.TierId) ?? policy.DefaultTier).PremiumBadge;
        AddressBookCount = await db.AddressBook.CountAsync(e => e.OwnerId == me, cancel);
        Blocked = await safety.ListBlockedAsync(me, cancel);
    }
}
