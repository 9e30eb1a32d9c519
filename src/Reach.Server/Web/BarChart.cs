using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Reach.Server.Web;

/// <summary>
/// A chart of paired horizontal bars — before and after for each label — drawn as inline SVG on the server, so the
/// page needs no script and no chart library (the pages' CSP allows only their own script). Its numbers are also in
/// the page's tables; the SVG carries a title and a description for screen readers.
/// </summary>
public static class BarChart
{
    private const int LabelWidth = 190;
    private const int BarArea = 380;
    private const int Row = 34;
    private const int Bar = 12;

    public static IHtmlContent Pairs(string id, string title, IReadOnlyList<(string Label, int Before, int After)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var max = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => Math.Max(r.Before, r.After)));
        var height = 28 + (rows.Count * Row);
        var svg = new StringBuilder();
        var description = string.Join("; ", rows.Select(r => $"{r.Label}: {r.Before} before, {r.After} after"));
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {LabelWidth + BarArea + 60} {height}" width="100%" data-testid="{id}">""")
            .Append(CultureInfo.InvariantCulture, $"""<title id="{id}-title">{Encode(title)}</title><desc id="{id}-desc">{Encode(description)}</desc>""")
            .Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="4" width="10" height="10" fill="#9aa3b0"/><text x="{LabelWidth + 14}" y="13" font-size="11">before</text>""")
            .Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth + 70}" y="4" width="10" height="10" fill="#0a5cc2"/><text x="{LabelWidth + 84}" y="13" font-size="11">after</text>""");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, before, after) = rows[i];
            var y = 24 + (i * Row);
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth - 8}" y="{y + Bar + 4}" font-size="12" text-anchor="end">{Encode(label)}</text>""");
            foreach (var (value, offset, colour) in new[] { (before, 0, "#9aa3b0"), (after, Bar + 2, "#0a5cc2") })
            {
                var width = Math.Max(value > 0 ? 2 : 0, value * BarArea / max);
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y + offset}" width="{width}" height="{Bar}" fill="{colour}"/>""")
                    .Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + width + 4}" y="{y + offset + 10}" font-size="11">{value}</text>""");
            }
        }

        return new HtmlString(svg.Append("</svg>").ToString());
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
