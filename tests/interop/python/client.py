#!/usr/bin/python3
"""Python grpcio client for the interop tests of tests/SpasmPlatform.Grpc.Tests (our grpc-dotnet server).

Usage: /usr/bin/python3 client.py SCENARIO HOST:PORT
Runs one scenario against a server hosting spasm.testing.v1.EchoService, grpc.health.v1.Health and
server reflection. Exits 0 on success; prints the reason and exits 1 on failure, 2 on bad usage or a
machine that lacks what the script needs.
"""

import queue
import sys
import time
import traceback

try:
    import grpc
except ImportError as error:
    print("SETUP: cannot import grpc (%s): run this with /usr/bin/python3 and install the Debian package "
          "python3-grpcio (apt-get install -y python3-grpcio python3-protobuf)" % error)
    sys.exit(2)

from interop_protos import Protos, SetupError, decode_status_details, deserializer, serializer

ECHO = "/spasm.testing.v1.EchoService/"
HEALTH = "/grpc.health.v1.Health/"
CALL_TIMEOUT = 10.0
IDLE_SECONDS = 6.5


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def expect_error(action, code):
    """Runs action, which must fail with the given status code; returns the grpc.RpcError."""
    try:
        result = action()
    except grpc.RpcError as error:
        check(error.code() == code, "expected %s, got %s: %r" % (code, error.code(), error.details()))
        return error
    raise Failure("expected %s, but the call succeeded with %r" % (code, result))


class Client:
    def __init__(self, target, protos, **channel_args):
        self.target = target
        self.protos = protos
        self.channel = grpc.insecure_channel(target, **channel_args)
        self.request = protos["spasm.testing.v1.EchoRequest"]
        response = deserializer(protos["spasm.testing.v1.EchoResponse"])
        self.echo = self.channel.unary_unary(ECHO + "Echo", serializer, response)
        self.expand = self.channel.unary_stream(ECHO + "Expand", serializer, response)
        self.collect = self.channel.stream_unary(ECHO + "Collect", serializer, response)
        self.chat = self.channel.stream_stream(ECHO + "Chat", serializer, response)


def metadata_values(metadata, key):
    return [value for (k, value) in (metadata or ()) if k == key]


# ---------------------------------------------------------------------------------------------- scenarios

def unary(c):
    payload = bytes(range(256)) * 4
    reply = c.echo(c.request(message="hello from grpcio", payload=payload), timeout=CALL_TIMEOUT)
    check(reply.message == "hello from grpcio", "unexpected message %r" % reply.message)
    check(reply.payload == payload, "payload did not round-trip (%d bytes back)" % len(reply.payload))
    check(reply.index == 0, "unexpected index %d" % reply.index)


