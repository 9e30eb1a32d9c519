using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Members;
using Reach.Server.Api;

namespace Reach.Server.Pages.Account;

/// <summary>Signing out ends every token and cookie of the member, not only this browser's (the stamp is rotated).</summary>
public sealed class SignOutModel(SignInManager<Member> signIn, UserManager<Member> users, MemberSessions sessions) : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated == true && await users.GetUserAsync(User) is { } member)
        {
            await users.UpdateSecurityStampAsync(member);
            sessions.Forget(User.MemberId());
        }

        await signIn.SignOutAsync();
        return Redirect("/signin");
    }
}
