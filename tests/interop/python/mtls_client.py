"""A clinic system written against Debian's python3-grpcio (C-core) calling a service over mutual TLS.

Usage: mtls_client.py HOST:PORT CA CERT KEY CLINIC
Prints one line per call: "<name> <status code name>".
"""
import sys

import grpc


def raw(channel, path):
    return channel.unary_unary(path, request_serializer=lambda m: m, response_deserializer=lambda b: b)


def list_request(clinic):
    encoded = clinic.encode()
    return b"\x0a" + bytes([len(encoded)]) + encoded  # ListAssessmentsRequest.clinic_id (field 1)


def status_of(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as error:
        return error.code().name


def main():
    target, ca, cert, key, clinic = sys.argv[1:6]
    read = lambda path: open(path, "rb").read()
    with grpc.secure_channel(target, grpc.ssl_channel_credentials(read(ca), read(key), read(cert))) as channel:
        print("health", status_of(lambda: raw(channel, "/grpc.health.v1.Health/Check")(b"", timeout=10)))
        listing = raw(channel, "/spasm.assessment.v1.AssessmentService/ListAssessments")
        print("own-clinic", status_of(lambda: listing(list_request(clinic), timeout=10)))
        print("other-clinic", status_of(lambda: listing(list_request(clinic + "-other"), timeout=10)))
    with grpc.secure_channel(target, grpc.ssl_channel_credentials(read(ca))) as anonymous:
        listing = raw(anonymous, "/spasm.assessment.v1.AssessmentService/ListAssessments")
        print("no-certificate", status_of(lambda: listing(list_request(clinic), timeout=10)))


if __name__ == "__main__":
    main()
