using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Reach.Server.Pages.Errors;

/// <summary>
/// What a browser is shown for a page that is not there, not allowed, or failed: a page of the site, in words, never
/// a JSON body (<see cref="Web.ErrorPages"/>). API clients get problem documents as before.
/// </summary>
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "Reach could not show this page. Try again in a moment.";

    // A form's failure is shown in place, so the page also answers the form's method.
    public void OnPost(int code) => OnGet(code);

    public void OnGet(int code)
    {
        (Title, Explanation) = code switch
        {
            404 => ("Page not found", "There is no such page, or no such member, conversation or post — or it is not yours to see."),
            403 => ("Not allowed", "Your account cannot do this now. If it is suspended, you can still read, but not write."),
            429 => ("Too many attempts", "Wait a minute, then try again."),
            400 or 413 or 415 => ("That did not work", "The form could not be read. Go back and try again."),
            _ => (Title, Explanation),
        };
    }
}
