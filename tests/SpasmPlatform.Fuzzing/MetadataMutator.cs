using System.Globalization;

namespace SpasmPlatform.Fuzzing;

/// <summary>Hostile request metadata: floods, huge values, invalid -bin base64 and grpc-timeout, wrong content types and methods.</summary>
public static class MetadataMutator
{
    private static readonly string[] BadTimeouts = ["1Y", "-1S", "S", "99999999999S", "1.5S", "1 S", "0x10S", "+1S", "100000000M", "abc", "2147483648m"];
    private static readonly string[] TinyTimeouts = ["1n", "1u", "0S", "1m"];
    private static readonly string[] BadContentTypes = ["application/json", "text/plain", "application/grpc-web", "application/grpcx", "multipart/form-data; boundary=x"];
    private static readonly string[] BadBase64 = ["!!!", "a", "====", "YWJj=ZGVm", "YW Jj", "*", "%%%%", "YWJjZA===", ","];

    public sealed record Outcome(string Name, string HttpMethod, string? ContentType, RequestExpectation Expectation, bool TinyDeadline);

    /// <summary>Adds to <paramref name="headers"/>; returns what else about the request changed.</summary>
    public static Outcome Apply(Random random, List<KeyValuePair<string, string>> headers, bool allowTinyDeadline)
    {
        const string grpc = "application/grpc";
        switch (random.Next(allowTinyDeadline ? 15 : 14))
        {
            case 0:
                var count = random.Next(50, 400);
                for (var i = 0; i < count; i++)
                {
                    headers.Add(new($"x-fuzz-{i}", HostileText(random, random.Next(1, 40))));
                }

                return new("many-headers", "POST", grpc, count > 90 ? RequestExpectation.MayBeRefusedByTransport : RequestExpectation.Grpc, false);
            case 1:
                var size = random.Next(2) == 0 ? random.Next(1000, 8000) : random.Next(8000, 100_000);
                headers.Add(new(random.Next(2) == 0 ? "x-fuzz" : "x-correlation-id", new string('h', size)));
                return new("huge-header", "POST", grpc, size > 30_000 ? RequestExpectation.MayBeRefusedByTransport : RequestExpectation.Grpc, false);
            case 2:
                headers.Add(new("x-fuzz-bin", BadBase64[random.Next(BadBase64.Length)]));
                return new("invalid-bin-base64", "POST", grpc, RequestExpectation.Grpc, false);
            case 3:
                headers.Add(new("grpc-timeout", BadTimeouts[random.Next(BadTimeouts.Length)]));
                return new("invalid-grpc-timeout", "POST", grpc, RequestExpectation.Grpc, false);
            case 4:
                // grpc-dotnet takes any application/grpc+<subtype> as gRPC (the body is still read as protobuf), where
                // the old layer refused it with 415: the library's reading is the expectation now.
                return random.Next(6) == 0
                    ? new("grpc-content-subtype", "POST", "application/grpc+json", RequestExpectation.Grpc, false)
                    : new("wrong-content-type", "POST", BadContentTypes[random.Next(BadContentTypes.Length)], RequestExpectation.UnsupportedMediaType, false);
            case 5:
                return new("no-content-type", "POST", null, RequestExpectation.UnsupportedMediaType, false);
            case 6:
                return new("wrong-http-method", random.Next(2) == 0 ? "PUT" : "PATCH", grpc, RequestExpectation.HttpClientError, false);
            case 7:
                headers.Add(new("traceparent", random.Next(2) == 0 ? "00-zzzz-yyyy-01" : $"00-{new string('0', 32)}-{new string('0', 16)}-ff"));
                headers.Add(new("tracestate", HostileText(random, random.Next(1, 600))));
                return new("bad-trace-context", "POST", grpc, RequestExpectation.Grpc, false);
            case 8:
                headers.Add(new("x-correlation-id", HostileText(random, random.Next(0, 300))));
                return new("odd-correlation-id", "POST", grpc, RequestExpectation.Grpc, false);
            case 9:
                headers.Add(new("grpc-status", "0"));
                headers.Add(new("grpc-message", "%zz"));
                headers.Add(new("grpc-accept-encoding", "garbage,,;"));
                return new("reserved-headers", "POST", grpc, RequestExpectation.Grpc, false);
            case 10:
                headers.Add(new("authorization", random.Next(2) == 0 ? "Bearer " + HostileText(random, 50) : "Basic !!!"));
                return new("odd-authorization", "POST", grpc, RequestExpectation.Grpc, false);
            case 11:
                headers.Add(new("grpc-timeout", random.Next(2) == 0 ? "99999999H" : "99999999S"));
                return new("huge-grpc-timeout", "POST", grpc, RequestExpectation.Grpc, false);
            case 12:
                return new("grpc-content-type-parameters", "POST", random.Next(2) == 0 ? "application/grpc; charset=utf-8" : "application/grpc+proto", RequestExpectation.Grpc, false);
            case 13:
                headers.Add(new("x-fuzz-bin", Convert.ToBase64String(HostileValues.RandomBytes(random, random.Next(0, 3000)))));
                headers.Add(new("x-fuzz", string.Create(CultureInfo.InvariantCulture, $"{random.Next()}\t{random.Next()}")));
                return new("binary-metadata", "POST", grpc, RequestExpectation.Grpc, false);
            default:
                headers.Add(new("grpc-timeout", TinyTimeouts[random.Next(TinyTimeouts.Length)]));
                return new("tiny-grpc-timeout", "POST", grpc, RequestExpectation.Grpc, true);
        }
    }

    private static string HostileText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }
}
