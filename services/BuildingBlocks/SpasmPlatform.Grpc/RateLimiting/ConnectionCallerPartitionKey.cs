using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace SpasmPlatform.Grpc.RateLimiting;

/// <summary>
/// The caller as the connection shows it: the client certificate (SHA-256 thumbprint) when TLS presented one, otherwise
/// the remote address. IPv6 addresses count per /64, the block one host normally gets, so that a client cannot rotate
/// through its own addresses to get fresh permits.
/// </summary>
public sealed class ConnectionCallerPartitionKey : ICallerPartitionKey
{
    public const string Unknown = "unknown";

    public string For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Connection;
        if (connection.ClientCertificate is { } certificate)
        {
            return "cert:" + certificate.GetCertHashString(HashAlgorithmName.SHA256);
        }

        return connection.RemoteIpAddress is { } address ? "ip:" + AddressBlock(address) : Unknown;
    }

    private static string AddressBlock(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
