#!/usr/bin/env python3
"""Checks with a real gRPC client (Debian's python3-grpcio) that a bench/grpc server answers correctly.

    verify.py --target 127.0.0.1:50062 --name grpc-dotnet --gen-dir bench/grpc/out/py [--all-rpcs]

Always: Echo{message="hello"} returns exactly the expected response bytes with status OK.
With --all-rpcs (the real gRPC servers, not the Kestrel ceiling): fail_with_code, Expand,
Collect, Chat and an unknown method (UNIMPLEMENTED).

--gen-dir holds Python code that run.sh generates from echo.proto with `protoc --python_out`.
Exits non-zero when any check fails.
"""

import argparse
import sys

import grpc

SERVICE = "/spasm.testing.v1.EchoService"
# EchoRequest{message="hello"} and EchoResponse{message="hello"} serialize to the same bytes:
# field 1, wire type 2 (tag 0x0A), length 5, "hello".
HELLO = b"\x0a\x05hello"
TIMEOUT = 10.0


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0

    def check(self, label, ok, detail=""):
        print(f"  [{'ok' if ok else 'FAIL'}] {self.name}: {label}{'' if ok else ' - ' + detail}")
        if not ok:
            self.failures += 1


def check_echo_bytes(channel, checker):
    # No serializers: the request and the response are raw message bytes.
    echo = channel.unary_unary(f"{SERVICE}/Echo")
    try:
        response, call = echo.with_call(HELLO, timeout=TIMEOUT)
    except grpc.RpcError as error:
        checker.check("Echo returns OK", False, f"{error.code()} {error.details()}")
        return
    checker.check("Echo returns OK", call.code() == grpc.StatusCode.OK, str(call.code()))
    checker.check("Echo response bytes equal EchoResponse{message=\"hello\"}", response == HELLO, repr(response))


def check_all_rpcs(channel, checker, pb):
    req = pb.EchoRequest
    resp = pb.EchoResponse

    echo = channel.unary_unary(f"{SERVICE}/Echo", request_serializer=req.SerializeToString,
                               response_deserializer=resp.FromString)
    try:
        echo(req(message="not here", fail_with_code=5), timeout=TIMEOUT)
        checker.check("Echo fail_with_code=5 fails with NOT_FOUND", False, "call succeeded")
    except grpc.RpcError as error:
        checker.check("Echo fail_with_code=5 fails with NOT_FOUND",
                      error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "not here",
                      f"{error.code()} {error.details()!r}")

    expand = channel.unary_stream(f"{SERVICE}/Expand", request_serializer=req.SerializeToString,
                                  response_deserializer=resp.FromString)
    got = [(r.message, r.index) for r in expand(req(message="x", repeat=3, delay_ms=5), timeout=TIMEOUT)]
    checker.check("Expand repeat=3 streams 3 numbered answers", got == [("x", 0), ("x", 1), ("x", 2)], repr(got))

    collect = channel.stream_unary(f"{SERVICE}/Collect", request_serializer=req.SerializeToString,
                                   response_deserializer=resp.FromString)
    answer = collect(iter([req(message="a"), req(message="b"), req(message="c")]), timeout=TIMEOUT)
    checker.check("Collect concatenates 3 requests", (answer.message, answer.index) == ("abc", 3),
                  f"{answer.message!r} {answer.index}")

    chat = channel.stream_stream(f"{SERVICE}/Chat", request_serializer=req.SerializeToString,
                                 response_deserializer=resp.FromString)
    got = [(r.message, r.index) for r in chat(iter([req(message="p"), req(message="q")]), timeout=TIMEOUT)]
    checker.check("Chat answers each request", got == [("p", 0), ("q", 1)], repr(got))

    missing = channel.unary_unary(f"{SERVICE}/NoSuchMethod")
    try:
        missing(HELLO, timeout=TIMEOUT)
        checker.check("unknown method is UNIMPLEMENTED", False, "call succeeded")
    except grpc.RpcError as error:
        checker.check("unknown method is UNIMPLEMENTED", error.code() == grpc.StatusCode.UNIMPLEMENTED,
                      str(error.code()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="host:port")
    parser.add_argument("--name", required=True, help="label for the output")
    parser.add_argument("--gen-dir", required=True, help="directory with spasm/testing/v1/echo_pb2.py")
    parser.add_argument("--all-rpcs", action="store_true", help="also check the other RPCs and error paths")
    args = parser.parse_args()

    sys.path.insert(0, args.gen_dir)
    from spasm.testing.v1 import echo_pb2  # noqa: E402  (generated into --gen-dir by run.sh)

    checker = Checker(args.name)
    with grpc.insecure_channel(args.target) as channel:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
        check_echo_bytes(channel, checker)
        if args.all_rpcs:
            check_all_rpcs(channel, checker, echo_pb2)
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
