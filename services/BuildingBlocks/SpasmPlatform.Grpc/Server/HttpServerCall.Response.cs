using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

internal sealed partial class HttpServerCall
{
    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        await EnterAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            if (_responseStarted || _completed)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call, before any message.");
            }

            foreach (var entry in responseHeaders)
            {
                HeaderWriter.Add(_http.Response.Headers, entry.Key, entry.ToHeaderValue());
            }

            CancellationToken.ThrowIfCancellationRequested();
            StartResponse();
            await _http.Response.StartAsync(CancellationToken.None).ConfigureAwait(false);

            // Kestrel's HTTP/2 output holds the HEADERS frame until a flush (not cancellable: see FlushAsync).
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Frames, compresses if agreed, and flushes one response message.</summary>
    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                throw _deadlineExceeded
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                    : new InvalidOperationException("Can't write the message because the call is complete.");
            }

            if (!_responseStarted)
            {
                StartResponse();
            }

            cancellationToken.ThrowIfCancellationRequested();
            MessageFraming.WriteMessage(_http.Response.BodyWriter, message, _responseEncoding, _options.MaxSendMessageSize);
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Sends the final status: as trailers after messages, or as a trailers-only response if nothing was sent.</summary>
    public async Task EndAsync(Status status, Google.Rpc.Status? richStatus)
    {
        await EnterAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            WriteStatus(status, richStatus);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    private string? _responseEncoding;

    /// <summary>
    /// Flushes without a token. Kestrel aborts the whole stream (RST_STREAM INTERNAL_ERROR) when a body flush is
    /// cancelled, so a deadline passing mid-flush cost the client its DEADLINE_EXCEEDED status (found by the fuzzer with
    /// 1 ns timeouts). A flush stuck on flow control is ended by the deadline path's reset instead (OnDeadlineAsync).
    /// </summary>
    private ValueTask<System.IO.Pipelines.FlushResult> FlushAsync() => _http.Response.BodyWriter.FlushAsync(CancellationToken.None);

    /// <summary>Serializes writes against the deadline timer; calls without a deadline have no second writer.</summary>
    private ValueTask EnterAsync(CancellationToken cancellationToken) =>
        _writeLock is null ? ValueTask.CompletedTask : new ValueTask(_writeLock.WaitAsync(cancellationToken));

    private void StartResponse()
    {
        _responseStarted = true;
        var algorithm = ResponseCompressionAlgorithm;
        if (algorithm is not null
            && algorithm != GrpcProtocol.IdentityEncoding
            && MessageCompression.IsSupported(algorithm)
            && MessageCompression.IsAccepted(_http.Request.Headers[GrpcProtocol.AcceptEncodingHeader], algorithm))
        {
            _responseEncoding = algorithm;
            _http.Response.Headers[GrpcProtocol.EncodingHeader] = algorithm;
        }
    }

    private void WriteStatus(Status status, Google.Rpc.Status? richStatus)
    {
        var response = _http.Response;
        if (!_responseStarted && !response.HasStarted)
        {
            // Trailers-only: one HEADERS frame with END_STREAM carries the status.
            var headers = response.Headers;
            TrailersOnlyResponse.WriteStatusHeaders(headers, status, richStatus);
            if (_responseTrailers is not null)
            {
                foreach (var entry in _responseTrailers)
                {
                    HeaderWriter.Add(headers, entry.Key, entry.ToHeaderValue());
                }
            }

            return;
        }

        if (!response.SupportsTrailers())
        {
            throw new InvalidOperationException("The transport does not support trailers; gRPC needs HTTP/2.");
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, EncodeMessage(status.Detail));
        }

        if (richStatus is not null)
        {
            response.AppendTrailer(RichErrors.DetailsTrailer, Convert.ToBase64String(richStatus.ToByteArray()));
        }

        if (_responseTrailers is not null)
        {
            foreach (var entry in _responseTrailers)
            {
                HeaderWriter.AddTrailer(response, entry.Key, entry.ToHeaderValue());
            }
        }
    }

    /// <summary>
    /// grpc-message, cut to <see cref="GrpcProtocol.MaxStatusMessageLength"/> characters first: a detail may quote the
    /// request, and trailers larger than the client's header limit would cost it the status itself.
    /// </summary>
    private static string EncodeMessage(string detail) => TrailersOnlyResponse.EncodeMessage(detail);
}
