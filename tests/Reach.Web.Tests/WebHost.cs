using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Reach.Web.Tests.Browser))]

namespace Reach.Web.Tests;

/// <summary>Debian's Chromium, driven by Playwright, shared by every browser test of the run.</summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    /// <summary>Where the tests save their screenshots (<c>REACH_SCREENSHOTS</c>, or <c>screenshots</c> beside the tests).</summary>
    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("REACH_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>The run's browser once started, for <see cref="BrowserTest"/>.</summary>
    internal static IBrowser? Current { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("REACH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Current = Chromium;
    }

    public async ValueTask DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// A test in the browser. Once it ends, every browser context it opened is closed (the tests run one at a time): a page
/// left open keeps its renderer process, its live notification stream and its timers running through the rest of the run.
/// </summary>
public abstract class BrowserTest : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var context in Browser.Current?.Contexts.ToList() ?? [])
        {
            await context.CloseAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A real Reach server on a socket (Kestrel on a free port of 127.0.0.1) with a fresh SQLite database, the manual clock
/// and a known admin key: what a browser needs.
/// </summary>
public class WebHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "web-test-admin-key-0123456789";

    public const string Password = "correct horse battery";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "reach-web-tests", Guid.NewGuid().ToString("N"));

    private readonly Dictionary<string, string> _settings = [];

    public WebHost()
    {
        UseKestrel(0);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Start options beyond the database, admin key and manual clock.</summary>
    protected Dictionary<string, string> Settings => _settings;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        Anonymous = new HttpClient { BaseAddress = BaseUrl };
        Admin = new HttpClient { BaseAddress = BaseUrl };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open: the temp folder is cleaned by the machine.
        }
    }

    private static readonly Lazy<string> WithoutLimits = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"reach-web-policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "limits": { "signInPerMinute": 0, "sendsPerMinute": 0, "preflightsPerMinute": 0 } }""");
        return path;
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("db", Path.Combine(_folder, "reach.db"));
        builder.UseSetting("admin-key", AdminKey);
        builder.UseSetting("clock", "manual");
        // The journeys sign many members up from one address: the abuse limits are off unless a test gives a policy.
        builder.UseSetting("policy", WithoutLimits.Value);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000));
    }

    /// <summary>Signs a member up through the API; returns a client carrying their token.</summary>
    public async Task<Member> SignUpAsync(string name, string? tier = null, object? settings = null)
    {
        var handle = $"{name.ToLowerInvariant().Split(' ')[0]}_{Guid.NewGuid():N}"[..20];
        var email = $"{handle}@example.com";
        var register = await Anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = Password, handle, displayName = name, headline = "Test member" });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var token = await Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var member = new Member(handle, name, email, client);
        if (tier is not null)
        {
            await SetTierAsync(handle, tier);
        }

        if (settings is not null)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/me/settings", settings)).StatusCode);
        }

        return member;
    }

    public async Task SetTierAsync(string handle, string tier) =>
        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsJsonAsync($"/api/admin/members/{handle}/tier", new { tier })).StatusCode);

    public async Task SetClockAsync(DateTimeOffset now) =>
        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsJsonAsync("/api/admin/clock", new { now })).StatusCode);

    /// <summary>A browser tab signed in as the member, in a context of its own (its own cookies).</summary>
    public async Task<IPage> SignInAsync(IBrowser browser, string email, string password = Password)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(new() { BaseURL = BaseUrl.ToString(), ViewportSize = new() { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#bell-count")).ToBeVisibleAsync();
        return page;
    }
}

/// <summary>A server started with <c>--demo</c>: the demo network is seeded at start.</summary>
public sealed class DemoHost : WebHost
{
    public DemoHost() => Settings["demo"] = "true";
}

/// <summary>A member signed up for a test, with an API client of their own.</summary>
public sealed record Member(string Handle, string Name, string Email, HttpClient Client)
{
    public string FirstName => Name.Split(' ')[0];

    public async Task SendAsync(string toHandle, string body) =>
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsJsonAsync("/api/messages", new { toHandle, body })).StatusCode);
}

public static class Screens
{
    /// <summary>
    /// Saves a full-page screenshot under the run's screenshot folder, and checks the state it shows with axe: every
    /// state a test photographs has no accessibility violation of any impact.
    /// </summary>
    public static async Task ShotAsync(this IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, name + ".png"), FullPage = true });
        await page.AssertAccessibleAsync(name);
    }

    /// <summary>Runs axe-core on the page as it stands; fails with every violation, its rule, impact and elements.</summary>
    public static async Task AssertAccessibleAsync(this IPage page, string state)
    {
        ArgumentNullException.ThrowIfNull(page);
        // Violations only: axe then skips building selectors for every element that passes (its documented way to
        // run faster), which is most of the check's time on a page.
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        Assert.True(result.Violations.Length == 0, $"axe found {result.Violations.Length} violation(s) on {state} ({page.Url}): " + string.Join(
            "; ", result.Violations.Select(v => $"{v.Id} ({v.Impact}) {v.Help}: {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}
