#!/usr/bin/python3
"""Python grpcio server for the interop tests of tests/SpasmPlatform.Grpc.Tests: spasm.testing.v1.EchoService on generic handlers.

Usage: /usr/bin/python3 server.py PORT        (0 picks a free port)
Listens on 127.0.0.1 only. Prints "LISTENING <port>" once it serves, then one "EVENT <name>" line per
thing the tests assert on (e.g. "EVENT cancelled"). Ends when stdin closes or on SIGTERM.

The request fields steer it like the C# test EchoService does:
  fail_with_code     the call fails with that code and `message` as detail; code 3 (INVALID_ARGUMENT) carries a
                     google.rpc.Status with a google.rpc.BadRequest in grpc-status-details-bin, other codes carry
                     the trailer failure-reason: requested
  throw_exception    the handler fails with UNKNOWN and a generic message; the exception text goes to stderr only
  wait_for_cancellation  the handler waits until the call ends (cancelled, or past its deadline) and reports
                     "EVENT cancelled:<message>"
  delay_ms           Echo/Collect/Chat sleep that long ignoring cancellation; Expand waits that long before each
                     message but stops when the call ends
  echo_metadata      x-* request metadata is echoed in the response headers, and in the trailers
                     (text keys as KEY-trailer, -bin keys under the same key)
  repeat             how many messages Expand sends
Request metadata x-response-compression: gzip|deflate makes the server compress its response messages.
"""

import signal
import sys
import threading
import time
from concurrent import futures

try:
    import grpc
except ImportError as error:
    print("SETUP: cannot import grpc (%s): run this with /usr/bin/python3 and install the Debian package "
          "python3-grpcio (apt-get install -y python3-grpcio python3-protobuf)" % error, flush=True)
    sys.exit(2)

from interop_protos import Protos, SetupError, deserializer, serializer

SERVICE = "spasm.testing.v1.EchoService"
CANCEL_WAIT_SECONDS = 30.0
NO_DEADLINE_SECONDS = 10.0 ** 8
RESPONSE_COMPRESSION = {"gzip": grpc.Compression.Gzip, "deflate": grpc.Compression.Deflate}


def event(name):
    print("EVENT %s" % name, flush=True)


