using System.Text;

namespace Reach.Server.Api;

/// <summary>One card of a vCard file: its place in the file (the first is 1) and the email addresses it gives.</summary>
public sealed record VCardEntry(int Card, IReadOnlyList<string> Emails);

/// <summary>
/// Reads the email addresses of each card of a vCard file, versions 2.1, 3.0 (RFC 2426) and 4.0 (RFC 6350): folded
/// lines unfolded (a line break followed by a space or a tab continues the line, RFC 6350 §3.2), quoted-printable
/// values with their soft line breaks (2.1) and base64 values decoded, parameter values in double quotes, property
/// groups (<c>item1.EMAIL</c>), text escapes (<c>\,</c> <c>\;</c> <c>\\</c>) and <c>mailto:</c> addresses. Every other
/// property is passed over. No library for .NET that reads vCard was served here (docs/DEPENDENCIES.md).
/// </summary>
public static class VCardReader
{
    public static IReadOnlyList<VCardEntry> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cards = new List<VCardEntry>();
        List<string>? emails = null;
        foreach (var line in LogicalLines(text))
        {
            if (!TryParse(line, out var name, out var parameters, out var value))
            {
                continue;
            }

            if (name.Equals("BEGIN", StringComparison.OrdinalIgnoreCase) && value.Trim().Equals("VCARD", StringComparison.OrdinalIgnoreCase))
            {
                emails = [];
            }
            else if (name.Equals("END", StringComparison.OrdinalIgnoreCase) && value.Trim().Equals("VCARD", StringComparison.OrdinalIgnoreCase) && emails is not null)
            {
                cards.Add(new VCardEntry(cards.Count + 1, emails));
                emails = null;
            }
            else if (name.Equals("EMAIL", StringComparison.OrdinalIgnoreCase) && emails is not null)
            {
                var email = Unescape(Decode(value, parameters)).Trim();
                emails.Add(email.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? email[7..].Trim() : email);
            }
        }

        return cards;
    }

    // The file's logical lines: physical lines joined where a fold or a quoted-printable soft break continues them.
    internal static IEnumerable<string> LogicalLines(string text)
    {
        var physical = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var line = new StringBuilder();
        var started = false;
        foreach (var next in physical)
        {
            if (started && next.Length > 0 && next[0] is ' ' or '\t')
            {
                line.Append(next, 1, next.Length - 1);
                continue;
            }

            // vCard 2.1: a quoted-printable value whose line ends with "=" goes on, folded or not, on the next line.
            if (started && EndsWithSoftBreak(line))
            {
                line.Length--;
                line.Append(next);
                continue;
            }

            if (started)
            {
                yield return line.ToString();
            }

            line.Clear().Append(next);
            started = true;
        }

        if (started && line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static bool EndsWithSoftBreak(StringBuilder line)
    {
        if (line.Length == 0 || line[^1] != '=')
        {
            return false;
        }

        var text = line.ToString();
        var colon = ValueStart(text);
        return colon > 0 && text[..colon].Contains("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase);
    }

    // The index of the colon that ends the name and parameters (a colon inside a quoted parameter value does not).
    private static int ValueStart(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case ':' when !quoted:
                    return i;
            }
        }

        return -1;
    }

    // "group.NAME;PARAM=value;PARAM="a;b":value" → NAME, its parameters (upper-case names; a bare 2.1 parameter is a
    // TYPE), and the raw value.
    private static bool TryParse(string line, out string name, out Dictionary<string, string> parameters, out string value)
    {
        parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var colon = ValueStart(line);
        if (colon <= 0)
        {
            (name, value) = (string.Empty, string.Empty);
            return false;
        }

        value = line[(colon + 1)..];
        var parts = SplitParameters(line[..colon]);
        var full = parts[0];
        var dot = full.LastIndexOf('.');
        name = (dot >= 0 ? full[(dot + 1)..] : full).Trim();
        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var (key, text) = equals < 0 ? ("TYPE", parameter) : (parameter[..equals].Trim(), parameter[(equals + 1)..].Trim().Trim('"'));
            if (equals < 0 && (parameter.Equals("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase) || parameter.Equals("BASE64", StringComparison.OrdinalIgnoreCase)))
            {
                key = "ENCODING";
            }

            parameters[key] = parameters.TryGetValue(key, out var before) ? before + "," + text : text;
        }

        return name.Length > 0;
    }

    private static List<string> SplitParameters(string head)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < head.Length; i++)
        {
            if (head[i] == '"')
            {
                quoted = !quoted;
            }
            else if (head[i] == ';' && !quoted)
            {
                parts.Add(head[start..i]);
                start = i + 1;
            }
        }

        parts.Add(head[start..]);
        return parts;
    }

    private static string Decode(string value, Dictionary<string, string> parameters)
    {
        if (!parameters.TryGetValue("ENCODING", out var encoding))
        {
            return value;
        }

        if (encoding.Equals("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase))
        {
            return QuotedPrintable(value);
        }

        if (encoding.Equals("b", StringComparison.OrdinalIgnoreCase) || encoding.Equals("BASE64", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = new byte[value.Length];
            return Convert.TryFromBase64String(value.Trim(), bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : value;
        }

        return value;
    }

    // "=3D" is "=", "=C3=A9" is "é" (UTF-8); a "=" not followed by two hex digits stays as it is.
    private static string QuotedPrintable(string value)
    {
        var bytes = new List<byte>(value.Length);
        var plain = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '=' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[plain..i]));
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
                plain = i + 1;
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(value[plain..]));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    // vCard 3.0 and 4.0 text escapes.
    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] is 'n' or 'N' ? '\n' : value[i]);
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }
}
