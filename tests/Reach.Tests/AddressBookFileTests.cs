using Reach.Server.Api;

namespace Reach.Tests;

/// <summary>
/// Address book files as the standards write them: vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) with folded lines,
/// vCard 2.1 with quoted-printable values, and CSV (RFC 4180) with quoted line breaks; each row that gives nothing is
/// reported with the reason.
/// </summary>
public sealed class AddressBookFileTests
{
    [Fact]
    public void FoldedLinesAreUnfoldedAsRfc6350Says()
    {
        // RFC 6350 §3.2: a line break followed by one space or tab continues the line; that one character goes too.
        var lines = VCardReader.LogicalLines("NOTE:This is a long description that exists o\r\n n a long line.\r\nEND:VCARD\r\n").ToList();
        Assert.Equal(["NOTE:This is a long description that exists on a long line.", "END:VCARD"], lines);

        var card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:J. Doe\r\nEMAIL;TYPE=work:jqpublic@xyz.exa\r\n mple.com\r\nEMAIL;PREF=1:jane_do\r\n\te@example.com\r\nEND:VCARD\r\n";
        var entry = Assert.Single(VCardReader.Read(card));
        Assert.Equal(["jqpublic@xyz.example.com", "jane_doe@example.com"], entry.Emails);
    }

    [Fact]
    public void TheExampleOfRfc2426IsRead()
    {
        // RFC 2426 §7: two cards, mixed-case BEGIN, folded addresses, a blank line between the cards.
        const string Example = """
            BEGIN:vCard
            VERSION:3.0
            FN:Frank Dawson
            ORG:Lotus Development Corporation
            ADR;TYPE=WORK,POSTAL,PARCEL:;;6544 Battleford Drive
             ;Raleigh;NC;27613-3502;U.S.A.
            TEL;TYPE=VOICE,MSG,WORK:+1-919-676-9515
            TEL;TYPE=FAX,WORK:+1-919-676-9564
            EMAIL;TYPE=INTERNET,PREF:Frank_Dawson@Lotus.com
            EMAIL;TYPE=INTERNET:fdawson@earthlink.net
            URL:http://home.earthlink.net/~fdawson
            END:vCard

            BEGIN:vCard
            VERSION:3.0
            FN:Tim Howes
            ORG:Netscape Communications Corp.
            ADR;TYPE=WORK:;;501 E. Middlefield Rd.;Mountain View;
             CA; 94043;U.S.A.
            TEL;TYPE=VOICE,MSG,WORK:+1-415-937-3419
            TEL;TYPE=FAX,WORK:+1-415-528-4164
            EMAIL;TYPE=INTERNET:howes@netscape.com
            END:vCard
            """;
        var cards = VCardReader.Read(Example.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(2, cards.Count);
        Assert.Equal(["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"], cards[0].Emails);
        Assert.Equal(["howes@netscape.com"], cards[1].Emails);
    }

    [Fact]
    public void Version21QuotedPrintableGroupsQuotedParametersAndEscapesAreDecoded()
    {
        const string Cards = "BEGIN:VCARD\nVERSION:2.1\nN:Lovelace;Ada\nEMAIL;INTERNET;ENCODING=QUOTED-PRINTABLE:ada.love=\nlace=40example.org\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:3.0\nitem1.EMAIL;TYPE=\"work,x:y\";PREF=1:grace@example.org\nitem1.X-ABLabel:work\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nEMAIL;VALUE=uri:mailto:linus@example.org\nEMAIL;ENCODING=b:ZWRzZ2VyQGV4YW1wbGUub3Jn\nEND:VCARD\n"
            + "BEGIN:VCARD\nVERSION:4.0\nEMAIL:odd\\,name@example.org\nEND:VCARD\n";
        var cards = VCardReader.Read(Cards);
        Assert.Equal(["ada.lovelace@example.org"], cards[0].Emails);
        Assert.Equal(["grace@example.org"], cards[1].Emails);
        Assert.Equal(["linus@example.org", "edsger@example.org"], cards[2].Emails);
        Assert.Equal(["odd,name@example.org"], cards[3].Emails);
    }

    [Fact]
    public void AVCardFileReportsEachCardItSkips()
    {
        var import = AddressBookBody.FromVCard(
            "BEGIN:VCARD\nFN:A\nEMAIL:a@example.org\nEND:VCARD\nBEGIN:VCARD\nFN:No address\nEND:VCARD\nBEGIN:VCARD\nEMAIL:A@Example.org\nEMAIL:nope\nEND:VCARD\n");
        Assert.Equal(["a@example.org"], import.Emails);
        Assert.Equal(
            [new SkippedRow(2, SkippedRow.NoEmail, null), new SkippedRow(3, SkippedRow.Duplicate, "A@Example.org"), new SkippedRow(3, SkippedRow.NotAnEmail, "nope")],
            import.Skipped);
    }

    [Fact]
    public void ACsvCellMayHoldALineBreakAndRowsAreNumberedAsASpreadsheetShowsThem()
    {
        var import = AddressBookBody.FromCsv("Name,E-mail Address\r\n\"Ada\r\nLovelace\",ada@example.org\r\nBob,not-an-email\r\n\r\nCyd,\r\n\"Dan, \"\"D\"\"\",dan@example.org\r\n");
        Assert.Equal(["ada@example.org", "dan@example.org"], import.Emails);
        Assert.Equal([new SkippedRow(3, SkippedRow.NotAnEmail, "not-an-email"), new SkippedRow(5, SkippedRow.NoEmail, null)], import.Skipped);
    }

    [Fact]
    public void ACsvWithoutAHeaderOrWithSemicolonsIsRead()
    {
        Assert.Equal(["ada@example.org", "bob@example.org"], AddressBookBody.FromCsv("ada@example.org,Ada\nbob@example.org,Bob\n").Emails);
        Assert.Equal(["ada@example.org"], AddressBookBody.FromCsv("Name;Email\nLovelace, Ada;ada@example.org\n").Emails);
    }
}
