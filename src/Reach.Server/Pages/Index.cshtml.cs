using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Reach.Policy;
using Reach.Search;
using Reach.Server.Api;

namespace Reach.Server.Pages;

/// <summary>The landing page, or for a member the people search (SPEC §4).</summary>
public sealed class IndexModel(SearchService search, ReachPolicy policy) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? OpenToWork { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? MinConnections { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Premium { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Reachable { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public string? PageNumber { get; set; }

    public bool SignedIn { get; private set; }

    public IReadOnlyList<SearchHit> Hits { get; private set; } = [];

    public int? NextPage { get; private set; }

    public ReachPolicy Policy => policy;

    public async Task OnGetAsync(CancellationToken cancel)
    {
        SignedIn = User.Identity?.IsAuthenticated == true;
        if (!SignedIn)
        {
            return;
        }

        var query = SearchApi.Parse(Q, OpenToWork, MinConnections, Premium, Reachable, Sort, PageNumber);
        if (query is null)
        {
            ModelState.AddModelError(string.Empty, "A filter has a value that is not of its kind.");
            return;
        }

        var outcome = await search.SearchAsync(User.MemberId(), query, cancel);
        if (outcome.Failure is { } failure)
        {
            ModelState.AddModelError(string.Empty, failure.Detail);
            return;
        }

        Hits = outcome.Value!.Hits;
        NextPage = outcome.Value.NextPage;
    }

    public string PageLink(int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["q"] = Q,
        ["openToWork"] = OpenToWork,
        ["minConnections"] = MinConnections,
        ["premium"] = Premium,
        ["reachable"] = Reachable,
        ["sort"] = Sort,
        ["p"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }).ToUriComponent();
}
