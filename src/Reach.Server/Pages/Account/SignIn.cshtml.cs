using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Reach.Members;

namespace Reach.Server.Pages.Account;

[EnableRateLimiting(Web.RequestLimits.SignIn)]
public sealed class SignInModel(Web.SignInGuard guard, SignInManager<Member> signIn) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnPostAsync()
    {
        var check = await guard.CheckAsync(Email, Password);
        if (check.RetryAfter is { } retryAfter)
        {
            ModelState.AddModelError(string.Empty, $"Too many attempts for this account: try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes))} minutes.");
            return Page();
        }

        if (check.Member is not { } member)
        {
            ModelState.AddModelError(string.Empty, "Wrong email or password.");
            return Page();
        }

        await signIn.SignInAsync(member, isPersistent: true);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
