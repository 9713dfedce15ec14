#!/usr/bin/env node
// grpc-js client for the interop tests of tests/SpasmPlatform.Grpc.Tests (our grpc-dotnet server).
//
// Usage: node client.js SCENARIO HOST:PORT   |   node client.js setup-check
// Runs one scenario against a server hosting spasm.testing.v1.EchoService, grpc.health.v1.Health and
// server reflection, using proto-loader on the repository's .proto files (and the standard grpc.* ones kept here). Exits 0 on success; prints the
// reason and exits 1 on failure, 2 on bad usage or a machine that lacks what the script needs.
'use strict';

const path = require('path');

let grpc;
let protoLoader;
let protobuf;
let descriptorExt;
try {
  grpc = require('@grpc/grpc-js');
  protoLoader = require('@grpc/proto-loader');
  protobuf = require('protobufjs');
  descriptorExt = require('protobufjs/ext/descriptor');
} catch (error) {
  console.log(`SETUP: cannot load the npm packages (${error.message}): run \`npm ci\` in ${__dirname}`);
  process.exit(2);
}

const REPO = path.resolve(__dirname, '..', '..', '..');
const PROTO_ROOT = path.join(REPO, 'protos');
const RPC_PROTO_ROOT = path.join(REPO, 'tests', 'interop', 'protos');
const CALL_TIMEOUT_MS = 10000;
const IDLE_MS = 6500;
const Status = grpc.status;

class Failure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new Failure(message);
  }
}

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function loadProtos() {
  const definition = protoLoader.loadSync(
    [
      'spasm/testing/v1/echo.proto',
      'grpc/health/v1/health.proto',
      'grpc/reflection/v1alpha/reflection.proto',
      'grpc/reflection/v1/reflection.proto',
    ],
    { includeDirs: [PROTO_ROOT, RPC_PROTO_ROOT], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true },
  );
  const packages = grpc.loadPackageDefinition(definition);

  // google.rpc.Status and BadRequest, to decode grpc-status-details-bin.
  const rpcRoot = new protobuf.Root();
  rpcRoot.resolvePath = (origin, target) => (target.startsWith('google/protobuf/')
    ? target // protobufjs bundles the well-known types
    : path.join(RPC_PROTO_ROOT, target));
  rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  rpcRoot.resolveAll();
  return { packages, rpcRoot };
}

// ------------------------------------------------------------------------------------------ call helpers

function unary(client, method, request, { metadata = new grpc.Metadata(), deadline = deadlineIn(CALL_TIMEOUT_MS), options = {} } = {}) {
  // Resolves once both the callback (result) and the status event (trailers) have come, in whichever order.
  return new Promise((resolve) => {
    let headers = null;
    let result = null;
    let trailers = null;
    const settle = () => {
      if (result && trailers) {
        resolve({ ...result, headers, trailers });
      }
    };
    const call = client[method](request, metadata, { deadline, ...options }, (error, response) => {
      result = { error, response };
      settle();
    });
    call.on('metadata', (md) => { headers = md; });
    call.on('status', (status) => {
      trailers = status.metadata;
      settle();
    });
  });
}

function collectStream(call) {
  return new Promise((resolve) => {
    const messages = [];
    let error = null;
    call.on('data', (m) => messages.push(m));
    call.on('error', (e) => { error = e; });
    call.on('status', (status) => resolve({ messages, error, status }));
  });
}

function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const onData = (m) => { cleanup(); resolve(m); };
    const onError = (e) => { cleanup(); reject(e); };
    const onEnd = () => { cleanup(); reject(new Failure('stream ended while a message was expected')); };
    function cleanup() {
      call.removeListener('data', onData);
      call.removeListener('error', onError);
      call.removeListener('end', onEnd);
    }
    call.on('data', onData);
    call.on('error', onError);
    call.on('end', onEnd);
  });
}

function expectCode(error, code, what) {
  check(error, `${what}: expected status ${code}, but the call succeeded`);
  check(error.code === code, `${what}: expected status ${code}, got ${error.code}: ${JSON.stringify(error.details)}`);
}

