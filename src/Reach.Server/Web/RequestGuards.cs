using Microsoft.Net.Http.Headers;
using Reach.Server.Api;

namespace Reach.Server.Web;

/// <summary>
/// What every request meets before any endpoint: a body in a character set Reach does not read is refused with 415
/// (it would otherwise fail deep in the JSON or form reader), and every response carries the headers that keep pages
/// from being framed, sniffed or fed script from elsewhere (docs/SECURITY.md). The size of bodies is capped by Kestrel
/// (<see cref="MaxBodyBytes"/>), so an oversized body is refused with 413 before it is buffered.
/// </summary>
public static class RequestGuards
{
    /// <summary>The largest body any endpoint takes unless it says otherwise (an address book takes more).</summary>
    public const long MaxBodyBytes = 64 * 1024;

    // Pages run the one script of the site and no inline script; inline style attributes are allowed (the templates use
    // a few, and styles cannot run code). Member photos are https addresses elsewhere. No page may be framed.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseRequestGuards(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // The pages' headers; the API answers JSON that no browser renders or frames, so it spares them (the
        // pre-flight's answer is smaller than these would be). The API reference at /docs is a page of its own
        // make, with inline script, and shows no member data: no script policy there.
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }
        }

        switch (Charset(context.Request.ContentType))
        {
            case (Readable: false, var charset, _):
                var policy = context.RequestServices.GetRequiredService<Reach.Policy.ReachPolicy>();
                await Problems.For(new Failure(Problems.UnsupportedMediaType, $"The body's character set '{charset}' is not supported: send UTF-8.", "Content-Type"), policy)
                    .ExecuteAsync(context);
                return;
            case (Readable: true, _, { } spelled):
                // UTF-8 spelled another way ("UTF8", quoted): the readers of the framework take only its plain name.
                context.Request.ContentType = spelled;
                break;
        }

        await next(context);
    });

    // The charset a Content-Type names: whether Reach reads it, and the Content-Type to read it by when the framework
    // would not take its spelling.
    internal static (bool Readable, string? Charset, string? Respelled) Charset(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.Charset.Value is not { } raw)
        {
            return (true, null, null);
        }

        var charset = raw.Trim('"').Trim();
        if (charset.Length == 0 || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && raw == charset)
        {
            return (true, charset, null);
        }

        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            mediaType.Charset = "utf-8";
            return (true, charset, mediaType.ToString());
        }

        return (false, charset, null);
    }
}