def large_payload(c):
    # 3 MiB each way: many HTTP/2 DATA frames and flow-control window updates, under the 4 MiB default limit.
    size = 3 * 1024 * 1024
    payload = (bytes(range(251)) * (size // 251 + 1))[:size]
    reply = c.echo(c.request(message="large", payload=payload), timeout=CALL_TIMEOUT)
    check(reply.payload == payload, "3 MiB payload did not round-trip (%d bytes back)" % len(reply.payload))


def server_streaming(c):
    replies = list(c.expand(c.request(message="tick", repeat=5), timeout=CALL_TIMEOUT))
    check(len(replies) == 5, "expected 5 messages, got %d" % len(replies))
    for i, reply in enumerate(replies):
        check(reply.index == i and reply.message == "tick", "message %d was %r" % (i, reply))
    # Many messages with payloads: the server's writes must respect HTTP/2 flow control and stay in order.
    payload = bytes(1024)
    indexes = [r.index for r in c.expand(c.request(message="many", repeat=1000, payload=payload), timeout=CALL_TIMEOUT)]
    check(indexes == list(range(1000)), "1000-message stream arrived as %d messages, in order: %s"
          % (len(indexes), indexes == sorted(indexes)))


def client_streaming(c):
    parts = ["alpha", "beta", "gamma", "delta"]
    requests = (c.request(message=p, payload=p.encode()) for p in parts)
    reply = c.collect(requests, timeout=CALL_TIMEOUT)
    check(reply.message == "".join(parts), "unexpected concatenation %r" % reply.message)
    check(reply.payload == "".join(parts).encode(), "unexpected payload %r" % reply.payload)
    check(reply.index == len(parts), "server counted %d messages, sent %d" % (reply.index, len(parts)))
    # No request at all: the answer has only default fields, so it travels as a zero-length message.
    empty = c.collect(iter(()), timeout=CALL_TIMEOUT)
    check(empty == c.protos["spasm.testing.v1.EchoResponse"](), "empty stream answered %r" % empty)


def bidi(c):
    outbox = queue.Queue()

    def requests():
        while True:
            item = outbox.get()
            if item is None:
                return
            yield item

    call = c.chat(requests(), timeout=CALL_TIMEOUT)
    try:
        for i in range(5):
            # The next request is only sent after the previous answer arrived: the exchange is interleaved.
            outbox.put(c.request(message="turn-%d" % i))
            reply = next(call)
            check(reply.message == "turn-%d" % i and reply.index == i, "turn %d answered with %r" % (i, reply))
    finally:
        outbox.put(None)
    rest = list(call)
    check(rest == [], "unexpected extra messages %r" % rest)
    check(call.code() == grpc.StatusCode.OK, "call ended with %s" % call.code())


def bidi_idle(c):
    # A chat that goes quiet for longer than Kestrel's 5 s grace period for request-body data rates: a
    # server that left that limit on for streaming requests would abort the call while it idles.
    outbox = queue.Queue()

    def requests():
        while True:
            item = outbox.get()
            if item is None:
                return
            yield item

    call = c.chat(requests(), timeout=CALL_TIMEOUT + IDLE_SECONDS)
    try:
        outbox.put(c.request(message="before"))
        check(next(call).message == "before", "first answer wrong")
        time.sleep(IDLE_SECONDS)  # the idle period is the stimulus under test, not a wait for a condition
        outbox.put(c.request(message="after"))
        check(next(call).message == "after", "answer after the idle period wrong")
    finally:
        outbox.put(None)
    check(list(call) == [] and call.code() == grpc.StatusCode.OK, "call ended with %s" % call.code())


def error_details(c):
    text = "bad request: 100% wrong, ünïcode ✓"
    error = expect_error(lambda: c.echo(c.request(message=text, fail_with_code=3), timeout=CALL_TIMEOUT),
                         grpc.StatusCode.INVALID_ARGUMENT)
    check(error.details() == text, "grpc-message decoded as %r, sent %r" % (error.details(), text))
    raw = metadata_values(error.trailing_metadata(), "grpc-status-details-bin")
    check(len(raw) == 1, "expected one grpc-status-details-bin trailer, got %r" % (error.trailing_metadata(),))
    check(isinstance(raw[0], bytes), "grpc-status-details-bin arrived as %r, not bytes" % type(raw[0]))
    status, details = decode_status_details(c.protos, raw[0])
    check(status.code == 3, "google.rpc.Status.code is %d" % status.code)
    check(status.message == text, "google.rpc.Status.message is %r" % status.message)
    check(len(details) == 1, "expected one detail, got %r" % details)
    type_url, bad_request = details[0]
    check(type_url == "type.googleapis.com/google.rpc.BadRequest", "detail type %r" % type_url)
    violations = [(v.field, v.description) for v in bad_request.field_violations]
    check(violations == [("message", "must not be empty"), ("repeat", "must be between 1 and 100")],
          "field violations %r" % violations)


def failure_trailer(c):
    # Trailers-only response: the status and the handler's trailer come in the only HEADERS frame.
    error = expect_error(lambda: c.echo(c.request(message="no such thing", fail_with_code=5), timeout=CALL_TIMEOUT),
                         grpc.StatusCode.NOT_FOUND)
    check(error.details() == "no such thing", "details %r" % error.details())
    check(metadata_values(error.trailing_metadata(), "failure-reason") == ["requested"],
          "failure-reason trailer missing: %r" % (error.trailing_metadata(),))
    check(not metadata_values(error.trailing_metadata(), "grpc-status-details-bin"), "unexpected rich details")

    # After messages: the status comes in real trailers.
    call = c.expand(c.request(message="partial", repeat=2, fail_with_code=9), timeout=CALL_TIMEOUT)
    received = []
    try:
        for reply in call:
            received.append(reply)
        raise Failure("stream ended without the requested failure")
    except grpc.RpcError as stream_error:
        check(stream_error.code() == grpc.StatusCode.FAILED_PRECONDITION, "stream ended with %s" % stream_error.code())
        check(len(received) == 2, "expected 2 messages before the failure, got %d" % len(received))
        check(metadata_values(stream_error.trailing_metadata(), "failure-reason") == ["requested"],
              "failure-reason trailer missing after messages: %r" % (stream_error.trailing_metadata(),))


def unknown_exception(c):
    error = expect_error(lambda: c.echo(c.request(message="boom", throw_exception=True), timeout=CALL_TIMEOUT),
                         grpc.StatusCode.UNKNOWN)
    details = error.details() or ""
    for secret in ("hunter2", "Password", "InvalidOperationException", "secret internal detail"):
        check(secret not in details, "status message leaks %r: %r" % (secret, details))
    for key, value in error.trailing_metadata() or ():
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        check("hunter2" not in text, "trailer %s leaks the secret: %r" % (key, text))


def deadline(c):
    # The server must see the deadline the client set. grpc-core rounds the grpc-timeout it sends up to a
    # coarser unit, so the server may see slightly more than 5 s; a lost or misparsed header would be far off.
    reply = c.echo(c.request(message="deadline"), timeout=5.0)
    check(3000 < reply.deadline_remaining_ms <= 5500,
          "server saw %d ms left of a 5 s deadline" % reply.deadline_remaining_ms)
    reply = c.echo(c.request(message="no deadline"))
    check(reply.deadline_remaining_ms == -1, "server saw a deadline that was never set: %d" % reply.deadline_remaining_ms)

    # ...and a handler that overruns it must not keep the client waiting.
    started = time.monotonic()
    error = expect_error(lambda: c.echo(c.request(message="slow", delay_ms=5000), timeout=0.3),
                         grpc.StatusCode.DEADLINE_EXCEEDED)
    elapsed = time.monotonic() - started
    check(elapsed < 3.0, "DEADLINE_EXCEEDED took %.2f s for a 0.3 s deadline" % elapsed)
    print("deadline exceeded after %.3f s: %s" % (elapsed, error.details()))

    # A stream that outlives its deadline ends with DEADLINE_EXCEEDED after the messages sent in time
    # (a message every 0.1 s; the deadline leaves room for a cold or busy server to send the first ones).
    started = time.monotonic()
    received = []
    try:
        for reply in c.expand(c.request(message="stream", repeat=50, delay_ms=100), timeout=1.5):
            received.append(reply)
        raise Failure("a 5 s stream finished within a 1.5 s deadline")
    except grpc.RpcError as stream_error:
        elapsed = time.monotonic() - started
        check(stream_error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, "stream ended with %s" % stream_error.code())
        check(elapsed < 3.5, "streaming DEADLINE_EXCEEDED took %.2f s for a 1.5 s deadline" % elapsed)
        check(1 <= len(received) < 50, "received %d messages before the deadline" % len(received))


def cancellation(c):
    # Expand writes its one message and then waits for cancellation, so the first message proves the
    # handler is running when the client cancels.
    call = c.expand(c.request(message="wait", repeat=1, wait_for_cancellation=True), timeout=CALL_TIMEOUT)
    first = next(call)
    check(first.message == "wait", "first message %r" % first)
    call.cancel()
    try:
        extra = next(call)
        raise Failure("received %r after cancelling" % extra)
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.CANCELLED, "cancelled call ended with %s" % error.code())
    print("cancelled")


def metadata(c):
    binary = bytes(range(256))
    sent = (
        ("x-text", "hello interop"),
        ("x-multi", "one"),
        ("x-multi", "two"),
        ("x-data-bin", binary),
    )
    reply, call = c.echo.with_call(c.request(message="metadata", echo_metadata=True), metadata=sent,
                                   timeout=CALL_TIMEOUT)
    check(reply.message == "metadata", "unexpected reply %r" % reply)
    headers = call.initial_metadata()
    trailers = call.trailing_metadata()
    check(metadata_values(headers, "x-text") == ["hello interop"], "x-text header: %r" % (headers,))
    check(",".join(metadata_values(headers, "x-multi")) == "one,two", "x-multi header: %r" % (headers,))
    check(metadata_values(headers, "x-data-bin") == [binary], "x-data-bin header: %r" % (headers,))
    check(metadata_values(trailers, "x-text-trailer") == ["hello interop"], "x-text-trailer: %r" % (trailers,))
    check(",".join(metadata_values(trailers, "x-multi-trailer")) == "one,two", "x-multi-trailer: %r" % (trailers,))
    check(metadata_values(trailers, "x-data-bin") == [binary], "x-data-bin trailer: %r" % (trailers,))


def metadata_empty_bin(c):
    # Empty bytes are a legal binary value; on the wire they are an empty header value. The server must take the
    # call and echo the rest; ASP.NET Core writes no empty header value, so the empty entry may come back or not,
    # but never as anything other than empty bytes.
    sent = (("x-empty-bin", b""), ("x-marker", "present"))
    _, call = c.echo.with_call(c.request(message="empty", echo_metadata=True), metadata=sent, timeout=CALL_TIMEOUT)
    headers = call.initial_metadata()
    trailers = call.trailing_metadata()
    check(metadata_values(headers, "x-marker") == ["present"], "x-marker header: %r" % (headers,))
    check(metadata_values(trailers, "x-marker-trailer") == ["present"], "x-marker-trailer: %r" % (trailers,))
    for where, metadata in (("headers", headers), ("trailers", trailers)):
        echoed = metadata_values(metadata, "x-empty-bin")
        check(echoed in ([], [b""]), "x-empty-bin came back mangled in the %s: %r" % (where, metadata))


def compression(c):
    payload = b"compress me, " * 8192
    # Channel-wide gzip: the request is compressed; the server (configured to) compresses its answer.
    gzip_channel = Client(c.target, c.protos, compression=grpc.Compression.Gzip)
    try:
        reply = gzip_channel.echo(c.request(message="gzip", payload=payload), timeout=CALL_TIMEOUT)
        check(reply.payload == payload, "gzip payload did not round-trip (%d bytes back)" % len(reply.payload))
    finally:
        gzip_channel.channel.close()
    # Per-call gzip on a client-streaming call.
    requests = (c.request(message="part-%d" % i, payload=payload) for i in range(3))
    reply = c.collect(requests, timeout=CALL_TIMEOUT, compression=grpc.Compression.Gzip)
    check(reply.index == 3 and reply.payload == payload * 3, "collect under gzip returned %d messages" % reply.index)
    # Per-call deflate (zlib format in gRPC) on a bidi call.
    requests = [c.request(message="chat-%d" % i, payload=payload) for i in range(2)]
    replies = list(c.chat(iter(requests), timeout=CALL_TIMEOUT, compression=grpc.Compression.Deflate))
    check([r.payload == payload for r in replies] == [True, True], "chat under deflate returned %d messages" % len(replies))


def unimplemented(c):
    response = deserializer(c.protos["spasm.testing.v1.EchoResponse"])
    missing_method = c.channel.unary_unary(ECHO + "NoSuchMethod", serializer, response)
    expect_error(lambda: missing_method(c.request(message="x"), timeout=CALL_TIMEOUT), grpc.StatusCode.UNIMPLEMENTED)
    missing_service = c.channel.unary_unary("/no.such.Service/Echo", serializer, response)
    expect_error(lambda: missing_service(c.request(message="x"), timeout=CALL_TIMEOUT), grpc.StatusCode.UNIMPLEMENTED)


def too_large(c):
    # Over the server's 4 MiB receive limit: refused with RESOURCE_EXHAUSTED, and the channel stays usable.
    expect_error(lambda: c.echo(c.request(message="huge", payload=bytes(5 * 1024 * 1024)), timeout=CALL_TIMEOUT),
                 grpc.StatusCode.RESOURCE_EXHAUSTED)
    reply = c.echo(c.request(message="after"), timeout=CALL_TIMEOUT)
    check(reply.message == "after", "call after the refused one returned %r" % reply)


def concurrent(c):
    # Many calls multiplexed on one HTTP/2 connection, unary and streaming at once.
    unary_calls = [c.echo.future(c.request(message="u-%d" % i, delay_ms=50), timeout=CALL_TIMEOUT) for i in range(50)]
    streams = [c.expand(c.request(message="s-%d" % i, repeat=20), timeout=CALL_TIMEOUT) for i in range(5)]
    for i, stream in enumerate(streams):
        messages = [r.message for r in stream]
        check(messages == ["s-%d" % i] * 20, "stream %d returned %r" % (i, messages))
    for i, call in enumerate(unary_calls):
        reply = call.result()
        check(reply.message == "u-%d" % i, "call %d answered %r" % (i, reply.message))


def health_check(c):
    request = c.protos["grpc.health.v1.HealthCheckRequest"]
    response = c.protos["grpc.health.v1.HealthCheckResponse"]
    serving = response.ServingStatus.Value("SERVING")
    check_call = c.channel.unary_unary(HEALTH + "Check", serializer, deserializer(response))
    for service in ("", "spasm.testing.v1.EchoService"):
        reply = check_call(request(service=service), timeout=CALL_TIMEOUT)
        check(reply.status == serving, "Check(%r) returned %s" % (service, response.ServingStatus.Name(reply.status)))
    expect_error(lambda: check_call(request(service="no.such.Service"), timeout=CALL_TIMEOUT),
                 grpc.StatusCode.NOT_FOUND)


def health_watch(c):
    request = c.protos["grpc.health.v1.HealthCheckRequest"]
    response = c.protos["grpc.health.v1.HealthCheckResponse"]
    watch = c.channel.unary_stream(HEALTH + "Watch", serializer, deserializer(response))
    call = watch(request(service=""), timeout=CALL_TIMEOUT)
    first = next(call)
    call.cancel()
    check(first.status == response.ServingStatus.Value("SERVING"),
          "first Watch message was %s" % response.ServingStatus.Name(first.status))
    call = watch(request(service="no.such.Service"), timeout=CALL_TIMEOUT)
    first = next(call)
    call.cancel()
    check(first.status == response.ServingStatus.Value("SERVICE_UNKNOWN"),
          "Watch of an unknown service first said %s" % response.ServingStatus.Name(first.status))


def reflection(c, package):
    from google.protobuf import descriptor_pb2, descriptor_pool

    request = c.protos[package + ".ServerReflectionRequest"]
    response = c.protos[package + ".ServerReflectionResponse"]
    info = c.channel.stream_stream("/%s.ServerReflection/ServerReflectionInfo" % package, serializer,
                                   deserializer(response))
    requests = [
        request(list_services=""),
        request(file_containing_symbol="spasm.testing.v1.EchoService"),
        request(file_containing_symbol="spasm.testing.v1.EchoService.Chat"),
        request(file_containing_symbol="no.such.Symbol"),
    ]
    replies = list(info(iter(requests), timeout=CALL_TIMEOUT))
    check(len(replies) == len(requests), "expected %d answers, got %d" % (len(requests), len(replies)))
    # The answers must come in request order (checked by their contents below). grpc-dotnet's reflection leaves
    # original_request unset; a server that sets it must echo the request.
    for sent, reply in zip(requests, replies):
        check(not reply.HasField("original_request") or reply.original_request == sent,
              "answer %r does not echo its request %r" % (reply, sent))

    services = sorted(s.name for s in replies[0].list_services_response.service)
    for name in ("spasm.testing.v1.EchoService", "grpc.health.v1.Health"):
        check(name in services, "list_services lacks %s: %r" % (name, services))

    for reply in replies[1:3]:
        check(reply.WhichOneof("message_response") == "file_descriptor_response", "answer was %r" % reply)
        files = [descriptor_pb2.FileDescriptorProto.FromString(raw)
                 for raw in reply.file_descriptor_response.file_descriptor_proto]
        names = [f.name for f in files]
        check("spasm/testing/v1/echo.proto" in names, "files returned: %r" % names)
        # The files must be complete enough to build working descriptors in an empty pool.
        pool = descriptor_pool.DescriptorPool()
        added = set()
        pending = list(files)
        while pending:
            ready = [f for f in pending if all(d in added for d in f.dependency)]
            check(ready, "returned files do not include all dependencies: %r" % names)
            for f in ready:
                pool.AddSerializedFile(f.SerializeToString())
                added.add(f.name)
                pending.remove(f)
        service = pool.FindServiceByName("spasm.testing.v1.EchoService")
        shapes = {m.name: (m.input_type.full_name, m.output_type.full_name) for m in service.methods}
        check(shapes.get("Chat") == ("spasm.testing.v1.EchoRequest", "spasm.testing.v1.EchoResponse"),
              "EchoService methods as reflected: %r" % shapes)
        proto = next(f for f in files if f.name == "spasm/testing/v1/echo.proto")
        chat = next(m for m in proto.service[0].method if m.name == "Chat")
        check(chat.client_streaming and chat.server_streaming, "Chat is not reflected as bidi streaming")
        echo_fields = {f.name: f.number for f in pool.FindMessageTypeByName("spasm.testing.v1.EchoRequest").fields}
        check(echo_fields.get("wait_for_cancellation") == 7, "EchoRequest fields as reflected: %r" % echo_fields)

    missing = replies[3]
    check(missing.WhichOneof("message_response") == "error_response", "unknown symbol answered with %r" % missing)
    check(missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0],
          "unknown symbol error code %d" % missing.error_response.error_code)


