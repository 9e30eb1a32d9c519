using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Members;
using Reach.Policy;

namespace Reach.Server.Pages.Account;

public sealed class SignInModel(UserManager<Member> users, SignInManager<Member> signIn) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnPostAsync()
    {
        var email = Email?.Trim() ?? string.Empty;
        var member = MemberRules.IsValidEmail(email) ? await users.FindByEmailAsync(email) : null;
        if (member is null || member.Status == AccountStatus.Deactivated || string.IsNullOrEmpty(Password)
            || !(await signIn.CheckPasswordSignInAsync(member, Password, lockoutOnFailure: false)).Succeeded)
        {
            ModelState.AddModelError(string.Empty, "Wrong email or password.");
            return Page();
        }

        await signIn.SignInAsync(member, isPersistent: true);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
