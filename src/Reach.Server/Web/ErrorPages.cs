using Microsoft.Net.Http.Headers;

namespace Reach.Server.Web;

/// <summary>
/// Errors by who asks: a browser (a request that accepts HTML) gets the error page of the site, an API client the
/// problem document. The status code is the same for both.
/// </summary>
public static class ErrorPages
{
    /// <summary>Whether the request is a browser's: it accepts HTML.</summary>
    public static bool WantsHtml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
            && accepted.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Browsers' empty error answers become the error page (<c>/error/{code}</c>), run in place.</summary>
    public static IApplicationBuilder UseErrorPages(this IApplicationBuilder app) =>
        app.UseWhen(context => WantsHtml(context.Request), html => html.UseStatusCodePagesWithReExecute("/error/{0}"));

    /// <summary>The page of an unexpected failure, for a browser, written directly (nothing else can be trusted to run).</summary>
    public static Task WriteFailureAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Something went wrong · Reach</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main id="main"><section class="card"><h1>Something went wrong</h1>
            <p>Reach could not show this page. Try again in a moment.</p><p><a href="/">Go to the start page</a></p></section></main></body></html>
            """);
    }
}