SCENARIOS = {
    "unary": unary,
    "large_payload": large_payload,
    "server_streaming": server_streaming,
    "client_streaming": client_streaming,
    "bidi": bidi,
    "bidi_idle": bidi_idle,
    "error_details": error_details,
    "failure_trailer": failure_trailer,
    "unknown_exception": unknown_exception,
    "deadline": deadline,
    "cancellation": cancellation,
    "metadata": metadata,
    "metadata_empty_bin": metadata_empty_bin,
    "compression": compression,
    "unimplemented": unimplemented,
    "too_large": too_large,
    "concurrent": concurrent,
    "health_check": health_check,
    "health_watch": health_watch,
    "reflection_v1alpha": lambda c: reflection(c, "grpc.reflection.v1alpha"),
    "reflection_v1": lambda c: reflection(c, "grpc.reflection.v1"),
}


def main(argv):
    if len(argv) == 2 and argv[1] == "setup-check":
        # Used by the test harness before any scenario: proves grpc imports and protoc compiles the protos.
        try:
            Protos()
        except SetupError as error:
            print("SETUP: %s" % error)
            return 2
        print("grpcio %s ready" % grpc.__version__)
        return 0
    if len(argv) == 2 and argv[1] == "list":
        print("\n".join(SCENARIOS))
        return 0
    if len(argv) != 3 or argv[1] not in SCENARIOS:
        print("usage: client.py SCENARIO HOST:PORT | client.py setup-check | client.py list\nscenarios: %s" % " ".join(SCENARIOS))
        return 2
    scenario, target = argv[1], argv[2]
    try:
        protos = Protos()
    except SetupError as error:
        print("SETUP: %s" % error)
        return 2
    client = Client(target, protos)
    try:
        grpc.channel_ready_future(client.channel).result(timeout=CALL_TIMEOUT)
        SCENARIOS[scenario](client)
    except Failure as failure:
        print("FAIL %s: %s" % (scenario, failure))
        return 1
    except grpc.RpcError as error:
        print("FAIL %s: unexpected RPC error %s: %r" % (scenario, error.code(), error.details()))
        return 1
    except Exception:  # noqa: BLE001 - any other error fails the scenario with its traceback
        print("FAIL %s: unexpected exception\n%s" % (scenario, traceback.format_exc()))
        return 1
    finally:
        client.channel.close()
    print("PASS %s" % scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
