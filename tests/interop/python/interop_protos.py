"""Message classes for the interop scripts, built at run time from the repository's .proto files.

protoc compiles the protos into a descriptor set in a temporary directory; the classes are then made from
those descriptors in a private pool. Nothing generated is written into the repository, and the generated
names cannot clash with the installed `grpc` and `google` Python packages.
"""

import os
import shutil
import subprocess
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PROTO_ROOTS = [
    os.path.join(REPO, "protos"),
    os.path.join(REPO, "tests", "interop", "protos"),
]
PROTO_FILES = [
    "spasm/testing/v1/echo.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1alpha/reflection.proto",
    "grpc/reflection/v1/reflection.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
]
INSTALL_HINT = "install the Debian packages protobuf-compiler and libprotobuf-dev (apt-get install -y protobuf-compiler libprotobuf-dev)"


class SetupError(Exception):
    """The machine lacks something the interop scripts need; the message says what to install."""


def _descriptor_set():
    protoc = shutil.which("protoc")
    if protoc is None:
        raise SetupError("protoc is not on PATH: " + INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="spasm-interop-") as tmp:
        out = os.path.join(tmp, "descriptors.pb")
        command = [protoc, "--include_imports", "--descriptor_set_out=" + out]
        command += ["-I" + root for root in PROTO_ROOTS]
        command += PROTO_FILES
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SetupError("protoc failed (%s): %s; %s" % (done.returncode, done.stderr.strip(), INSTALL_HINT))
        with open(out, "rb") as f:
            return descriptor_pb2.FileDescriptorSet.FromString(f.read())


def _message_class(factory, descriptor):
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is not None:
        return get_class(descriptor)
    return factory.GetPrototype(descriptor)


class Protos:
    """Message classes by full proto name, e.g. protos["spasm.testing.v1.EchoRequest"]."""

    def __init__(self):
        self.pool = descriptor_pool.DescriptorPool()
        for file in _descriptor_set().file:
            self.pool.AddSerializedFile(file.SerializeToString())
        self._factory = message_factory.MessageFactory(self.pool)
        self._classes = {}

    def __getitem__(self, full_name):
        cls = self._classes.get(full_name)
        if cls is None:
            cls = _message_class(self._factory, self.pool.FindMessageTypeByName(full_name))
            self._classes[full_name] = cls
        return cls


def serializer(message):
    return message.SerializeToString()


def deserializer(cls):
    return cls.FromString


def decode_status_details(protos, raw):
    """Decodes grpc-status-details-bin into (google.rpc.Status, [(type_url, decoded detail or None)])."""
    status = protos["google.rpc.Status"].FromString(raw)
    details = []
    for any_detail in status.details:
        type_name = any_detail.type_url.rsplit("/", 1)[-1]
        try:
            cls = protos[type_name]
        except KeyError:
            details.append((any_detail.type_url, None))
            continue
        details.append((any_detail.type_url, cls.FromString(any_detail.value)))
    return status, details
