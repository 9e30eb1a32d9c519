using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;

namespace Reach.Server.Web;

/// <summary>
/// The site's own files (CSS, the script, the icon), embedded in the assembly: each is linked with a version taken
/// from its content, so that a browser may keep it for a year (<c>Cache-Control: immutable</c>) and still gets a new
/// one the moment it changes.
/// </summary>
public static class Assets
{
    private static readonly EmbeddedFileProvider Files = new(typeof(Assets).Assembly, "Reach.Server.wwwroot");
    private static readonly ConcurrentDictionary<string, string> Versions = new(StringComparer.Ordinal);

    public static IFileProvider Provider => Files;

    /// <summary><paramref name="path"/> with its content's version: <c>/css/site.css?v=3f2a…</c>.</summary>
    public static string Versioned(string path) => Versions.GetOrAdd(path, static path =>
    {
        var file = Files.GetFileInfo(path);
        if (!file.Exists)
        {
            return path;
        }

        using var stream = file.CreateReadStream();
        return path + "?v=" + Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    });

    /// <summary>A versioned file is kept for a year; an unversioned one is checked again each time (its ETag).</summary>
    public static void SetCaching(Microsoft.AspNetCore.StaticFiles.StaticFileResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Context;
        http.Response.Headers.CacheControl = http.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
    }
}
