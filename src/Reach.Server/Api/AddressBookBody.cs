using System.Text;
using System.Text.Json;
using Reach.Members;

namespace Reach.Server.Api;

/// <summary>
/// Reads an address book upload: JSON <c>{emails: [...]}</c>, CSV (the first column of each row, or the column
/// headed <c>email</c>/<c>e-mail address</c> when a header row names one), or vCard (every <c>EMAIL</c> property).
/// </summary>
public static class AddressBookBody
{
    /// <summary>The largest address book taken, in bytes (the API's and the settings page's upload).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    public static async Task<Outcome<IReadOnlyList<string?>>> ReadAsync(HttpRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            return Failure.Invalid("body", "The address book is larger than 2 MB.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, cancel);
        if (read > MaxBytes)
        {
            return Failure.Invalid("body", "The address book is larger than 2 MB.");
        }

        var text = new string(buffer, 0, read);
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "text/csv" => FromCsv(text),
            "text/vcard" or "text/x-vcard" => FromVCard(text),
            _ => FromJson(text),
        };
    }

    /// <summary>Reads an uploaded file: vCard when it looks like one (or is named <c>.vcf</c>), CSV otherwise.</summary>
    public static Outcome<IReadOnlyList<string?>> FromFile(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        var vCard = fileName.EndsWith(".vcf", StringComparison.OrdinalIgnoreCase)
            || text.TrimStart().StartsWith("BEGIN:VCARD", StringComparison.OrdinalIgnoreCase);
        return vCard ? FromVCard(text) : FromCsv(text);
    }

    // vCard 2.1–4.0: "EMAIL;TYPE=work:ada@example.org" or "item1.EMAIL:ada@example.org"; the value follows the first colon.
    private static Outcome<IReadOnlyList<string?>> FromVCard(string text)
    {
        var emails = new List<string?>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Split(';')[0];
            var dot = name.LastIndexOf('.');
            if ((dot >= 0 ? name[(dot + 1)..] : name).Equals("EMAIL", StringComparison.OrdinalIgnoreCase))
            {
                var value = line[(colon + 1)..].Trim();
                emails.Add(value.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? value[7..] : value);
            }
        }

        return Outcome(emails);
    }

    private static Outcome<IReadOnlyList<string?>> FromJson(string text)
    {
        try
        {
            var body = JsonSerializer.Deserialize<AddressBookRequest>(text, JsonSerializerOptions.Web);
            return body?.Emails is { } emails ? Outcome(emails) : Failure.Invalid("emails", "emails is required.");
        }
        catch (JsonException e)
        {
            return Failure.Invalid(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "The body is not valid JSON.");
        }
    }

    private static Outcome<IReadOnlyList<string?>> FromCsv(string text)
    {
        var rows = text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Trim().Length > 0).ToList();
        if (rows.Count == 0)
        {
            return Outcome([]);
        }

        var header = Cells(rows[0]);
        var column = header.FindIndex(cell => cell.Trim().ToLowerInvariant() is "email" or "e-mail" or "email address" or "e-mail address");
        var hasHeader = column >= 0 || !MemberRules.IsValidEmail(header.FirstOrDefault()?.Trim() ?? string.Empty);
        column = Math.Max(column, 0);
        return Outcome([.. rows.Skip(hasHeader ? 1 : 0).Select(row => Cells(row).ElementAtOrDefault(column)?.Trim())]);
    }

    private static Outcome<IReadOnlyList<string?>> Outcome(IReadOnlyList<string?> emails) => new(emails, null);

    // Cells of one CSV row, with double-quoted cells that may contain commas.
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < row.Length; i++)
        {
            var c = row[i];
            if (c == '"' && quoted && i + 1 < row.Length && row[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
