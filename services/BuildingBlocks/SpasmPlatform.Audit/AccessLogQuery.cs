using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.Audit;

/// <summary>
/// ListAccessEvents over the day shards of the access log: a period is read day by day, in recorded (global) order
/// across the day's shards, and filtered here; the page token (a <see cref="PageToken"/>, bound to the period and
/// filters) is where the next page starts: the day being read and the global position of the last record returned.
/// </summary>
public sealed class AccessLogQuery(AccessLog log, TimeProvider clock)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxDays = 31;

    private const string DayFormat = "yyyyMMdd";

    // Filters can skip most of a day; reading in slices bounds memory however long the day is.
    private const int Slice = 1000;

    public async Task<ListAccessEventsResponse> ListAsync(ListAccessEventsRequest request, CancellationToken cancellationToken)
    {
        var from = request.From.ToDateTimeOffset();
        var to = request.To is null ? clock.GetUtcNow() : request.To.ToDateTimeOffset();
        var pageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        // The validator has already refused tokens that do not read or were issued for another period or filter.
        var (day, after) = PageToken.Read(request.PageToken, request, out var start) == PageTokenReading.Valid && TryReadDay(start, out var startDay)
            ? (startDay, start.Number)
            : (DateOnly.FromDateTime(from.UtcDateTime), 0L);
        var lastDay = DateOnly.FromDateTime(to.UtcDateTime);
        var response = new ListAccessEventsResponse();
        while (day <= lastDay)
        {
            var slice = await log.ReadDayAsync(day, after, Slice, cancellationToken).ConfigureAwait(false);
            foreach (var entry in slice)
            {
                var record = entry.Record;
                if (record.At >= from && record.At < to && Matches(record, request))
                {
                    if (response.Events.Count == pageSize)
                    {
                        response.NextPageToken = PageToken.Issue(request, new PagePosition(after, day.ToString(DayFormat, CultureInfo.InvariantCulture)));
                        return response;
                    }

                    response.Events.Add(ToProto(entry));
                }

                after = entry.Position;
            }

            if (slice.Count == Slice)
            {
                continue;
            }

            day = day.AddDays(1);
            after = 0;
        }

        return response;
    }

    /// <summary>The day a page token's position is in (its key), which a token this query issued always names.</summary>
    public static bool TryReadDay(PagePosition position, out DateOnly day) =>
        DateOnly.TryParseExact(position.Key, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static bool Matches(AccessRecorded record, ListAccessEventsRequest request) =>
        (request.Caller.Length == 0 || record.Caller == request.Caller)
        && (request.ClinicId.Length == 0 || record.CallerClinicId == request.ClinicId || Names(record, "clinic_id", request.ClinicId))
        && (request.PatientRef.Length == 0 || Names(record, "patient_ref", request.PatientRef))
        && (request.AssessmentId.Length == 0 || Names(record, "assessment_id", request.AssessmentId))
        && (!request.RefusedOnly || record.Outcome is "PERMISSION_DENIED" or "UNAUTHENTICATED" || record.Reason is not null);

    private static bool Names(AccessRecorded record, string field, string value) =>
        record.Records.TryGetValue(field, out var values) && values.Contains(value, StringComparer.Ordinal);

    private static AccessEvent ToProto(AccessLogEntry entry)
    {
        var record = entry.Record;
        var access = new AccessEvent
        {
            At = Timestamp.FromDateTimeOffset(record.At),
            Caller = record.Caller,
            CallerClinicId = record.CallerClinicId ?? string.Empty,
            Method = record.Method,
            Outcome = record.Outcome,
            Reason = record.Reason ?? string.Empty,
            Peer = record.Peer,
            TraceId = record.TraceId ?? string.Empty,
            StreamId = entry.StreamId,
            Version = entry.Version,
        };
        access.Roles.Add(record.Roles);
        foreach (var (field, values) in record.Records.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            access.Records.Add(values.Select(value => new RecordRef { Field = field, Value = value }));
        }

        return access;
    }
}
