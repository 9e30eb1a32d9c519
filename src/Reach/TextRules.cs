namespace Reach;

/// <summary>Text limits count characters as people do: Unicode scalar values, not UTF-16 code units.</summary>
public static class TextRules
{
    public static int Length(string text) => text.EnumerateRunes().Count();
}
