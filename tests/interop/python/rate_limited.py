#!/usr/bin/python3
"""Python grpcio against our grpc-dotnet server with the platform's caller rate limiting (one permit a second, burst 2).

Usage: /usr/bin/python3 rate_limited.py HOST:PORT
Checks that calls beyond the burst end with RESOURCE_EXHAUSTED carrying a google.rpc.RetryInfo, that health is still
served meanwhile, and that a call succeeds again after the delay. Exits 0 on success, 1 with the reason on failure.
"""

import sys
import time

from client import CALL_TIMEOUT, HEALTH, Client, Failure, check, metadata_values
from interop_protos import Protos, decode_status_details, deserializer, serializer

import grpc


def run(c):
    refused = None
    for _ in range(20):
        try:
            c.echo(c.request(message="hi"), timeout=CALL_TIMEOUT)
        except grpc.RpcError as error:
            refused = error
            break
    check(refused is not None, "20 calls in a row all succeeded; nothing was limited")
    check(refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED,
          "expected RESOURCE_EXHAUSTED, got %s: %r" % (refused.code(), refused.details()))
    check("retry after" in refused.details(), "grpc-message %r does not say when to retry" % refused.details())
    raw = metadata_values(refused.trailing_metadata(), "grpc-status-details-bin")
    check(len(raw) == 1, "expected one grpc-status-details-bin, got %r" % (refused.trailing_metadata(),))
    status, details = decode_status_details(c.protos, raw[0])
    check(status.code == 8, "google.rpc.Status.code is %d" % status.code)
    retry = [d for (url, d) in details if url == "type.googleapis.com/google.rpc.RetryInfo"]
    check(len(retry) == 1, "expected a RetryInfo detail, got %r" % details)
    delay = retry[0].retry_delay.seconds + retry[0].retry_delay.nanos / 1e9
    check(delay > 0, "retry delay %r" % delay)

    health = c.channel.unary_unary(HEALTH + "Check", serializer,
                                   deserializer(c.protos["grpc.health.v1.HealthCheckResponse"]))
    for _ in range(10):
        reply = health(c.protos["grpc.health.v1.HealthCheckRequest"](), timeout=CALL_TIMEOUT)
        check(reply.status == 1, "health answered %r while the caller was limited" % reply.status)

    time.sleep(delay)
    c.echo(c.request(message="again"), timeout=CALL_TIMEOUT)


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    client = Client(argv[1], Protos())
    try:
        grpc.channel_ready_future(client.channel).result(timeout=CALL_TIMEOUT)
        run(client)
    except Failure as failure:
        print("FAIL rate_limited: %s" % failure)
        return 1
    except grpc.RpcError as error:
        print("FAIL rate_limited: unexpected RPC error %s: %r" % (error.code(), error.details()))
        return 1
    finally:
        client.channel.close()
    print("PASS rate_limited")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
