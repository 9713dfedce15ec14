namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Who a host is: its name (logs, telemetry, database schema), the port it listens on by default, and whether it
/// stores clinical notes (then it needs the notes master key and gets the patient key store).
/// </summary>
public sealed record ServiceInfo(string Name, int DefaultPort, bool StoresClinicalNotes = false);
