using Microsoft.AspNetCore.Mvc;
using Reach.Posts;

namespace Reach.Server.Pages.Posts;

/// <summary>One post with its comments: comment, answer a comment, share (SPEC §5).</summary>
public sealed class PostModel(PostService posts) : MemberPage
{
    public PostView? Post { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancel) =>
        await LoadAsync(id, cancel) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCommentAsync(long id, string? body, long? replyToId, CancellationToken cancel)
    {
        var outcome = await posts.CommentAsync(Me, id, new CommentRequest(body, replyToId), cancel);
        return await DoneAsync(id, outcome.Failure, "Commented.", cancel);
    }

    public async Task<IActionResult> OnPostShareAsync(long id, string? comment, CancellationToken cancel)
    {
        var outcome = await posts.ShareAsync(Me, id, new ShareRequest(comment), cancel);
        return outcome.Failure is null ? BackTo("/posts", "Shared.") : await DoneAsync(id, outcome.Failure, string.Empty, cancel);
    }

    private async Task<IActionResult> DoneAsync(long id, Failure? failure, string notice, CancellationToken cancel)
    {
        if (failure is null)
        {
            return BackTo($"/posts/{id}", notice);
        }

        if (failure.Code == Failure.Codes.NotFound || !await LoadAsync(id, cancel))
        {
            return NotFound();
        }

        ShowFailure(failure);
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancel)
    {
        Post = (await posts.GetAsync(Me, id, cancel)).Value;
        return Post is not null;
    }
}
