using System.Buffers;
using System.Text;

namespace BlocklistApi.PostfixPolicy;

/// <summary>One policy delegation request: its attributes, or why it could not be read.</summary>
/// <param name="Attributes">name=value pairs as sent (a later duplicate wins); unknown names are kept and ignored.</param>
/// <param name="Problem">Why the request is malformed (a line without '=', a NUL, invalid UTF-8), or null.</param>
public sealed record PolicyRequest(IReadOnlyDictionary<string, string> Attributes, string? Problem)
{
    public string? this[string name] => Attributes.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the reader found in the bytes received so far.</summary>
public enum PolicyReadStatus
{
    /// <summary>No complete request yet: read more.</summary>
    NeedMore,
    /// <summary>A request up to its empty line.</summary>
    Request,
    /// <summary>A line or a request beyond the limits: the connection cannot be trusted to resynchronise and is closed.</summary>
    TooLarge,
}

/// <summary>
/// The Postfix policy delegation protocol (SMTPD_POLICY_README): a request is "name=value" lines ended by an empty
/// line; the answer is "action=..." and an empty line; the connection carries many requests. Lines end in LF (a CR
/// before it is dropped). A line longer than <see cref="MaxLineLength"/> or a request of more than
/// <see cref="MaxAttributes"/> lines is refused as a whole.
/// </summary>
public static class PolicyProtocol
{
    /// <summary>Postfix's own longest attributes (certificate subjects, SASL names) are far shorter.</summary>
    public const int MaxLineLength = 8192;
    public const int MaxAttributes = 256;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads one request from the front of <paramref name="buffer"/>; on <see cref="PolicyReadStatus.Request"/> the buffer
    /// is moved past it. On <see cref="PolicyReadStatus.NeedMore"/> nothing is consumed.
    /// </summary>
    public static PolicyReadStatus TryRead(ref ReadOnlySequence<byte> buffer, out PolicyRequest? request)
    {
        request = null;
        var reader = new SequenceReader<byte>(buffer);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? problem = null;
        var lines = 0;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                // No end of line yet: an endless line is refused before it fills memory.
                return reader.Remaining > MaxLineLength ? PolicyReadStatus.TooLarge : PolicyReadStatus.NeedMore;
            }

            if (line.Length > MaxLineLength + 1 || ++lines > MaxAttributes + 1)
            {
                return PolicyReadStatus.TooLarge;
            }

            var bytes = line.ToArray().AsSpan();
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            {
                bytes = bytes[..^1];
            }

            if (bytes.IsEmpty)
            {
                buffer = buffer.Slice(reader.Position);
                request = new PolicyRequest(attributes, problem);
                return PolicyReadStatus.Request;
            }

            problem ??= Parse(bytes, attributes);
        }
    }

    /// <summary>The answer to send: "action=...", then the empty line that ends it.</summary>
    public static byte[] Answer(string action) => Encoding.ASCII.GetBytes(action + "\n\n");

    private static string? Parse(ReadOnlySpan<byte> line, Dictionary<string, string> attributes)
    {
        if (line.Contains((byte)0))
        {
            return "a line contains a NUL byte";
        }

        string text;
        try
        {
            text = s_strictUtf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            return "a line is not UTF-8";
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return "a line is not name=value";
        }

        attributes[text[..equals]] = text[(equals + 1)..];
        return null;
    }
}
