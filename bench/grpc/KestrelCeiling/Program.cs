// The ceiling for bench/grpc: what Kestrel alone costs for one unary gRPC exchange.
// It answers POST /spasm.testing.v1.EchoService/Echo on h2c with the exact bytes a gRPC server sends
// for EchoResponse{message="hello"} and the trailer grpc-status: 0, without parsing the request.
//
//   dotnet KestrelCeiling.dll --port 50061
//   dotnet KestrelCeiling.dll --port 5299 --tls-cert service.pem --tls-key service-key.pem   (HTTP/2 over TLS, asking
//   for a client certificate: bench/platform's transport ceiling for the services in mutual-TLS mode)
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration.GetValue("port", 50061);
var tlsCertificate = builder.Configuration["tls-cert"];
var tlsKey = builder.Configuration["tls-key"];

builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen =>
    {
        listen.Protocols = HttpProtocols.Http2;
        if (!string.IsNullOrEmpty(tlsCertificate))
        {
            // The handshake and record encryption are what a mutual-TLS caller pays per connection and per call; the
            // client certificate is requested and accepted, not checked against a CA (the services cache that check).
            using var pem = X509Certificate2.CreateFromPemFile(tlsCertificate, tlsKey);
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
            });
        }
    });
});

var app = builder.Build();
app.MapPost("/spasm.testing.v1.EchoService/Echo", (RequestDelegate)EchoCeiling.HandleAsync);
// Allocation and GC counters for run.sh (bytes allocated per request). A GET, so the gRPC POST routes never match it.
app.MapGet("/_bench/gc", context => context.Response.WriteAsync(
    $"{GC.GetTotalAllocatedBytes(precise: true)} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}"));
Console.WriteLine($"KestrelCeiling listening on 127.0.0.1:{port} ({(string.IsNullOrEmpty(tlsCertificate) ? "h2c" : "h2 over TLS")})");
app.Run();

internal static class EchoCeiling
{
    // One length-prefixed gRPC message: compressed flag 0, length 7, then EchoResponse{message="hello"}
    // (field 1, wire type 2 -> tag 0x0A; length 5; "hello").
    private static readonly byte[] ResponseFrame =
        [0x00, 0x00, 0x00, 0x00, 0x07, 0x0A, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'];

    public static async Task HandleAsync(HttpContext context)
    {
        // The request frame is consumed (as any server must) but not decoded.
        var body = context.Request.BodyReader;
        while (true)
        {
            var read = await body.ReadAsync(context.RequestAborted);
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        var response = context.Response;
        response.ContentType = "application/grpc";
        response.AppendTrailer("grpc-status", "0");
        await response.BodyWriter.WriteAsync(ResponseFrame, context.RequestAborted);
    }
}
