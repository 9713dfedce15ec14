using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Tests.Protocol;

public sealed class PercentEncodingTests
{
    [Theory]
    [InlineData("plain ASCII stays", "plain ASCII stays")]
    [InlineData("50%", "50%25")]
    [InlineData("a\tb", "a%09b")]
    [InlineData("café", "caf%C3%A9")]
    public void Encodes_non_printable_bytes_and_percent(string input, string expected) => Assert.Equal(expected, PercentEncoding.Encode(input));

    [Theory]
    [InlineData("caf%C3%A9", "café")]
    [InlineData("100%", "100%")]
    [InlineData("%zz stays", "%zz stays")]
    [InlineData("%4", "%4")]
    public void Decodes_leniently(string input, string expected) => Assert.Equal(expected, PercentEncoding.Decode(input));
}
