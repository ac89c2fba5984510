using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using BlocklistApi.Notifications;

namespace BlocklistApi.Whitelist;

/// <summary>
/// The four mails of a whitelist request, each as plain text and simple HTML. Every value that came from a person
/// (name, reason, note, addresses) is HTML-encoded in the HTML part and only ever put in a body or, checked for line
/// breaks, in a display name; subjects carry only the id, the canonical range and the validated recipient.
/// </summary>
internal sealed class WhitelistMails(WhitelistLinks links)
{
    private static readonly HtmlEncoder s_html = HtmlEncoder.Default;

    public EmailMessage Confirmation(StoredRequest request)
    {
        var confirm = links.Link(request.Id, WhitelistLinkAction.Confirm);
        var status = links.Link(request.Id, WhitelistLinkAction.Status);
        var mail = new MailBuilder($"Confirm your whitelist request for {request.Range}");
        mail.Paragraph(Greeting(request));
        mail.Paragraph($"We received a request to whitelist {request.Range} for mail to {request.Recipient}. Nothing happens until you confirm it: open the link below and press the button on the page.");
        mail.Link("Confirm the request", confirm);
        mail.Paragraph($"The link works until {When(links.ExpiryFromNow())}. If you did not ask for this, ignore this mail.");
        Summary(mail, request);
        mail.Link("See where your request stands", status);
        return mail.Build(Requester(request));
    }

    public EmailMessage Review(StoredRequest request, string admin)
    {
        var mail = new MailBuilder($"Whitelist request {request.Id}: {request.Range} to {request.Recipient}");
        mail.Paragraph($"{request.Email} asks us to accept mail from {request.Range} for {request.Recipient}. They confirmed the address. Decide with one of the links (each opens a page with a button; opening a link changes nothing).");
        Summary(mail, request);
        if (request.Snapshot is { } snapshot)
        {
            mail.Heading($"Diagnostics of {snapshot.Address} at {When(snapshot.TakenAt)}");
            foreach (var check in snapshot.Checks)
            {
                mail.Item($"{check.Name}: {check.Status}. {check.Detail}");
            }

            foreach (var listing in snapshot.Listings.Where(l => l.Listed))
            {
                var codes = string.Join(", ", listing.Codes.Select((code, i) => i < listing.Meanings.Count ? $"{code} ({listing.Meanings[i]})" : code));
                mail.Item($"Listed by {listing.Zone}: {codes}", listing.DelistUrl);
            }

            if (!snapshot.Listings.Any(l => l.Listed))
            {
                mail.Item("No blocklist we consult lists it.");
            }
        }

        mail.Link("Approve (for this recipient, or choose the whole domain on the page)", links.Link(request.Id, WhitelistLinkAction.Approve));
        mail.Link("Deny", links.Link(request.Id, WhitelistLinkAction.Deny));
        mail.Paragraph($"The links work until {When(links.ExpiryFromNow())}. With an admin key: POST /v1/whitelist-requests/{request.Id}/approve or /deny.");
        return mail.Build(new EmailRecipient(admin));
    }

    public EmailMessage Decided(StoredRequest request)
    {
        var approved = request.Status == WhitelistStatus.Approved;
        var mail = new MailBuilder(approved ? $"Your whitelist request for {request.Range} was approved" : $"Your whitelist request for {request.Range} was denied");
        mail.Paragraph(Greeting(request));
        if (approved && request.Entry is { } entry)
        {
            var whom = entry.Scope == WhitelistScope.Domain ? $"every address at {entry.Recipient}" : entry.Recipient;
            var until = entry.ExpiresAt is { } expires ? $"until {When(expires)}" : "until further notice";
            mail.Paragraph($"Mail from {entry.Range} to {whom} is now accepted without greylisting or blocklist checks, {until}. Mail to our other customers is still checked, so please fix your server too: our page lists what to look at.");
        }
        else
        {
            mail.Paragraph($"We did not whitelist {request.Range}. Our page lists what makes receivers refuse mail and how to fix it; until it is fixed, send through your provider's mail server.");
        }

        if (request.Decision?.Note is { } note)
        {
            mail.Paragraph("Note from our postmaster: " + note);
        }

        mail.Link("See where your request stands", links.Link(request.Id, WhitelistLinkAction.Status));
        return mail.Build(Requester(request));
    }

    private static EmailRecipient Requester(StoredRequest request) => new(request.Email, request.Name);

    private static string Greeting(StoredRequest request) => request.Name is { } name ? $"Hello {name}," : "Hello,";

    private static void Summary(MailBuilder mail, StoredRequest request)
    {
        mail.Heading($"Request {request.Id}");
        mail.Item($"From: {(request.Name is { } name ? $"{name} <{request.Email}>" : request.Email)}");
        mail.Item($"Address or range: {request.Range}");
        mail.Item($"Sender domain: {request.SenderDomain ?? "(not given)"}");
        mail.Item($"Recipient: {request.Recipient}");
        mail.Item($"Reason: {request.Reason}");
    }

    private static string When(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Writes the text and HTML parts side by side, encoding for HTML at the one place text enters it.</summary>
    private sealed class MailBuilder(string subject)
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _html = new("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">");
        private bool _inList;

        public void Paragraph(string text)
        {
            EndList();
            _text.Append(text).Append("\n\n");
            _html.Append("<p>").Append(s_html.Encode(text)).Append("</p>");
        }

        public void Heading(string text)
        {
            EndList();
            _text.Append(text).Append('\n');
            _html.Append("<h3>").Append(s_html.Encode(text)).Append("</h3>");
        }

        public void Item(string text, string? url = null)
        {
            if (!_inList)
            {
                _html.Append("<ul>");
                _inList = true;
            }

            _text.Append("- ").Append(text);
            _html.Append("<li>").Append(s_html.Encode(text));
            if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                _text.Append(" (").Append(url).Append(')');
                _html.Append(" (<a href=\"").Append(s_html.Encode(url)).Append("\">removal page</a>)");
            }

            _text.Append('\n');
            _html.Append("</li>");
        }

        public void Link(string label, string url)
        {
            EndList();
            _text.Append(label).Append(":\n").Append(url).Append("\n\n");
            _html.Append("<p><a href=\"").Append(s_html.Encode(url)).Append("\">").Append(s_html.Encode(label)).Append("</a></p>");
        }

        public EmailMessage Build(EmailRecipient to)
        {
            EndList();
            _html.Append("<p style=\"color:#555\">This mail was sent automatically; replies are not read.</p></body></html>");
            _text.Append("This mail was sent automatically; replies are not read.\n");
            return new EmailMessage([to], subject, _text.ToString(), _html.ToString());
        }

        private void EndList()
        {
            if (_inList)
            {
                _html.Append("</ul>");
                _text.Append('\n');
                _inList = false;
            }
        }
    }
}
