using Microsoft.Playwright;

namespace Reach.Web.Tests;

/// <summary>Reading the lock notice of a page the way a test asserts it.</summary>
public static class LockNotice
{
    public static Task<string[]> ReasonsAsync(this IPage page) =>
        page.Locator("[data-reason]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.reason)");

    public static Task<string[]> RemediesAsync(this IPage page) =>
        page.Locator("[data-remedy]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.remedy)");

    public static ILocator Remedy(this IPage page, string code) => page.Locator($"[data-remedy='{code}']");

    public static ILocator Notice(this IPage page) => page.Locator("p.notice");
}
