// Reference server for bench/grpc: spasm.testing.v1.EchoService on Debian's C++ gRPC,
// callback API, insecure credentials, loopback only.
//
//   echo_server [PORT] [--sync]     (default 50063; listens on 127.0.0.1:PORT)
//
// Default: the callback API, whose handlers run on gRPC's own executor threads (sized by gRPC from
// the number of cores). --sync: the synchronous API with one completion queue per core and gRPC's
// dynamic thread pool. SIGINT/SIGTERM shut the server down.
//
// Echo answers with the request's message and payload only (plus fail_with_code as a status),
// so the benchmark's response bytes are the same as the .NET servers' for the same request.

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "spasm/testing/v1/echo.grpc.pb.h"

namespace v1 = spasm::testing::v1;

namespace {

// A request with fail_with_code set fails with that code and its message as the detail.
// Codes outside 1..16 are reported as UNKNOWN rather than sent as an invalid status.
grpc::Status FailureFor(const v1::EchoRequest& request) {
  const int code = request.fail_with_code();
  if (code < 1 || code > 16) {
    return grpc::Status(grpc::StatusCode::UNKNOWN, request.message());
  }
  return grpc::Status(static_cast<grpc::StatusCode>(code), request.message());
}

void FillResponse(const v1::EchoRequest& request, int index, v1::EchoResponse* response) {
  response->set_message(request.message());
  response->set_payload(request.payload());
  response->set_index(index);
}

// Expand: `repeat` responses, each after `delay_ms` (timed with a callback alarm so no
// executor thread sleeps).
class ExpandReactor final : public grpc::ServerWriteReactor<v1::EchoResponse> {
 public:
  explicit ExpandReactor(const v1::EchoRequest& request) : request_(request) {
    if (request_.fail_with_code() != 0) {
      Finish(FailureFor(request_));
      return;
    }
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client"));
      return;
    }
    ++index_;
    Next();
  }

  void OnCancel() override {
    bool cancel_alarm = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
      cancel_alarm = waiting_;
    }
    if (cancel_alarm) {
      alarm_.Cancel();  // the alarm's callback then runs with fired == false and finishes
    }
  }

  void OnDone() override { delete this; }

 private:
  void Next() {
    if (index_ >= request_.repeat()) {
      Finish(grpc::Status::OK);
      return;
    }
    if (request_.delay_ms() <= 0) {
      Send();
      return;
    }
    bool cancelled = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled = cancelled_;
      waiting_ = !cancelled;
    }
    if (cancelled) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      return;
    }
    const auto due = std::chrono::system_clock::now() + std::chrono::milliseconds(request_.delay_ms());
    alarm_.Set(due, [this](bool fired) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        waiting_ = false;
      }
      if (fired) {
        Send();
      } else {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      }
    });
  }

  void Send() {
    FillResponse(request_, index_, &response_);
    StartWrite(&response_);
  }

  const v1::EchoRequest request_;
  v1::EchoResponse response_;
  int index_ = 0;
  grpc::Alarm alarm_;
  std::mutex mu_;
  bool waiting_ = false;
  bool cancelled_ = false;
};

// Collect: concatenates every request message; `index` is the number of requests read.
class CollectReactor final : public grpc::ServerReadReactor<v1::EchoRequest> {
 public:
  explicit CollectReactor(v1::EchoResponse* response) : response_(response) { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // end of the client's stream (or a broken call, which Finish then ends too)
      response_->set_index(count_);
      Finish(grpc::Status::OK);
      return;
    }
    if (request_.fail_with_code() != 0) {
      Finish(FailureFor(request_));
      return;
    }
    response_->mutable_message()->append(request_.message());
    response_->mutable_payload()->append(request_.payload());
    ++count_;
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  v1::EchoResponse* const response_;
  v1::EchoRequest request_;
  int count_ = 0;
};

