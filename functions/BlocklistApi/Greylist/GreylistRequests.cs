using System.Diagnostics.CodeAnalysis;
using BlocklistApi.Net;

namespace BlocklistApi.Greylist;

/// <summary>Turns a check request into a normalised <see cref="Triplet"/>, or says what is wrong with it.</summary>
internal static class GreylistRequests
{
    /// <summary>HELO and client names are DNS names: at most 255 characters.</summary>
    public const int MaxNameLength = 255;

    public static bool TryParse(GreylistCheckRequest request, GreylistOptions options, out Triplet triplet, [NotNullWhen(false)] out ApiError? error)
    {
        triplet = null!;
        error = null;
        if (!IpAddressParser.TryParse(request.ClientAddress, out var address, out var message))
        {
            error = ApiError.Invalid("'clientAddress': " + message, "clientAddress");
            return false;
        }

        if (!GreylistAddresses.TryNormalizeSender(request.Sender, out var sender, out var senderDomain, out message))
        {
            error = ApiError.Invalid(message, "sender");
            return false;
        }

        if (!GreylistAddresses.TryNormalizeRecipient(request.Recipient, out var recipient, out message))
        {
            error = ApiError.Invalid(message, "recipient");
            return false;
        }

        if (request.HeloName is { Length: > MaxNameLength } || request.ClientName is { Length: > MaxNameLength })
        {
            error = ApiError.Invalid($"'heloName' and 'clientName' may be at most {MaxNameLength} characters.", request.HeloName is { Length: > MaxNameLength } ? "heloName" : "clientName");
            return false;
        }

        var prefix = address.IsIPv4() ? options.Ipv4PrefixLength : options.Ipv6PrefixLength;
        triplet = new Triplet(address, IpNetwork.Of(address, prefix), sender, recipient, senderDomain, request.HeloName);
        return true;
    }
}