class EchoService:
    def __init__(self, protos):
        self.protos = protos
        self.response = protos["spasm.testing.v1.EchoResponse"]

    # --------------------------------------------------------------------------------------------- helpers

    def reply(self, request, context, index):
        remaining = context.time_remaining()
        # grpcio reports an enormous time remaining when the call has no deadline.
        no_deadline = remaining is None or remaining > NO_DEADLINE_SECONDS
        return self.response(
            message=request.message,
            payload=request.payload,
            index=index,
            deadline_remaining_ms=-1 if no_deadline else int(remaining * 1000),
        )

    def fail(self, request, context):
        code = next((c for c in grpc.StatusCode if c.value[0] == request.fail_with_code), grpc.StatusCode.UNKNOWN)
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            bad_request = self.protos["google.rpc.BadRequest"]()
            for field, description in (("message", "must not be empty"), ("repeat", "must be between 1 and 100")):
                bad_request.field_violations.add(field=field, description=description)
            status = self.protos["google.rpc.Status"](code=code.value[0], message=request.message)
            detail = status.details.add()
            detail.type_url = "type.googleapis.com/google.rpc.BadRequest"
            detail.value = bad_request.SerializeToString()
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
        else:
            context.set_trailing_metadata((("failure-reason", "requested"),))
        context.abort(code, request.message)

    @staticmethod
    def wait_for_cancellation(request, context):
        cancelled = threading.Event()
        if not context.add_callback(cancelled.set):
            cancelled.set()  # the call had already ended
        event("waiting:%s" % request.message)
        if not cancelled.wait(CANCEL_WAIT_SECONDS):
            event("not-cancelled:%s" % request.message)
            return
        # grpcio runs the callback whenever the call ends: for a call without a deadline, that is the client cancelling.
        event("cancelled:%s" % request.message)

    def apply(self, request, context):
        event("received:%s" % request.message)
        if request.throw_exception:
            # grpcio would put the exception text in grpc-message; like our server, log it and answer UNKNOWN.
            try:
                raise RuntimeError("secret internal detail: connection string Host=db;Password=hunter2")
            except RuntimeError as error:
                print("handler failed: %s" % error, file=sys.stderr, flush=True)
                context.abort(grpc.StatusCode.UNKNOWN, "Exception was thrown by handler.")
        if request.wait_for_cancellation:
            self.wait_for_cancellation(request, context)
        if request.delay_ms > 0:
            # Deliberately ignores cancellation, like the C# EchoService.
            time.sleep(request.delay_ms / 1000.0)
        if request.fail_with_code != 0:
            self.fail(request, context)

    @staticmethod
    def echo_metadata(context):
        headers = []
        trailers = []
        for key, value in context.invocation_metadata():
            if key.startswith("x-"):
                headers.append((key, value))
                trailers.append((key, value) if key.endswith("-bin") else (key + "-trailer", value))
        context.send_initial_metadata(tuple(headers))
        context.set_trailing_metadata(tuple(trailers))

    @staticmethod
    def compress_response(context):
        for key, value in context.invocation_metadata():
            if key == "x-response-compression":
                context.set_compression(RESPONSE_COMPRESSION[value])
                event("response-compression:%s" % value)

    # ------------------------------------------------------------------------------------------------ RPCs

    def Echo(self, request, context):
        self.compress_response(context)
        self.apply(request, context)
        if request.echo_metadata:
            self.echo_metadata(context)
        return self.reply(request, context, 0)

    def Expand(self, request, context):
        self.compress_response(context)
        for i in range(max(1, request.repeat)):
            if request.delay_ms > 0:
                stopped = threading.Event()
                if not context.add_callback(stopped.set):
                    return  # the call has ended
                if stopped.wait(request.delay_ms / 1000.0):
                    return
            yield self.reply(request, context, i)
        if request.fail_with_code != 0:
            self.fail(request, context)
        if request.wait_for_cancellation:
            self.wait_for_cancellation(request, context)

    def Collect(self, request_iterator, context):
        self.compress_response(context)
        text = []
        payload = []
        for request in request_iterator:
            self.apply(request, context)
            text.append(request.message)
            payload.append(request.payload)
        return self.response(message="".join(text), payload=b"".join(payload), index=len(text))

    def Chat(self, request_iterator, context):
        self.compress_response(context)
        for index, request in enumerate(request_iterator):
            self.apply(request, context)
            yield self.reply(request, context, index)


def handler(protos, service):
    request = deserializer(protos["spasm.testing.v1.EchoRequest"])
    return grpc.method_handlers_generic_handler(SERVICE, {
        "Echo": grpc.unary_unary_rpc_method_handler(service.Echo, request, serializer),
        "Expand": grpc.unary_stream_rpc_method_handler(service.Expand, request, serializer),
        "Collect": grpc.stream_unary_rpc_method_handler(service.Collect, request, serializer),
        "Chat": grpc.stream_stream_rpc_method_handler(service.Chat, request, serializer),
    })


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: server.py PORT")
        return 2
    try:
        protos = Protos()
    except SetupError as error:
        print("SETUP: %s" % error, flush=True)
        return 2

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((handler(protos, EchoService(protos)),))
    port = server.add_insecure_port("127.0.0.1:%s" % argv[1])
    if port == 0:
        print("FAIL: cannot listen on 127.0.0.1:%s" % argv[1], flush=True)
        return 1
    server.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def watch_stdin():
        # The test harness holds our stdin open; when it goes away (closed, or the harness died) we go too.
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("LISTENING %d" % port, flush=True)
    stop.wait()
    server.stop(grace=None).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
