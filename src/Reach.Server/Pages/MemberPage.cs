using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Server.Api;
using Reach.Server.Web;

namespace Reach.Server.Pages;

/// <summary>A page for a signed-in member (Identity's cookie); forms carry antiforgery tokens, checked on every post.</summary>
[Authorize(Policy = WebAuth.Member)]
public abstract class MemberPage : PageModel
{
    protected long Me => User.MemberId();

    /// <summary>A one-line notice shown on the next page.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Shows a failure of a use case next to the field it names, or at the top of the form.</summary>
    protected void ShowFailure(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ModelState.AddModelError(failure.Field ?? string.Empty, failure.Detail);
    }

    /// <summary>Whether the notice reports a refusal (<c>warning</c>) rather than something done.</summary>
    [TempData]
    public string? NoticeKind { get; set; }

    protected RedirectResult BackTo(string path, string notice)
    {
        Notice = notice;
        return Redirect(path);
    }

    /// <summary>Back to <paramref name="path"/>, saying what was done, or why it was refused (in the warning style).</summary>
    protected RedirectResult BackTo(string path, Failure? failure, string done)
    {
        if (failure is null)
        {
            return BackTo(path, done);
        }

        NoticeKind = "warning";
        return BackTo(path, failure.Detail);
    }
}

/// <summary>A page for the operator, signed in with the admin key.</summary>
[Authorize(Policy = WebAuth.Admin)]
public abstract class AdminPage : PageModel
{
    [TempData]
    public string? Notice { get; set; }
}
