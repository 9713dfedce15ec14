using Grpc.Core;
using Grpc.Net.Client;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Contracts.Calling;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// The callers: per instance of the assessment service, one channel per clinic (each clinic's system is its own
/// caller with its own connections, as in production) and one for the auditor. Over mutual TLS each clinic's channel
/// presents that clinic's clinic-system certificate, because a certificate names exactly one clinic and the service
/// refuses any other; in development mode the channels are plain h2c.
/// </summary>
internal sealed class Clients : IDisposable
{
    public const int Clinics = 8;

    private readonly List<GrpcChannel> _channels = [];
    private readonly AssessmentService.AssessmentServiceClient[][] _assessments;
    private readonly AuditService.AuditServiceClient[] _audit;

    public Clients(IReadOnlyList<Uri> addresses, bool mutualTls, string? certs, Uri? ceiling)
    {
        if (mutualTls && certs is null)
        {
            throw new ArgumentException("--certs is required with --security mtls");
        }

        GrpcChannel Channel(Uri address, string? identity)
        {
            var channel = identity is null
                ? PlatformChannels.Create(address)
                : PlatformChannels.Create(address, MutualTlsHandler.FromPemFiles(
                    Path.Combine(certs!, $"{identity}.pem"), Path.Combine(certs!, $"{identity}-key.pem"), Path.Combine(certs!, "ca.pem")));
            _channels.Add(channel);
            return channel;
        }

        _assessments = [.. addresses.Select(address => Enumerable.Range(0, Clinics)
            .Select(clinic => new AssessmentService.AssessmentServiceClient(Channel(address, mutualTls ? $"clinic-system-{ClinicId(clinic)}" : null)))
            .ToArray())];
        _audit = [.. addresses.Select(address => new AuditService.AuditServiceClient(Channel(address, mutualTls ? "bench-auditor" : null)))];
        if (ceiling is not null)
        {
            // The ceiling presents a clinic's certificate like any caller, so the TLS work per call is the same.
            Echo = Channel(ceiling, mutualTls ? $"clinic-system-{ClinicId(0)}" : null).CreateCallInvoker();
        }
    }

    public int Instances => _assessments.Length;

    /// <summary>The plain Kestrel endpoint of bench/grpc, called through the same client stack; null when not started.</summary>
    public CallInvoker? Echo { get; }

    public static string ClinicId(int clinic) => $"bench-clinic-{clinic}";

    /// <summary>The clinic index of an id made by Submissions ("bench-clinic-N").</summary>
    public static int ClinicOf(string clinicId) => clinicId[^1] - '0';

    public AssessmentService.AssessmentServiceClient Assessments(long call, string clinicId) =>
        _assessments[(int)(call % Instances)][ClinicOf(clinicId)];

    public AuditService.AuditServiceClient Audit(long call) => _audit[(int)(call % Instances)];

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
