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

    protected RedirectResult BackTo(string path, string notice)
    {
        Notice = notice;
        return Redirect(path);
    }
}

/// <summary>A page for the operator, signed in with the admin key.</summary>
[Authorize(Policy = WebAuth.Admin)]
public abstract class AdminPage : PageModel
{
    [TempData]
    public string? Notice { get; set; }
}
