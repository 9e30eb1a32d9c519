namespace Reach;

/// <summary>
/// Free text as Reach accepts it: well-formed Unicode without NUL characters (PostgreSQL stores neither), and limits
/// counted in characters as people count them — Unicode scalar values, not UTF-16 code units.
/// </summary>
public static class TextRules
{
    public static int Length(string text) => text.EnumerateRunes().Count();

    /// <summary>Whether <paramref name="text"/> has no NUL character and no unpaired surrogate.</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The problem with a text field, or null: <paramref name="required"/> fields may not be missing or blank, and no
    /// field may be longer than <paramref name="maxLength"/> characters or malformed.
    /// </summary>
    public static Failure? Check(string field, string? value, int maxLength, bool required = false)
    {
        if (value is null || value.Trim().Length == 0)
        {
            return required ? Failure.Invalid(field, $"{field} is required and cannot be blank.") : null;
        }

        if (!IsWellFormed(value))
        {
            return Failure.Invalid(field, $"{field} contains characters that are not allowed.");
        }

        return Length(value) > maxLength ? Failure.Invalid(field, $"{field} must have at most {maxLength} characters.") : null;
    }
}