function values(metadata, key) {
  return metadata ? metadata.get(key) : [];
}

// --------------------------------------------------------------------------------------------- scenarios

const scenarios = {
  async unary(ctx) {
    const payload = Buffer.alloc(1024, 0).map((_, i) => i % 256);
    const { error, response } = await unary(ctx.echo, 'Echo', { message: 'hello from grpc-js', payload });
    check(!error, `call failed: ${error && error.message}`);
    check(response.message === 'hello from grpc-js', `unexpected message ${JSON.stringify(response.message)}`);
    check(Buffer.compare(response.payload, payload) === 0, `payload did not round-trip (${response.payload.length} bytes back)`);
    check(response.index === 0, `unexpected index ${response.index}`);
  },

  async large_payload(ctx) {
    // 3 MiB each way: many DATA frames and flow-control window updates, under the 4 MiB default limit.
    const payload = Buffer.alloc(3 * 1024 * 1024).map((_, i) => (i * 7) % 251);
    const { error, response } = await unary(ctx.echo, 'Echo', { message: 'large', payload });
    check(!error, `call failed: ${error && error.message}`);
    check(Buffer.compare(response.payload, payload) === 0, `3 MiB payload did not round-trip (${response.payload.length} bytes back)`);
  },

  async server_streaming(ctx) {
    const { messages, error } = await collectStream(ctx.echo.Expand({ message: 'tick', repeat: 5 }, { deadline: deadlineIn(CALL_TIMEOUT_MS) }));
    check(!error, `stream failed: ${error && error.message}`);
    check(messages.length === 5, `expected 5 messages, got ${messages.length}`);
    messages.forEach((m, i) => check(m.index === i && m.message === 'tick', `message ${i} was ${JSON.stringify(m)}`));
    // Many messages with payloads: the server's writes must respect HTTP/2 flow control and stay in order.
    const many = await collectStream(ctx.echo.Expand({ message: 'many', repeat: 1000, payload: Buffer.alloc(1024) }, { deadline: deadlineIn(CALL_TIMEOUT_MS) }));
    check(!many.error, `1000-message stream failed: ${many.error && many.error.message}`);
    check(many.messages.length === 1000 && many.messages.every((m, i) => m.index === i),
      `1000-message stream arrived as ${many.messages.length} messages`);
  },

  async client_streaming(ctx) {
    const parts = ['alpha', 'beta', 'gamma', 'delta'];
    const response = await new Promise((resolve, reject) => {
      const call = ctx.echo.Collect({ deadline: deadlineIn(CALL_TIMEOUT_MS) }, (error, reply) => (error ? reject(error) : resolve(reply)));
      parts.forEach((p) => call.write({ message: p, payload: Buffer.from(p) }));
      call.end();
    });
    check(response.message === parts.join(''), `unexpected concatenation ${JSON.stringify(response.message)}`);
    check(response.payload.toString() === parts.join(''), `unexpected payload ${response.payload.toString()}`);
    check(response.index === parts.length, `server counted ${response.index} messages, sent ${parts.length}`);
    // No request at all: the answer has only default fields, so it travels as a zero-length message.
    const empty = await new Promise((resolve, reject) => {
      const call = ctx.echo.Collect({ deadline: deadlineIn(CALL_TIMEOUT_MS) }, (error, reply) => (error ? reject(error) : resolve(reply)));
      call.end();
    });
    check(empty.message === '' && empty.payload.length === 0 && empty.index === 0 && empty.deadline_remaining_ms === 0,
      `empty stream answered ${JSON.stringify(empty)}`);
  },

  async bidi(ctx) {
    const call = ctx.echo.Chat({ deadline: deadlineIn(CALL_TIMEOUT_MS) });
    const done = collectStream(call);
    for (let i = 0; i < 5; i += 1) {
      // The next request is only written after the previous answer arrived: the exchange is interleaved.
      const reply = nextMessage(call);
      call.write({ message: `turn-${i}` });
      const m = await reply;
      check(m.message === `turn-${i}` && m.index === i, `turn ${i} answered with ${JSON.stringify(m)}`);
    }
    call.end();
    const { error, status } = await done;
    check(!error && status.code === Status.OK, `call ended with ${status.code}: ${status.details}`);
  },

  async bidi_idle(ctx) {
    // A chat that goes quiet for longer than Kestrel's 5 s grace period for request-body data rates: a
    // server that left that limit on for streaming requests would abort the call while it idles.
    const call = ctx.echo.Chat({ deadline: deadlineIn(CALL_TIMEOUT_MS + IDLE_MS) });
    const done = collectStream(call);
    let reply = nextMessage(call);
    call.write({ message: 'before' });
    check((await reply).message === 'before', 'first answer wrong');
    // The idle period is the stimulus under test, not a wait for a condition.
    await new Promise((resolve) => { setTimeout(resolve, IDLE_MS); });
    reply = nextMessage(call);
    call.write({ message: 'after' });
    check((await reply).message === 'after', 'answer after the idle period wrong');
    call.end();
    const { error, status } = await done;
    check(!error && status.code === Status.OK, `call ended with ${status.code}: ${status.details}`);
  },

  async error_details(ctx) {
    const text = 'bad request: 100% wrong, ünïcode ✓';
    const { error } = await unary(ctx.echo, 'Echo', { message: text, fail_with_code: 3 });
    expectCode(error, Status.INVALID_ARGUMENT, 'Echo');
    check(error.details === text, `grpc-message decoded as ${JSON.stringify(error.details)}, sent ${JSON.stringify(text)}`);
    const raw = values(error.metadata, 'grpc-status-details-bin');
    check(raw.length === 1 && Buffer.isBuffer(raw[0]), `expected one binary grpc-status-details-bin trailer, got ${JSON.stringify(error.metadata.getMap())}`);
    const status = ctx.rpcRoot.lookupType('google.rpc.Status').decode(raw[0]);
    check(status.code === 3, `google.rpc.Status.code is ${status.code}`);
    check(status.message === text, `google.rpc.Status.message is ${JSON.stringify(status.message)}`);
    check(status.details.length === 1, `expected one detail, got ${status.details.length}`);
    const detail = status.details[0];
    check(detail.type_url === 'type.googleapis.com/google.rpc.BadRequest', `detail type ${detail.type_url}`);
    const badRequest = ctx.rpcRoot.lookupType('google.rpc.BadRequest').decode(detail.value);
    const violations = badRequest.field_violations.map((v) => `${v.field}: ${v.description}`);
    check(JSON.stringify(violations) === JSON.stringify(['message: must not be empty', 'repeat: must be between 1 and 100']),
      `field violations ${JSON.stringify(violations)}`);
  },

  async failure_trailer(ctx) {
    // Trailers-only response: the status and the handler's trailer come in the only HEADERS frame.
    const { error } = await unary(ctx.echo, 'Echo', { message: 'no such thing', fail_with_code: 5 });
    expectCode(error, Status.NOT_FOUND, 'Echo');
    check(error.details === 'no such thing', `details ${JSON.stringify(error.details)}`);
    check(JSON.stringify(values(error.metadata, 'failure-reason')) === '["requested"]',
      `failure-reason trailer missing: ${JSON.stringify(error.metadata.getMap())}`);
    check(values(error.metadata, 'grpc-status-details-bin').length === 0, 'unexpected rich details');

    // After messages: the status comes in real trailers.
    const stream = await collectStream(ctx.echo.Expand({ message: 'partial', repeat: 2, fail_with_code: 9 }, { deadline: deadlineIn(CALL_TIMEOUT_MS) }));
    expectCode(stream.error, Status.FAILED_PRECONDITION, 'Expand');
    check(stream.messages.length === 2, `expected 2 messages before the failure, got ${stream.messages.length}`);
    check(JSON.stringify(values(stream.error.metadata, 'failure-reason')) === '["requested"]',
      `failure-reason trailer missing after messages: ${JSON.stringify(stream.error.metadata.getMap())}`);
  },

  async unknown_exception(ctx) {
    const { error, trailers } = await unary(ctx.echo, 'Echo', { message: 'boom', throw_exception: true });
    expectCode(error, Status.UNKNOWN, 'Echo');
    for (const secret of ['hunter2', 'Password', 'InvalidOperationException', 'secret internal detail']) {
      check(!error.details.includes(secret), `status message leaks ${secret}: ${JSON.stringify(error.details)}`);
    }
    const all = JSON.stringify(Object.entries(trailers.getMap()).map(([k, v]) => [k, v.toString()]));
    check(!all.includes('hunter2'), `trailers leak the secret: ${all}`);
  },

  async deadline(ctx) {
    // The server must see the deadline the client set (grpc-js may round the grpc-timeout it sends up)...
    let result = await unary(ctx.echo, 'Echo', { message: 'deadline' }, { deadline: deadlineIn(5000) });
    check(!result.error, `call failed: ${result.error && result.error.message}`);
    check(result.response.deadline_remaining_ms > 3000 && result.response.deadline_remaining_ms <= 5500,
      `server saw ${result.response.deadline_remaining_ms} ms left of a 5 s deadline`);
    result = await unary(ctx.echo, 'Echo', { message: 'no deadline' }, { deadline: Infinity });
    check(!result.error, `call failed: ${result.error && result.error.message}`);
    check(result.response.deadline_remaining_ms === -1, `server saw a deadline that was never set: ${result.response.deadline_remaining_ms}`);

    // ...and a handler that overruns it must not keep the client waiting.
    const started = Date.now();
    result = await unary(ctx.echo, 'Echo', { message: 'slow', delay_ms: 5000 }, { deadline: deadlineIn(300) });
    const elapsed = Date.now() - started;
    expectCode(result.error, Status.DEADLINE_EXCEEDED, 'Echo');
    check(elapsed < 3000, `DEADLINE_EXCEEDED took ${elapsed} ms for a 300 ms deadline`);
    console.log(`deadline exceeded after ${elapsed} ms: ${result.error.details}`);

    // A stream that outlives its deadline ends with DEADLINE_EXCEEDED after the messages sent in time
    // (a message every 0.1 s; the deadline leaves room for a cold or busy server to send the first ones).
    const streamStarted = Date.now();
    const stream = await collectStream(ctx.echo.Expand({ message: 'stream', repeat: 50, delay_ms: 100 }, { deadline: deadlineIn(1500) }));
    const streamElapsed = Date.now() - streamStarted;
    expectCode(stream.error, Status.DEADLINE_EXCEEDED, 'Expand');
    check(streamElapsed < 3500, `streaming DEADLINE_EXCEEDED took ${streamElapsed} ms for a 1500 ms deadline`);
    check(stream.messages.length >= 1 && stream.messages.length < 50, `received ${stream.messages.length} messages before the deadline`);
  },

  async cancellation(ctx) {
    // Expand writes its one message and then waits for cancellation, so the first message proves the
    // handler is running when the client cancels.
    const call = ctx.echo.Expand({ message: 'wait', repeat: 1, wait_for_cancellation: true }, { deadline: deadlineIn(CALL_TIMEOUT_MS) });
    const done = collectStream(call);
    const first = await nextMessage(call);
    check(first.message === 'wait', `first message ${JSON.stringify(first)}`);
    call.cancel();
    const { error, messages } = await done;
    expectCode(error, Status.CANCELLED, 'Expand');
    check(messages.length === 1, `received ${messages.length - 1} messages after cancelling`);
    console.log('cancelled');
  },

  async metadata(ctx) {
    const binary = Buffer.alloc(256).map((_, i) => i);
    const sent = new grpc.Metadata();
    sent.add('x-text', 'hello interop');
    sent.add('x-multi', 'one');
    sent.add('x-multi', 'two');
    sent.add('x-data-bin', binary);
    const { error, headers, trailers } = await unary(ctx.echo, 'Echo', { message: 'metadata', echo_metadata: true }, { metadata: sent });
    check(!error, `call failed: ${error && error.message}`);
    // Node's HTTP/2 joins repeated headers with ", ": compare the list of values, not its spelling.
    const text = (md, key) => values(md, key).join(',').split(',').map((v) => v.trim()).join(',');
    check(text(headers, 'x-text') === 'hello interop', `x-text header: ${JSON.stringify(headers && headers.getMap())}`);
    check(text(headers, 'x-multi') === 'one,two', `x-multi header: ${JSON.stringify(headers && headers.getMap())}`);
    const dataHeader = values(headers, 'x-data-bin');
    check(dataHeader.length === 1 && Buffer.compare(dataHeader[0], binary) === 0, `x-data-bin header: ${JSON.stringify(dataHeader)}`);
    check(text(trailers, 'x-text-trailer') === 'hello interop', `x-text-trailer: ${JSON.stringify(trailers.getMap())}`);
    check(text(trailers, 'x-multi-trailer') === 'one,two', `x-multi-trailer: ${JSON.stringify(trailers.getMap())}`);
    const dataTrailer = values(trailers, 'x-data-bin');
    check(dataTrailer.length === 1 && Buffer.compare(dataTrailer[0], binary) === 0, `x-data-bin trailer: ${JSON.stringify(dataTrailer)}`);
  },

  async metadata_empty_bin(ctx) {
    // Empty bytes are a legal binary value; on the wire they are an empty header value. The server must take the
    // call and echo the rest; ASP.NET Core writes no empty header value, so the empty entry may come back or not,
    // but never as anything other than empty bytes.
    const sent = new grpc.Metadata();
    sent.add('x-empty-bin', Buffer.alloc(0));
    sent.add('x-marker', 'present');
    const { error, headers, trailers } = await unary(ctx.echo, 'Echo', { message: 'empty', echo_metadata: true }, { metadata: sent });
    check(!error, `call failed: ${error && error.message}`);
    check(values(headers, 'x-marker').join(',') === 'present', `x-marker header: ${JSON.stringify(headers && headers.getMap())}`);
    check(values(trailers, 'x-marker-trailer').join(',') === 'present', `x-marker-trailer: ${JSON.stringify(trailers.getMap())}`);
    for (const [where, metadata] of [['headers', headers], ['trailers', trailers]]) {
      const echoed = values(metadata, 'x-empty-bin');
      check(echoed.every((v) => v.length === 0) && echoed.length <= 1, `x-empty-bin came back mangled in the ${where}: ${JSON.stringify(metadata.getMap())}`);
    }
  },

  async compression(ctx) {
    const payload = Buffer.from('compress me, '.repeat(8192));
    // Channel-wide gzip (grpc.default_compression_algorithm 2 = gzip): requests are compressed; the server
    // (configured to) compresses its answers.
    const EchoService = ctx.packages.spasm.testing.v1.EchoService;
    const gzip = new EchoService(ctx.target, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      const { error, response } = await unary(gzip, 'Echo', { message: 'gzip', payload });
      check(!error, `gzip call failed: ${error && error.message}`);
      check(Buffer.compare(response.payload, payload) === 0, `gzip payload did not round-trip (${response.payload.length} bytes back)`);
      const reply = await new Promise((resolve, reject) => {
        const call = gzip.Collect({ deadline: deadlineIn(CALL_TIMEOUT_MS) }, (e, r) => (e ? reject(e) : resolve(r)));
        for (let i = 0; i < 3; i += 1) {
          call.write({ message: `part-${i}`, payload });
        }
        call.end();
      });
      check(reply.index === 3 && Buffer.compare(reply.payload, Buffer.concat([payload, payload, payload])) === 0,
        `collect under gzip returned ${reply.index} messages`);
    } finally {
      gzip.close();
    }
    // deflate (zlib format in gRPC, algorithm 1) on a bidi call.
    const deflate = new EchoService(ctx.target, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 1 });
    try {
      const call = deflate.Chat({ deadline: deadlineIn(CALL_TIMEOUT_MS) });
      const done = collectStream(call);
      call.write({ message: 'chat-0', payload });
      call.write({ message: 'chat-1', payload });
      call.end();
      const { messages, error } = await done;
      check(!error, `chat under deflate failed: ${error && error.message}`);
      check(messages.length === 2 && messages.every((m) => Buffer.compare(m.payload, payload) === 0),
        `chat under deflate returned ${messages.length} messages`);
    } finally {
      deflate.close();
    }
  },

  async unimplemented(ctx) {
    const { Client } = grpc;
    const raw = new Client(ctx.target, grpc.credentials.createInsecure());
    try {
      const EchoRequest = ctx.packages.spasm.testing.v1.EchoService.service.Echo;
      for (const method of ['/spasm.testing.v1.EchoService/NoSuchMethod', '/no.such.Service/Echo']) {
        const error = await new Promise((resolve) => {
          raw.makeUnaryRequest(method, EchoRequest.requestSerialize, EchoRequest.responseDeserialize, { message: 'x' },
            new grpc.Metadata(), { deadline: deadlineIn(CALL_TIMEOUT_MS) }, (e) => resolve(e));
        });
        expectCode(error, Status.UNIMPLEMENTED, method);
      }
    } finally {
      raw.close();
    }
  },

  async too_large(ctx) {
    // Over the server's 4 MiB receive limit: refused with RESOURCE_EXHAUSTED, and the channel stays usable.
    const { error } = await unary(ctx.echo, 'Echo', { message: 'huge', payload: Buffer.alloc(5 * 1024 * 1024) });
    expectCode(error, Status.RESOURCE_EXHAUSTED, 'Echo');
    const after = await unary(ctx.echo, 'Echo', { message: 'after' });
    check(!after.error && after.response.message === 'after', `call after the refused one: ${after.error && after.error.message}`);
  },

  async concurrent(ctx) {
    // Many calls multiplexed on one HTTP/2 connection, unary and streaming at once.
    const unaryCalls = Array.from({ length: 50 }, (_, i) => unary(ctx.echo, 'Echo', { message: `u-${i}`, delay_ms: 50 }));
    const streams = Array.from({ length: 5 }, (_, i) => collectStream(ctx.echo.Expand({ message: `s-${i}`, repeat: 20 }, { deadline: deadlineIn(CALL_TIMEOUT_MS) })));
    (await Promise.all(streams)).forEach(({ messages, error }, i) => {
      check(!error && messages.length === 20 && messages.every((m) => m.message === `s-${i}`), `stream ${i} returned ${messages.length} messages, error ${error && error.message}`);
    });
    (await Promise.all(unaryCalls)).forEach(({ error, response }, i) => {
      check(!error && response.message === `u-${i}`, `call ${i}: ${error ? error.message : response.message}`);
    });
  },

  async health_check(ctx) {
    const health = new ctx.packages.grpc.health.v1.Health(ctx.target, grpc.credentials.createInsecure());
    try {
      for (const service of ['', 'spasm.testing.v1.EchoService']) {
        const { error, response } = await unary(health, 'Check', { service });
        check(!error, `Check(${JSON.stringify(service)}) failed: ${error && error.message}`);
        check(response.status === 'SERVING', `Check(${JSON.stringify(service)}) returned ${response.status}`);
      }
      const { error } = await unary(health, 'Check', { service: 'no.such.Service' });
      expectCode(error, Status.NOT_FOUND, 'Check(no.such.Service)');
    } finally {
      health.close();
    }
  },

  async health_watch(ctx) {
    const health = new ctx.packages.grpc.health.v1.Health(ctx.target, grpc.credentials.createInsecure());
    try {
      for (const [service, expected] of [['', 'SERVING'], ['no.such.Service', 'SERVICE_UNKNOWN']]) {
        const call = health.Watch({ service }, { deadline: deadlineIn(CALL_TIMEOUT_MS) });
        const done = collectStream(call);
        const first = await nextMessage(call);
        call.cancel();
        await done;
        check(first.status === expected, `first Watch(${JSON.stringify(service)}) message was ${first.status}, expected ${expected}`);
      }
    } finally {
      health.close();
    }
  },

  reflection_v1alpha: (ctx) => reflection(ctx, 'v1alpha'),
  reflection_v1: (ctx) => reflection(ctx, 'v1'),
};

