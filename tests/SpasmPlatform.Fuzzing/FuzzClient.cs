using System.Net;
using System.Net.Http.Headers;

namespace SpasmPlatform.Fuzzing;

/// <summary>Sends <see cref="HostileRequest"/>s over one HTTP/2 client and records the whole exchange.</summary>
public sealed class FuzzClient(Uri address) : IDisposable
{
    /// <summary>How long a server stream may stay open before the client cancels it (Watch without a deadline never ends).</summary>
    public static readonly TimeSpan StreamCap = TimeSpan.FromSeconds(2);

    /// <summary>A unary answer later than this is a hang.</summary>
    public static readonly TimeSpan UnaryCap = TimeSpan.FromSeconds(60);

    private HttpClient _http = FuzzTransport.CreateClient(address);

    public Uri Address => address;

    public async Task<FuzzResponse> SendAsync(HostileRequest request, bool serverStreams)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), request.Path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new HostileContent(request.Body),
        };
        if (request.ContentType is not null)
        {
            message.Content.Headers.TryAddWithoutValidation("content-type", request.ContentType);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var cap = new CancellationTokenSource(serverStreams ? StreamCap : UnaryCap);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cap.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cap.IsCancellationRequested))
        {
            Reset();
            return new FuzzResponse(null, Empty, Empty, [], Describe(e), false);
        }
        catch (OperationCanceledException)
        {
            Reset();
            return new FuzzResponse(null, Empty, Empty, [], null, true);
        }

        using (response)
        {
            var headers = Flatten(response.Headers, response.Content.Headers);
            try
            {
                var body = await response.Content.ReadAsByteArrayAsync(cap.Token).ConfigureAwait(false);
                return new FuzzResponse(response.StatusCode, headers, Flatten(response.TrailingHeaders), body, null, false);
            }
            catch (OperationCanceledException) when (cap.IsCancellationRequested)
            {
                return new FuzzResponse(response.StatusCode, headers, Empty, [], null, true);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                return new FuzzResponse(response.StatusCode, headers, Empty, [], Describe(e), false);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    // A refused stream can leave the connection unusable; later requests get a fresh one.
    private void Reset()
    {
        _http.Dispose();
        _http = FuzzTransport.CreateClient(address);
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            messages.Add($"{inner.GetType().Name}: {inner.Message}");
        }

        return string.Join(" <- ", messages);
    }

    private static Dictionary<string, string> Flatten(params HttpHeaders[] all)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var headers in all)
        {
            foreach (var (name, values) in headers.NonValidated)
            {
                result[name] = string.Join(",", values);
            }
        }

        return result;
    }
}
