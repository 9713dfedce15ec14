using System.Globalization;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Contracts.Presentation;

/// <summary>
/// The contract's values as people read them ("Within 2 weeks", "14 days", "4 Dec 2026, 09:30 Europe/Berlin"), in
/// one place for the console, the CLI and the HTML report so that they all say the same thing.
/// </summary>
public static class HumanText
{
    public static string Of(Urgency urgency) => urgency switch
    {
        Urgency.Emergency => "Emergency",
        Urgency.SameDay => "Same day",
        Urgency.Within24Hours => "Within 24 hours",
        Urgency.Within2Weeks => "Within 2 weeks",
        Urgency.Routine => "Routine",
        Urgency.SelfCare => "Self-care",
        _ => "Not set",
    };

    public static string Of(CarePlanStatus status) => status switch
    {
        CarePlanStatus.PendingReview => "Awaiting review",
        CarePlanStatus.Approved => "Approved",
        CarePlanStatus.Rejected => "Rejected",
        CarePlanStatus.ReferralOnly => "Referral only, awaiting review",
        CarePlanStatus.Superseded => "Superseded",
        _ => "Unknown",
    };

    public static string Of(CarePhase phase) => phase switch
    {
        CarePhase.Acute => "Acute phase",
        CarePhase.Recovery => "Recovery phase",
        CarePhase.Prevention => "Prevention",
        CarePhase.Any => "Any phase",
        _ => "Phase not set",
    };

    public static string Of(Stance stance) => stance switch
    {
        Stance.Recommended => "Recommended",
        Stance.Consider => "Consider",
        Stance.NotRecommended => "Not recommended",
        Stance.InsufficientEvidence => "Insufficient evidence",
        _ => "No stance",
    };

    public static string Of(StartBackRisk risk) => risk switch
    {
        StartBackRisk.Low => "Low risk",
        StartBackRisk.Medium => "Medium risk",
        StartBackRisk.High => "High risk",
        _ => "Not assessed",
    };

    public static string Of(Concern concern) => concern switch
    {
        Concern.ToConsider => "To consider",
        Concern.Suspected => "Suspected",
        _ => "Flagged",
    };

    /// <summary>A triage's act-within time: 0 is "Immediately", negative "No deadline", else the largest whole unit.</summary>
    public static string ActWithin(int minutes) => minutes switch
    {
        < 0 => "No deadline",
        0 => "Immediately",
        _ => Duration(TimeSpan.FromMinutes(minutes)),
    };

    /// <summary>Days, hours and minutes: 20160 minutes is "14 days", 90 is "1 hour 30 minutes".</summary>
    public static string Duration(TimeSpan duration)
    {
        var parts = new List<string>();
        void Add(int count, string unit)
        {
            if (count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}"));
            }
        }

        Add(duration.Days, "day");
        Add(duration.Hours, "hour");
        Add(duration.Minutes, "minute");
        return parts.Count == 0 ? "0 minutes" : string.Join(' ', parts);
    }

    /// <summary>A moment in <paramref name="zone"/>, with the zone named: "4 Dec 2026, 09:30 Europe/Berlin".</summary>
    public static string Time(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return string.Create(CultureInfo.InvariantCulture, $"{local:d MMM yyyy, HH:mm} {ZoneName(zone)}");
    }

    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at, TimeZoneInfo zone) =>
        at is null ? "—" : Time(at.ToDateTimeOffset(), zone);

    private static string ZoneName(TimeZoneInfo zone) => zone.Id == TimeZoneInfo.Utc.Id || zone.Id == "Etc/UTC" ? "UTC" : zone.Id;
}
