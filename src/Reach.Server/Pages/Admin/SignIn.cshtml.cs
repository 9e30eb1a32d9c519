using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Server.Web;

namespace Reach.Server.Pages.Admin;

/// <summary>The operator signs in with the admin key of the configuration, and gets the admin cookie.</summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RequestLimits.SignIn)]
public sealed class AdminSignInModel(StartOptions options) : PageModel
{
    public bool Open => options.AdminKey is not null;

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        if (options.AdminKey is null || key is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(options.AdminKey)))
        {
            ModelState.AddModelError(string.Empty, "That is not the admin key.");
            return Page();
        }

        var identity = new ClaimsIdentity([new Claim(WebAuth.AdminClaim, WebAuth.AdminKeyStamp(options.AdminKey))], WebAuth.AdminScheme);
        await HttpContext.SignInAsync(WebAuth.AdminScheme, new ClaimsPrincipal(identity));
        return Redirect("/admin");
    }
}
