using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.RateLimiting;

namespace SpasmPlatform.Grpc.Tests.RateLimiting;

public sealed class ConnectionCallerPartitionKeyTests
{
    private readonly ConnectionCallerPartitionKey _key = new();

    [Fact]
    public void A_connection_without_certificate_counts_against_its_remote_address()
    {
        Assert.Equal("ip:10.1.2.3", _key.For(Context("10.1.2.3")));
        Assert.Equal("ip:127.0.0.1", _key.For(Context("127.0.0.1")));
        Assert.Equal("ip:::1", _key.For(Context("::1")));
        Assert.NotEqual(_key.For(Context("10.1.2.3")), _key.For(Context("10.1.2.4")));
    }

    [Fact]
    public void An_IPv4_address_mapped_into_IPv6_is_the_same_caller_as_the_IPv4_address()
    {
        Assert.Equal(_key.For(Context("10.1.2.3")), _key.For(Context("::ffff:10.1.2.3")));
    }

    [Fact]
    public void IPv6_addresses_of_one_64_bit_prefix_are_one_caller()
    {
        var first = _key.For(Context("2001:db8:1:2:3:4:5:6"));

        Assert.Equal("ip:2001:db8:1:2::/64", first);
        Assert.Equal(first, _key.For(Context("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.NotEqual(first, _key.For(Context("2001:db8:1:3::1")));
    }

    [Fact]
    public void A_client_certificate_is_the_caller_whatever_the_address()
    {
        using var alice = Certificate("CN=clinic-a");
        using var bob = Certificate("CN=clinic-b");

        var aliceHere = _key.For(Context("10.1.2.3", alice));

        Assert.Equal("cert:" + alice.GetCertHashString(HashAlgorithmName.SHA256), aliceHere);
        Assert.Equal(aliceHere, _key.For(Context("10.9.9.9", alice)));
        Assert.NotEqual(aliceHere, _key.For(Context("10.1.2.3", bob)));
        Assert.NotEqual(aliceHere, _key.For(Context("10.1.2.3")));
    }

    [Fact]
    public void A_connection_with_no_address_is_the_unknown_caller()
    {
        Assert.Equal(ConnectionCallerPartitionKey.Unknown, _key.For(new DefaultHttpContext()));
    }

    private static DefaultHttpContext Context(string address, X509Certificate2? certificate = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        context.Connection.ClientCertificate = certificate;
        return context;
    }

    private static X509Certificate2 Certificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
