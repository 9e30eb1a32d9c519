using Reach.Posts;

namespace Reach.Server.Pages.Posts;

/// <summary>The newest posts (SPEC §5).</summary>
public sealed class PostsModel(PostService posts) : MemberPage
{
    public IReadOnlyList<PostView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel) => Items = await posts.ListAsync(Me, authorId: null, cancel);
}
