using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using SpasmPlatform.Fuzzing;
using SpasmPlatform.Grpc.Tests.Support;
using Xunit.Abstractions;

namespace SpasmPlatform.Grpc.Tests.Fuzz;

/// <summary>
/// Hostile input against grpc-dotnet as the platform hosts it (in-process Kestrel, h2c): every RPC the server lists
/// through reflection, seeds from tests/fuzz/corpus, stored regressions, then SPASM_FUZZ_ITERATIONS random mutations
/// (see tests/fuzz/README.md).
/// </summary>
public sealed class GrpcLayerFuzzTests(ITestOutputHelper output)
{
    public const int DefaultIterations = 800;

    /// <summary>grpc-dotnet's INTERNAL answers to broken compression (its PipeExtensions), whether or not the harness lists them.</summary>
    private static readonly string[] GrpcDotnetProtocolInternal =
    [
        "INTERNAL: Request did not include grpc-encoding value with compressed message.",
        "INTERNAL: Request sent 'identity' grpc-encoding value with compressed message.",
    ];

    /// <summary>What grpc-dotnet answers when the request bytes do not decode: the handler-exception status, no details.</summary>
    private const string UndecodableRequest = "UNKNOWN: Exception was thrown by handler.";

    [Fact]
    public async Task Every_rpc_answers_hostile_requests_with_a_proper_status_and_the_server_stays_up()
    {
        await using var server = await GrpcTestServer.StartAsync(map: app =>
        {
            app.MapGrpcService<FuzzEchoService>();
            app.MapGrpcHealthChecksService();
            app.MapGrpcReflectionService();
        });
        using var client = new FuzzClient(server.Address);
        var catalog = new DescriptorCatalog(
            typeof(EchoRequest).Assembly,
            typeof(global::Grpc.Health.V1.HealthCheckRequest).Assembly,
            typeof(global::Grpc.Reflection.V1.ServerReflectionRequest).Assembly);
        var targets = await ServiceDiscovery.TargetsAsync(client, catalog);
        Assert.Contains(targets, t => t.Path == "/spasm.testing.v1.EchoService/Chat");
        Assert.Contains(targets, t => t.Path == "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

        var settings = FuzzSettings.FromEnvironment(DefaultIterations);
        var endpoint = new FuzzEndpoint("grpc-layer", client, targets, new Corpus(settings.CorpusDirectory));
        var report = await new FuzzRun(settings, output.WriteLine) { TinyDeadlinesOnWrites = true }.RunAsync([endpoint]);

        var errors = server.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        foreach (var kind in errors.GroupBy(e => e.Exception?.GetType().Name ?? e.Message))
        {
            output.WriteLine($"server error log: {kind.Count()}x {kind.Key}");
        }

        var unexplained = report.Findings.Where(f => !IsGrpcDotnetsDocumentedAnswer(f, targets)).ToList();
        output.WriteLine($"{report.Findings.Count - unexplained.Count} findings are grpc-dotnet's documented answers to undecodable requests");
        Assert.True(unexplained.Count == 0, string.Join('\n', unexplained.Take(20)) + "\n" + report);
        // grpc-dotnet answers a request it cannot decode as it answers a handler that threw (UNKNOWN, no details), so the
        // answers alone cannot tell them apart: the server's log can, and FuzzEchoService never throws.
        var faults = errors.Where(e => !IsDecodingFailure(e.Exception)).Take(10).ToList();
        Assert.True(faults.Count == 0, string.Join('\n', faults.Select(e => $"{e.Message} {e.Exception}")));
        Assert.Equal(targets.Select(t => t.Path).Order(), report.TargetsHit.Order());
    }

    /// <summary>
    /// True for the answers grpc-dotnet documents for requests that break the protocol, where the harness (first written
    /// for the old layer) may expect others; see README.md, "Where grpc-dotnet differs from the old layer". Each is checked
    /// against the request itself: FuzzEchoService never throws, so an UNKNOWN the request does not explain is a fault.
    /// </summary>
    private static bool IsGrpcDotnetsDocumentedAnswer(Finding finding, IReadOnlyList<FuzzTarget> targets)
    {
        var request = finding.Request;
        if (GrpcDotnetProtocolInternal.Contains(finding.Reason, StringComparer.Ordinal))
        {
            return true;
        }

        // Every application/grpc+<subtype> is a gRPC call to grpc-dotnet (read with the method's protobuf marshaller).
        if (request.Expectation == RequestExpectation.UnsupportedMediaType
            && request.ContentType?.StartsWith("application/grpc+", StringComparison.Ordinal) == true
            && finding.Reason.StartsWith("HTTP 200 ", StringComparison.Ordinal))
        {
            return true;
        }

        // Past its deadline grpc-dotnet resets the stream with CANCEL after the status; mid-write the reset can come first.
        if (finding.Reason.StartsWith("the exchange failed: ", StringComparison.Ordinal)
            && finding.Reason.Contains("'CANCEL' (0x8)", StringComparison.Ordinal)
            && Timeout(request) is { } timeout && timeout <= TimeSpan.FromSeconds(1))
        {
            return true;
        }

        return finding.Reason == UndecodableRequest
            && targets.SingleOrDefault(t => t.Path == request.Path) is { } target
            && (HasUndecodableBinaryHeader(request) || HasUndecodableMessage(request, target));
    }

    /// <summary>
    /// An exception grpc-dotnet logs when it cannot decode what the client sent: the message (protobuf, compression,
    /// compressed flag), its declared length (past int.MaxValue), or a -bin header that is not base64.
    /// </summary>
    private static bool IsDecodingFailure(Exception? exception) => exception switch
    {
        InvalidProtocolBufferException or InvalidDataException => true,
        IOException io => io.Message.StartsWith("Message too large", StringComparison.Ordinal),
        FormatException format => format.StackTrace?.Contains("GrpcProtocolHelpers.ParseBinaryHeader", StringComparison.Ordinal) == true,
        _ => false,
    };

    /// <summary>A -bin header grpc-dotnet cannot decode (it fails the call when the handler or an interceptor reads the metadata).</summary>
    private static bool HasUndecodableBinaryHeader(HostileRequest request) =>
        request.Headers.Any(h => h.Key.EndsWith("-bin", StringComparison.OrdinalIgnoreCase) && !IsBase64(h.Value));

    private static bool IsBase64(string value)
    {
        var padded = (value.Length % 4) switch
        {
            0 => value,
            2 => value + "==",
            3 => value + "=",
            _ => null,
        };
        return padded is not null && Convert.TryFromBase64String(padded, new byte[padded.Length], out _);
    }

    private static bool HasUndecodableMessage(HostileRequest request, FuzzTarget target)
    {
        var body = request.Body.SelectMany(chunk => chunk).ToArray();
        var encoding = request.Headers.LastOrDefault(h => h.Key.Equals("grpc-encoding", StringComparison.OrdinalIgnoreCase)).Value;
        for (var offset = 0; body.Length - offset >= 5;)
        {
            var flag = body[offset];
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            // A flag other than 0 or 1, or a length past int.MaxValue, makes grpc-dotnet's reader throw.
            if (flag > 1 || length > int.MaxValue)
            {
                return true;
            }

            if (length > body.Length - offset - 5)
            {
                return false;
            }

            var payload = body.AsSpan(offset + 5, (int)length).ToArray();
            try
            {
                target.Input.Parser.ParseFrom(flag == 1 ? Decompress(payload, encoding) : payload);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
            {
                return true;
            }

            offset += 5 + (int)length;
        }

        return false;
    }

    private static TimeSpan? Timeout(HostileRequest request)
    {
        var header = request.Headers.LastOrDefault(h => h.Key.Equals("grpc-timeout", StringComparison.OrdinalIgnoreCase)).Value;
        if (header is not { Length: >= 2 } || !long.TryParse(header.AsSpan(0, header.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return header[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromMicroseconds(value),
            'n' => TimeSpan.FromTicks(value / 100),
            _ => null,
        };
    }

    private static byte[] Decompress(byte[] payload, string? encoding)
    {
        using var input = new MemoryStream(payload);
        using Stream stream = encoding == "deflate" ? new ZLibStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        stream.CopyTo(inflated);
        return inflated.ToArray();
    }
}
