using Microsoft.AspNetCore.Mvc;
using Reach.Decisions;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Admin;

/// <summary>
/// Policy what-if for the operator: a candidate policy (uploaded, or edited in place from the one in force) and a
/// period; the logged sends replayed under it, with what would change and a chart of locked decisions before and after.
/// </summary>
public sealed class WhatIfModel(WhatIf whatIf, ReachPolicy policy, TimeProvider clock) : AdminPage
{
    [BindProperty]
    public string? PolicyText { get; set; }

    [BindProperty]
    public IFormFile? PolicyUpload { get; set; }

    [BindProperty]
    public DateTime? From { get; set; }

    [BindProperty]
    public DateTime? To { get; set; }

    public WhatIfJson? Result { get; private set; }

    public ReachPolicy PolicyTiers => policy;

    public void OnGet()
    {
        PolicyText = PolicyFile.Write(policy);
        var end = WhatIfApi.DefaultEnd(clock.GetUtcNow());
        To = end.UtcDateTime;
        From = (end - WhatIfApi.DefaultPeriod).UtcDateTime;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        if (PolicyUpload is { Length: > 0 } upload)
        {
            using var reader = new StreamReader(upload.OpenReadStream());
            PolicyText = await reader.ReadToEndAsync(cancel);
        }

        var (candidate, error) = WhatIfApi.Candidate(PolicyText ?? string.Empty);
        if (error is { } bad)
        {
            ModelState.AddModelError(nameof(PolicyText), $"{bad.Field}: {bad.Detail}");
            return Page();
        }

        var to = To is { } t ? Utc(t) : WhatIfApi.DefaultEnd(clock.GetUtcNow());
        var from = From is { } f ? Utc(f) : to - WhatIfApi.DefaultPeriod;
        if (from < AdminApi.Earliest || to > AdminApi.Latest || to < from)
        {
            ModelState.AddModelError(nameof(To), "The period must run forwards, within the years 2000–2199.");
            return Page();
        }

        Result = WhatIfJson.Of(await whatIf.ReplayAsync(candidate!, from, to, null, cancel), from, to);
        return Page();
    }

    private static DateTimeOffset Utc(DateTime local) => new(DateTime.SpecifyKind(local, DateTimeKind.Utc));
}
