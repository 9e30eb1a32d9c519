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
        // Every field's mistake at once, in words for people; then what only the database can tell (a taken handle).
        var request = new RegisterRequest(Input.Email, Input.Password, Input.Handle, Input.DisplayName, Input.Headline);
        var failures = AccountService.Check(request).ToList();
        if (Input.Password is { Length: > 0 and < MinimumPasswordLength } && failures.All(f => f.Field != "password"))
        {
            failures.Add(Failure.Invalid("password", "password is too short."));
        }

        Member? created = null;
        if (failures.Count == 0)
        {
            var outcome = await accounts.RegisterAsync(request, cancel);
            if (outcome.Failure is { } refused)
            {
                failures.Add(refused);
            }

            created = outcome.Value;
        }

        if (failures.Count > 0)
        {
            foreach (var failure in failures.OrderBy(f => Array.IndexOf(FormOrder, f.Field)))
            {
                ModelState.AddModelError(failure.Field is { } field ? "Input." + char.ToUpperInvariant(field[0]) + field[1..] : string.Empty, Say(failure));
            }

            return Page();
        }

        await signIn.SignInAsync(created!, isPersistent: true);
        return Redirect("/settings");
    }

    private const int MinimumPasswordLength = 8;

    private static readonly string?[] FormOrder = ["displayName", "handle", "headline", "email", "password", null];

    // A refusal as the form says it: what to do, not which rule failed.
    private string Say(Failure failure) => (failure.Field, failure.Code) switch
    {
        ("email", Failure.Codes.Conflict) => "An account with this email exists already: sign in instead.",
        ("email", _) => "Enter your email address, such as name@example.com.",
        ("password", _) when string.IsNullOrEmpty(Input.Password) => $"Choose a password of at least {MinimumPasswordLength} characters.",
        ("password", _) when Input.Password!.Length < MinimumPasswordLength => $"Your password needs at least {MinimumPasswordLength} characters.",
        ("password", _) => $"Your password can have at most {MemberRules.PasswordMaxLength} characters.",
        ("handle", Failure.Codes.Conflict) => "This handle is taken: choose another.",
        ("handle", _) => "Choose a handle of 3 to 30 characters, using a–z, 0–9, _ and -.",
        ("displayName", _) when string.IsNullOrWhiteSpace(Input.DisplayName) => "Enter your name.",
        ("displayName", _) => $"Your name can have at most {MemberRules.DisplayNameMaxLength} characters, without control characters.",
        ("headline", _) => $"Your headline can have at most {MemberRules.HeadlineMaxLength} characters, without control characters.",
        _ => failure.Detail,
    };
}

public sealed class SignUpInput
{
    public string? DisplayName { get; set; }

    public string? Handle { get; set; }

    public string? Headline { get; set; }

    public string? Email { get; set; }

    public string? Password { get; set; }
}
