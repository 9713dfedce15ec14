namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Who a host is: its name (logs, telemetry, database schema), the port it listens on by default, whether it stores
/// clinical notes (then it needs the notes master key and gets the patient key store), and the full names of the gRPC
/// services it serves (each is a name the health service answers for).
/// </summary>
public sealed record ServiceInfo(string Name, int DefaultPort, bool StoresClinicalNotes = false, params string[] GrpcServices);
