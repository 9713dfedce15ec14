using System.Net;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// The one place the harness builds its HTTP/2 transport, so that a deployment with mutual TLS only has to give this
/// factory a handler configured with client certificates.
/// </summary>
public static class FuzzTransport
{
    /// <summary>Replaces the default handler (e.g. with one holding client certificates); null restores it.</summary>
    public static Func<SocketsHttpHandler>? HandlerFactory { get; set; }

    public static SocketsHttpHandler CreateHandler() => HandlerFactory?.Invoke() ?? new SocketsHttpHandler
    {
        EnableMultipleHttp2Connections = true,
        // Response headers the harness provokes (huge trailers echoed back) must not fail the client first.
        MaxResponseHeadersLength = 1024,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>h2c with prior knowledge on http://, HTTP/2 exactly; requests carry their own deadlines.</summary>
    public static HttpClient CreateClient(Uri address) => new(CreateHandler())
    {
        BaseAddress = address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
