using Microsoft.AspNetCore.Mvc;
using Reach.Members;
using Reach.Posts;

namespace Reach.Server.Pages.Posts;

/// <summary>Writing a post; <c>?mention=handle</c> starts it with a mention (the lock notice's "mention them in a post").</summary>
public sealed class NewPostModel(PostService posts) : MemberPage
{
    [BindProperty]
    public string? Body { get; set; }

    public void OnGet(string? mention)
    {
        var handle = MemberRules.NormalizeHandle(mention ?? string.Empty);
        Body = MemberRules.IsValidHandle(handle) ? "@" + handle + " " : null;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        var outcome = await posts.CreateAsync(Me, Body, cancel);
        if (outcome.Failure is { } failure)
        {
            ShowFailure(failure);
            return Page();
        }

        return BackTo("/posts", "Posted.");
    }
}
