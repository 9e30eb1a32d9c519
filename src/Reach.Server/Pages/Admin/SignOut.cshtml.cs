using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Reach.Server.Web;

namespace Reach.Server.Pages.Admin;

public sealed class AdminSignOutModel : AdminPage
{
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebAuth.AdminScheme);
        return Redirect("/admin/signin");
    }
}
