using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Members;

namespace Reach.Server.Pages.Account;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Web.RequestLimits.SignIn)]
public sealed class SignUpModel(AccountService accounts, SignInManager<Member> signIn) : PageModel
{
    [BindProperty]
    public SignUpInput Input { get; set; } = new();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        var outcome = await accounts.RegisterAsync(new RegisterRequest(Input.Email, Input.Password, Input.Handle, Input.DisplayName, Input.Headline), cancel);
        if (outcome.Failure is { } failure)
        {
            ModelState.AddModelError(failure.Field is { } field ? "Input." + char.ToUpperInvariant(field[0]) + field[1..] : string.Empty, failure.Detail);
            return Page();
        }

        await signIn.SignInAsync(outcome.Value!, isPersistent: true);
        return Redirect("/settings");
    }
}

public sealed class SignUpInput
{
    public string? DisplayName { get; set; }

    public string? Handle { get; set; }

    public string? Headline { get; set; }

    public string? Email { get; set; }

    public string? Password { get; set; }
}