// Chat: answers each request as it arrives, numbering the answers.
class ChatReactor final : public grpc::ServerBidiReactor<v1::EchoRequest, v1::EchoResponse> {
 public:
  ChatReactor() { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    if (request_.fail_with_code() != 0) {
      Finish(FailureFor(request_));
      return;
    }
    FillResponse(request_, index_++, &response_);
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client"));
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  v1::EchoRequest request_;
  v1::EchoResponse response_;
  int index_ = 0;
};

class EchoService final : public v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const v1::EchoRequest* request,
                                 v1::EchoResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->fail_with_code() != 0) {
      reactor->Finish(FailureFor(*request));
      return reactor;
    }
    response->set_message(request->message());
    response->set_payload(request->payload());
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerWriteReactor<v1::EchoResponse>* Expand(grpc::CallbackServerContext* /*context*/,
                                                     const v1::EchoRequest* request) override {
    return new ExpandReactor(*request);
  }

  grpc::ServerReadReactor<v1::EchoRequest>* Collect(grpc::CallbackServerContext* /*context*/,
                                                    v1::EchoResponse* response) override {
    return new CollectReactor(response);
  }

  grpc::ServerBidiReactor<v1::EchoRequest, v1::EchoResponse>* Chat(
      grpc::CallbackServerContext* /*context*/) override {
    return new ChatReactor();
  }
};

// The same service on the synchronous API: gRPC's thread pool runs each handler to completion.
class SyncEchoService final : public v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext* /*context*/, const v1::EchoRequest* request,
                    v1::EchoResponse* response) override {
    if (request->fail_with_code() != 0) {
      return FailureFor(*request);
    }
    response->set_message(request->message());
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }

  grpc::Status Expand(grpc::ServerContext* context, const v1::EchoRequest* request,
                      grpc::ServerWriter<v1::EchoResponse>* writer) override {
    if (request->fail_with_code() != 0) {
      return FailureFor(*request);
    }
    v1::EchoResponse response;
    for (int index = 0; index < request->repeat(); ++index) {
      if (request->delay_ms() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(request->delay_ms()));
      }
      if (context->IsCancelled()) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
      }
      FillResponse(*request, index, &response);
      if (!writer->Write(response)) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client");
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status Collect(grpc::ServerContext* /*context*/, grpc::ServerReader<v1::EchoRequest>* reader,
                       v1::EchoResponse* response) override {
    v1::EchoRequest request;
    int count = 0;
    while (reader->Read(&request)) {
      if (request.fail_with_code() != 0) {
        return FailureFor(request);
      }
      response->mutable_message()->append(request.message());
      response->mutable_payload()->append(request.payload());
      ++count;
    }
    response->set_index(count);
    return grpc::Status::OK;
  }

  grpc::Status Chat(grpc::ServerContext* /*context*/,
                    grpc::ServerReaderWriter<v1::EchoResponse, v1::EchoRequest>* stream) override {
    v1::EchoRequest request;
    v1::EchoResponse response;
    int index = 0;
    while (stream->Read(&request)) {
      if (request.fail_with_code() != 0) {
        return FailureFor(request);
      }
      FillResponse(request, index++, &response);
      if (!stream->Write(response)) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client");
      }
    }
    return grpc::Status::OK;
  }
};

[[noreturn]] void Usage(const char* program) {
  std::cerr << "usage: " << program << " [PORT] [--sync]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 50063;
  bool sync_api = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--sync") {
      sync_api = true;
    } else {
      port = std::atoi(arg.c_str());
      if (port <= 0 || port > 65535) {
        Usage(argv[0]);
      }
    }
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);

  // Block the shutdown signals before gRPC starts its threads so that they inherit the mask
  // and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  grpc::EnableDefaultHealthCheckService(false);
  EchoService callback_service;
  SyncEchoService sync_service;
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &bound_port);
  if (sync_api) {
    // One completion queue per core, each polled by at least one thread of gRPC's pool.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, cores);
    builder.RegisterService(&sync_service);
  } else {
    builder.RegisterService(&callback_service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::cerr << "could not listen on " << address << "\n";
    return 1;
  }
  std::cout << "echo_server (C++ gRPC " << grpc::Version() << ", " << (sync_api ? "sync" : "callback")
            << " API) listening on " << address << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}
