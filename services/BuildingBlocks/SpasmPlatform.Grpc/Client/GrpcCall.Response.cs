using System.IO.Pipelines;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

internal sealed partial class GrpcCall<TRequest, TResponse>
{
    private string? _responseEncoding;

    private async Task RunAsync(HttpRequestMessage request)
    {
        try
        {
            var response = await _channel.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _callCts.Token).ConfigureAwait(false);
            lock (_lock)
            {
                if (_outcome is null)
                {
                    _httpResponse = response;
                }
            }

            if (_httpResponse != response)
            {
                // The call ended while the headers were on their way; dropping the response resets the stream.
                response.Dispose();
                return;
            }

            if (ResponseStatusReader.FromHeaders(response) is { } headerOutcome)
            {
                _responseHeaders.TrySetResult(MetadataHeaders.FromHeaders(response.Headers));
                Complete(_response is not null && headerOutcome.Status.StatusCode == StatusCode.OK
                    ? headerOutcome with { Status = new Status(StatusCode.Internal, "Bad gRPC response. The server returned OK in the headers, without the response message a single-response call needs.") }
                    : headerOutcome);
                return;
            }

            HeadersCommitted = true;
            _responseEncoding = response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var encoding) ? encoding.ToString() : null;
            _responseHeaders.TrySetResult(MetadataHeaders.FromHeaders(response.Headers));

            var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false));
            if (_response is null)
            {
                // Streaming responses are read by ResponseStream, at the caller's pace.
                _responseBody.TrySetResult(reader);
                return;
            }

            await ReadSingleResponseAsync(reader, response).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Complete(OutcomeOf(ex));
        }
    }

    private async Task ReadSingleResponseAsync(PipeReader reader, HttpResponseMessage response)
    {
        var message = await ReadMessageAsync(reader).ConfigureAwait(false);
        if (message is not null && await ReadMessageAsync(reader).ConfigureAwait(false) is not null)
        {
            Complete(CallOutcome.Of(StatusCode.Internal, "Bad gRPC response. The server sent more than one message for a call with a single response."));
            return;
        }

        // Trailers exist only once the body has been read to its end.
        var outcome = ResponseStatusReader.FromTrailers(response);
        if (outcome.Status.StatusCode == StatusCode.OK && message is null)
        {
            outcome = outcome with { Status = new Status(StatusCode.Internal, "Bad gRPC response. The server sent no message for a call with a single response.") };
        }

        Complete(outcome, message);
    }

    /// <summary>The next streamed response, or null once the call has ended with OK; throws its status otherwise.</summary>
    internal async Task<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        // gRPC semantics: cancelling a read cancels the call, because the stream cannot be resumed mid-message.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel("Call canceled by the client."), this)
            : default;

        var reader = await _responseBody.Task.ConfigureAwait(false);
        if (reader is null || Outcome is not null)
        {
            return EndOfStream();
        }

        TResponse? message;
        try
        {
            message = await ReadMessageAsync(reader).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Complete(OutcomeOf(ex));
            return EndOfStream();
        }

        if (message is null)
        {
            Complete(ResponseStatusReader.FromTrailers(_httpResponse!));
            return EndOfStream();
        }

        // The call may have been cancelled while this message was arriving; a cancelled call yields nothing more.
        return Outcome is { Status.StatusCode: not StatusCode.OK } ? EndOfStream() : message;
    }

    /// <summary>
    /// The exception to report for a failed request write. The server may have ended the call while the client
    /// was writing; its status, not the broken write, tells the caller why.
    /// </summary>
    internal async Task<Exception> ResolveWriteFailureAsync(Exception exception)
    {
        if (Outcome is null && _response is not null)
        {
            // The call is reading its single response right now, so it will end; wait for the real status.
            await _completion.Task.ConfigureAwait(false);
        }

        // A duplex call that has not ended keeps going: its reader will find the outcome.
        var outcome = Outcome ?? OutcomeOf(exception);
        return outcome.Status.StatusCode == StatusCode.OK
            ? new InvalidOperationException("Can't write the message because the call is complete.")
            : outcome.ToException();
    }

    private TResponse? EndOfStream()
    {
        var outcome = Outcome!.Value;
        return outcome.Status.StatusCode == StatusCode.OK ? null : throw outcome.ToException();
    }

    private ValueTask<TResponse?> ReadMessageAsync(PipeReader reader) =>
        MessageFraming.ReadMessageAsync(reader, Method.ResponseParser, _channel.MaxReceiveMessageSize, _responseEncoding, _callCts.Token);
}
