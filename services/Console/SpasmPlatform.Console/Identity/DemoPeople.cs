namespace SpasmPlatform.Console.Identity;

/// <summary>The people the development sign-in page offers: one of each kind at clinic-demo, and an auditor.</summary>
public static class DemoPeople
{
    public const string Clinic = "clinic-demo";

    public static IReadOnlyList<Person> All { get; } =
    [
        new("pia.physio", "Pia Okafor", ConsoleRoles.Physiotherapist, Clinic),
        new("peter.physio", "Peter Lindqvist", ConsoleRoles.Physiotherapist, Clinic),
        new("carla.clinician", "Dr Carla Mendes", ConsoleRoles.Clinician, Clinic),
        new("dora.dpo", "Dora Fischer", ConsoleRoles.DataController, Clinic),
        new("audrey.auditor", "Audrey Chen", ConsoleRoles.Auditor, null),
    ];

    public static Person? Find(string? id) => All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));
}