async function reflection(ctx, version) {
  const Reflection = ctx.packages.grpc.reflection[version].ServerReflection;
  const client = new Reflection(ctx.target, grpc.credentials.createInsecure());
  try {
    const requests = [
      { list_services: '' },
      { file_containing_symbol: 'spasm.testing.v1.EchoService' },
      { file_containing_symbol: 'spasm.testing.v1.EchoService.Chat' },
      { file_containing_symbol: 'no.such.Symbol' },
    ];
    const call = client.ServerReflectionInfo({ deadline: deadlineIn(CALL_TIMEOUT_MS) });
    const done = collectStream(call);
    requests.forEach((r) => call.write(r));
    call.end();
    const { messages, error } = await done;
    check(!error, `reflection stream failed: ${error && error.message}`);
    check(messages.length === requests.length, `expected ${requests.length} answers, got ${messages.length}`);

    const services = messages[0].list_services_response.service.map((s) => s.name);
    for (const name of ['spasm.testing.v1.EchoService', 'grpc.health.v1.Health']) {
      check(services.includes(name), `list_services lacks ${name}: ${JSON.stringify(services)}`);
    }

    for (const reply of messages.slice(1, 3)) {
      check(reply.message_response === 'file_descriptor_response', `answer was ${reply.message_response}: ${JSON.stringify(reply)}`);
      const files = reply.file_descriptor_response.file_descriptor_proto.map((raw) => descriptorExt.FileDescriptorProto.decode(raw));
      const names = files.map((f) => f.name);
      check(names.includes('spasm/testing/v1/echo.proto'), `files returned: ${JSON.stringify(names)}`);
      // The files must be complete enough to build working definitions from nothing but them.
      const root = protobuf.Root.fromDescriptor({ file: files });
      root.resolveAll();
      const service = root.lookupService('spasm.testing.v1.EchoService');
      const chat = service.methods.Chat;
      check(chat && chat.requestStream && chat.responseStream, 'Chat is not reflected as bidi streaming');
      check(chat.resolvedRequestType.fullName === '.spasm.testing.v1.EchoRequest', `Chat takes ${chat.resolvedRequestType.fullName}`);
      const field = root.lookupType('spasm.testing.v1.EchoRequest').fields.wait_for_cancellation;
      check(field && field.id === 7, `EchoRequest.wait_for_cancellation as reflected: ${JSON.stringify(field)}`);
    }

    const missing = messages[3];
    check(missing.message_response === 'error_response', `unknown symbol answered with ${missing.message_response}`);
    check(missing.error_response.error_code === Status.NOT_FOUND, `unknown symbol error code ${missing.error_response.error_code}`);
  } finally {
    client.close();
  }
}

