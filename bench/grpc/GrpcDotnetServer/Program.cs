// bench/grpc: EchoService served by grpc-dotnet, configured exactly like the Kestrel ceiling
// (h2c on loopback, HTTP/2 only, no logging providers, no Server header) so that the difference
// between the two is grpc-dotnet.
//
//   dotnet GrpcDotnetServer.dll --port 50062
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SpasmPlatform.Bench.GrpcDotnetServer;

var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration.GetValue("port", 50062);

builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
});
// grpc-dotnet's defaults: no interceptors, no compression, 4 MB receive limit. The services add their own
// interceptors on top; this measures the transport they all share.
builder.Services.AddGrpc();
// One instance for every call, as the platform's services register theirs (AddSingleton in each Extensions.cs).
builder.Services.AddSingleton<EchoBenchService>();

var app = builder.Build();
app.MapGrpcService<EchoBenchService>();
// Allocation and GC counters for run.sh (bytes allocated per request). A GET, so the gRPC POST routes never match it.
app.MapGet("/_bench/gc", context => context.Response.WriteAsync(
    $"{GC.GetTotalAllocatedBytes(precise: true)} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}"));
Console.WriteLine($"GrpcDotnetServer listening on 127.0.0.1:{port} (h2c)");
app.Run();
