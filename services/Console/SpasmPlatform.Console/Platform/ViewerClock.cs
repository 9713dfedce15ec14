using Microsoft.JSInterop;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Console.Platform;

/// <summary>The viewer's time zone, as their browser reports it; times are shown in it with the zone named.</summary>
public sealed class ViewerClock
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public event Action? Changed;

    public async Task LoadAsync(IJSRuntime js)
    {
        ArgumentNullException.ThrowIfNull(js);
        var id = await js.InvokeAsync<string?>("spasmConsole.timeZone");
        if (!string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.Id != Zone.Id)
        {
            Zone = zone;
            Changed?.Invoke();
        }
    }

    /// <summary>For tests and for pages rendered before the browser has answered.</summary>
    public void Use(TimeZoneInfo zone)
    {
        Zone = zone;
        Changed?.Invoke();
    }

    public string Time(Google.Protobuf.WellKnownTypes.Timestamp? at) => HumanText.Time(at, Zone);

    /// <summary>
    /// The moment <paramref name="date"/> begins where the viewer is: a date typed into a form means the viewer's day,
    /// not UTC's. Where a clock change skips midnight, the zone's offset at that time is taken.
    /// </summary>
    public DateTimeOffset StartOf(DateTime date)
    {
        var midnight = DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, Zone.GetUtcOffset(midnight));
    }

    public string Time(DateTimeOffset at) => HumanText.Time(at, Zone);
}