async function main(argv) {
  if (argv.length === 1 && argv[0] === 'setup-check') {
    loadProtos();
    console.log(`grpc-js ${require('@grpc/grpc-js/package.json').version} ready`);
    return 0;
  }
  if (argv.length === 1 && argv[0] === 'list') {
    console.log(Object.keys(scenarios).join('\n'));
    return 0;
  }
  const [scenario, target] = argv;
  if (argv.length !== 2 || !Object.prototype.hasOwnProperty.call(scenarios, scenario)) {
    console.log(`usage: node client.js SCENARIO HOST:PORT | node client.js setup-check | node client.js list\nscenarios: ${Object.keys(scenarios).join(' ')}`);
    return 2;
  }
  const { packages, rpcRoot } = loadProtos();
  const echo = new packages.spasm.testing.v1.EchoService(target, grpc.credentials.createInsecure());
  try {
    await scenarios[scenario]({ target, packages, rpcRoot, echo });
  } catch (error) {
    if (error instanceof Failure) {
      console.log(`FAIL ${scenario}: ${error.message}`);
    } else {
      console.log(`FAIL ${scenario}: unexpected ${error && error.stack ? error.stack : error}`);
    }
    return 1;
  } finally {
    echo.close();
  }
  console.log(`PASS ${scenario}`);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
