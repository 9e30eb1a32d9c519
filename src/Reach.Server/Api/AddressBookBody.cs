using System.Text;
using System.Text.Json;
using CsvHelper;
using Reach.Members;

namespace Reach.Server.Api;

/// <summary>
/// Reads an address book upload: JSON <c>{emails: [...]}</c> (taken whole or refused), or a file exported by a
/// contacts program — CSV (<c>text/csv</c>) or vCard (<c>text/vcard</c>, <c>text/x-vcard</c>) — whose rows that give
/// no address are passed over and reported (<see cref="AddressBookImport"/>).
/// </summary>
public static class AddressBookBody
{
    /// <summary>The largest address book taken, in bytes (the API's and the settings page's upload).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    public static async Task<Outcome<AddressBookImport>> ReadAsync(HttpRequest request, CancellationToken cancel)
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
    public static AddressBookImport FromFile(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        var vCard = fileName.EndsWith(".vcf", StringComparison.OrdinalIgnoreCase)
            || text.TrimStart().StartsWith("BEGIN:VCARD", StringComparison.OrdinalIgnoreCase);
        return vCard ? FromVCard(text) : FromCsv(text);
    }

    /// <summary>Every email address of every card; a card without a usable one is reported by its place in the file.</summary>
    public static AddressBookImport FromVCard(string text)
    {
        var import = new ImportBuilder();
        foreach (var card in VCardReader.Read(text))
        {
            if (card.Emails.Count == 0)
            {
                import.Skip(card.Card, SkippedRow.NoEmail, null);
            }

            foreach (var email in card.Emails)
            {
                import.Add(card.Card, email);
            }
        }

        return import.Build() with { Unit = "card" };
    }

    /// <summary>
    /// CSV (RFC 4180, read by CsvHelper: quoted cells with commas, quotes and line breaks; a semicolon or tab as the
    /// separator is recognised): the column headed <c>email</c>, <c>e-mail</c>, <c>email address</c> or
    /// <c>e-mail address</c>, else the first column. Rows are numbered as a spreadsheet shows them (the header is row 1).
    /// </summary>
    public static AddressBookImport FromCsv(string text)
    {
        // Every record is a row as a spreadsheet counts them (an empty line too), so the row numbers match what the
        // member sees in theirs.
        var options = new CsvReaderOptions { HasHeader = false, SkipEmptyLines = false, TrimWhitespace = true };
        var import = new ImportBuilder();
        using var reader = CsvReader.Create(new StringReader(text), options);
        var column = -1;
        while (reader.Read())
        {
            var cells = reader.Current.ToArray();
            var row = (int)reader.RowNumber;
            if (cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (column < 0)
            {
                column = Array.FindIndex(cells, cell => cell.Trim().ToLowerInvariant() is "email" or "e-mail" or "email address" or "e-mail address");
                if (column >= 0 || !MemberRules.IsValidEmail(cells[0].Trim()))
                {
                    // A header: the column it names, or the first one.
                    column = Math.Max(column, 0);
                    continue;
                }

                column = 0;
            }

            var email = column < cells.Length ? cells[column].Trim() : string.Empty;
            if (email.Length == 0)
            {
                import.Skip(row, SkippedRow.NoEmail, null);
            }
            else
            {
                import.Add(row, email);
            }
        }

        return import.Build();
    }

    // The API's JSON list is taken as it is: a wrong address in it is a 400 naming it (AccountService), not a skipped row.
    private static Outcome<AddressBookImport> FromJson(string text)
    {
        try
        {
            var body = JsonSerializer.Deserialize<AddressBookRequest>(text, JsonSerializerOptions.Web);
            return body?.Emails is { } emails ? new AddressBookImport(emails, []) : Failure.Invalid("emails", "emails is required.");
        }
        catch (JsonException e)
        {
            return Failure.Invalid(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "The body is not valid JSON.");
        }
    }

    // The addresses of a file, each once; what cannot be imported is reported with its row and why.
    private sealed class ImportBuilder
    {
        private readonly List<string?> _emails = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<SkippedRow> _skipped = [];

        public void Add(int row, string email)
        {
            if (!MemberRules.IsValidEmail(email))
            {
                Skip(row, SkippedRow.NotAnEmail, email);
            }
            else if (!_seen.Add(MemberRules.NormalizeEmail(email)))
            {
                Skip(row, SkippedRow.Duplicate, email);
            }
            else
            {
                _emails.Add(email);
            }
        }

        public void Skip(int row, string reason, string? value) => _skipped.Add(new SkippedRow(row, reason, value));

        public AddressBookImport Build() => new(_emails, _skipped);
    }
}

/// <summary>What a file gave: the addresses to keep, and each row (or card) passed over with the reason.</summary>
public sealed record AddressBookImport(IReadOnlyList<string?> Emails, IReadOnlyList<SkippedRow> Skipped, string Unit = "row");

/// <summary>A row of a CSV file (or a card of a vCard file) that was not imported, and why.</summary>
public sealed record SkippedRow(int Row, string Reason, string? Value)
{
    public const string NoEmail = "no_email";

    public const string NotAnEmail = "not_an_email";

    public const string Duplicate = "duplicate";

    /// <summary>The reason in words, for the settings page; <paramref name="unit"/> is "row" or "card".</summary>
    public string Words(string unit) => Reason switch
    {
        NoEmail => $"{unit} {Row} has no email address",
        NotAnEmail => $"{unit} {Row}: \"{Value}\" is not an email address",
        _ => $"{unit} {Row}: {Value} is already in the file",
    };
}
