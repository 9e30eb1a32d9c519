using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Reach.Data;
using Reach.Members;
using Reach.Policy;
using Reach.Server.Api;

namespace Reach.Server.Pages.Admin;

/// <summary>The operator's page (SPEC §10): find a member, set tier and status, grant credits, trace a decision, set the manual clock.</summary>
public sealed class AdminModel(ReachDb db, AdminService admin, ReachPolicy policy, TimeProvider clock) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? Handle { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sender { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Recipient { get; set; }

    public Member? Member { get; private set; }

    public ExplanationJson? Trace { get; private set; }

    public DateTimeOffset? Clock => clock is ManualClock manual ? manual.GetUtcNow() : null;

    public ReachPolicy Policy => policy;

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostTierAsync(string handle, string? tier, CancellationToken cancel) =>
        await DoneAsync(handle, (await admin.SetTierAsync(handle, new TierRequest(tier), cancel)).Failure, "Plan set.", cancel);

    public async Task<IActionResult> OnPostStatusAsync(string handle, string? status, DateTime? until, CancellationToken cancel)
    {
        DateTimeOffset? untilUtc = until is { } u ? new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)) : null;
        return await DoneAsync(handle, (await admin.SetStatusAsync(handle, new StatusRequest(status, untilUtc), cancel)).Failure, "Status set.", cancel);
    }

    public async Task<IActionResult> OnPostCreditsAsync(string handle, int? amount, string? note, CancellationToken cancel) =>
        await DoneAsync(handle, (await admin.GrantCreditsAsync(handle, new CreditGrantRequest(amount, note), cancel)).Failure, "Credits applied.", cancel);

    public async Task<IActionResult> OnPostClockAsync(DateTime? now, [FromServices] Reach.Bookmarks.Reachability reachability, CancellationToken cancel)
    {
        if (clock is ManualClock manual && now is { } at)
        {
            var time = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
            if (time < Api.AdminApi.Earliest || time > Api.AdminApi.Latest)
            {
                Notice = "The clock must be in the years 2000–2199.";
                return Redirect("/admin");
            }

            manual.Set(time);
            await reachability.SweepAsync(cancel);
            Notice = "Clock set.";
        }

        return Redirect("/admin");
    }

    private async Task<IActionResult> DoneAsync(string handle, Failure? failure, string notice, CancellationToken cancel)
    {
        Handle = handle;
        if (failure is null)
        {
            Notice = notice;
            return Redirect("/admin?handle=" + Uri.EscapeDataString(handle));
        }

        ModelState.AddModelError(failure.Field ?? string.Empty, failure.Detail);
        await LoadAsync(cancel);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        if (!string.IsNullOrWhiteSpace(Handle))
        {
            Member = await db.FindByHandleAsync(Handle, cancel);
            if (Member is null)
            {
                ModelState.AddModelError("handle", string.Create(CultureInfo.InvariantCulture, $"No member has the handle '{Handle}'."));
            }
        }

        if (!string.IsNullOrWhiteSpace(Sender) && !string.IsNullOrWhiteSpace(Recipient))
        {
            var outcome = await admin.ExplainAsync(Sender, Recipient, cancel);
            if (outcome.Failure is { } failure)
            {
                ModelState.AddModelError(string.Empty, failure.Detail);
            }
            else
            {
                var x = outcome.Value!;
                Trace = new ExplanationJson(x.Sender.Handle, x.Recipient.Handle, TraceJson.From(x.Regular, policy), TraceJson.From(x.InMail, policy));
            }
        }
    }
}
