using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>
/// Every page of the demo network, signed out, signed in and as the operator, at desktop width (and one page of each
/// layout at phone width), checked with axe-core: no violation of any impact. (The journeys check each state they photograph as well: Screens.ShotAsync.)
/// </summary>
public sealed class AccessibilityTests(Browser browser, DemoHost host) : BrowserTest, IClassFixture<DemoHost>
{
    private static readonly string[] MemberPages =
    [
        "/", "/messages?folder=inbox", "/messages?folder=requests", "/messages?folder=sent", "/messages/new?to=alan",
        "/messages/new?to=ada", "/m/grace", "/m/ada", "/m/ken", "/m/katherine", "/m/alex", "/network", "/notifications",
        "/bookmarks", "/settings", "/plan", "/posts", "/posts/new", "/m/nobody", "/messages/99999",
    ];

    // At phone width the layout changes (one column, the header in two lines): one page of each layout.
    private static readonly string[] PhonePages = ["/", "/messages?folder=inbox", "/m/grace", "/messages/new?to=alan", "/settings", "/posts"];

    [Theory]
    [InlineData(1200, 900)]
    [InlineData(390, 844)]
    public async Task EveryMemberPageHasNoViolation(int width, int height)
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.SetViewportSizeAsync(width, height);
        var failures = new List<string>();
        foreach (var path in width < 600 ? PhonePages : MemberPages)
        {
            await page.GotoAsync(path);
            try
            {
                await page.AssertAccessibleAsync($"{path} at {width} px");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add(e.Message);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task OnAPhoneTheHeaderTakesTwoShortLines()
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/messages");
        var header = await page.Locator("header.top").BoundingBoxAsync();
        Assert.True(header!.Height <= 110, $"The header is {header.Height} px high at phone width.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeAttachedAsync();
        await page.ShotAsync("phone-messages");
    }

    [Fact]
    public async Task AConversationAndAPostHaveNoViolation()
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.GotoAsync("/messages?folder=inbox");
        await page.GetByRole(AriaRole.Link, new() { Name = "Dennis Ritchie" }).First.ClickAsync();
        await Expect(page.GetByTestId("message").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("a conversation");

        await page.GotoAsync("/posts");
        await page.Locator("a[href^='/posts/']").Filter(new() { HasNotText = "Write" }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("a post");
    }

    [Fact]
    public async Task TheCheckFindsAViolationWhereThereIsOne()
    {
        var page = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await page.GotoAsync("/signin");
        await page.EvaluateAsync("() => { const i = document.createElement('img'); i.src = '/favicon.svg'; document.querySelector('main').append(i); }");
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => page.AssertAccessibleAsync("an image without alt"));
        Assert.Contains("image-alt", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/signup")]
    [InlineData("/admin/signin")]
    public async Task EachSignedOutPageHasNoViolation(string path)
    {
        var page = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await page.GotoAsync(path);
        await page.AssertAccessibleAsync(path);
    }

    [Fact]
    public async Task TheSignUpFormWithItsErrorsHasNoViolation()
    {
        var page = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await page.GotoAsync("/signup");
        await page.Locator("form").EvaluateAsync("form => form.noValidate = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.AssertAccessibleAsync("sign-up errors");
    }

    [Fact]
    public async Task TheOperatorPageHasNoViolation()
    {
        var admin = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await admin.GotoAsync("/admin");
        await admin.GetByLabel("Admin key").FillAsync(WebHost.AdminKey);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in as admin" }).ClickAsync();
        await admin.GetByLabel("Handle").FillAsync("linus");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await admin.AssertAccessibleAsync("/admin");
    }
}
