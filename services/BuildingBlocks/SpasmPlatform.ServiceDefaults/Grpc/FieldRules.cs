using System.Globalization;
using Google.Protobuf;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// The field rules every request validator uses, so an id, an enum, a text or a page means the same on every service
/// and a clinic system meets one set of limits and one wording. Each rule adds at most one violation for its field.
/// </summary>
public static class FieldRules
{
    /// <summary>
    /// Every identifier (clinic, patient, clinician, assessment, plan, stream, actor): the same bound the authorization
    /// layer puts on the names and clinics in certificates and tokens, so any id a caller can have fits a request.
    /// </summary>
    public const int MaxIdLength = 128;

    /// <summary>
    /// The access log's caller filter is not one id but a description built from them ("clinic-system:clinic-a/ehr-1",
    /// or a person "via" the console), so it has room for a clinic and a name.
    /// </summary>
    public const int MaxCallerLength = 200;

    /// <summary>Knowledge codes (conditions, interventions): lower_snake_case, as the knowledge content defines them.</summary>
    public const int MaxCodeLength = 100;

    /// <summary>Why something was done (an override, an erasure, a review) and a reviewer's note.</summary>
    public const int MaxReasonLength = 2000;

    /// <summary>A clinician's free-text clinical notes on a submission.</summary>
    public const int MaxNotesLength = 8000;

    /// <summary>A search query.</summary>
    public const int MaxQueryLength = 500;

    /// <summary>A page of a clinic's records (assessments, care plans) when page_size is 0, and the most one page holds.</summary>
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public const string Required = "is required";

    /// <summary>PostgreSQL text and jsonb cannot hold U+0000; see <see cref="StorableTextInterceptor"/>.</summary>
    public const string UnstorableText = "must not contain the NUL character (U+0000)";

    // 9999-12-31T23:59:59Z, the last second a protobuf Timestamp (and DateTimeOffset) can hold.
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// A required identifier: not blank, at most <see cref="MaxIdLength"/> characters, and only visible characters:
    /// ids end up in logs, headers, queries and on clinicians' screens, where a control character can forge a log
    /// line and an invisible formatting character (a zero-width space, a right-to-left override) can make two ids
    /// look alike.
    /// </summary>
    public static void Id(this List<FieldViolation> violations, string value, string field) =>
        IdLike(violations, value, field, required: true, MaxIdLength);

    /// <summary>An identifier that may be left empty (a filter); when given, it follows <see cref="Id"/>.</summary>
    public static void OptionalId(this List<FieldViolation> violations, string value, string field) =>
        IdLike(violations, value, field, required: false, MaxIdLength);

    /// <summary>The access log's optional caller filter: the characters of an id, up to <see cref="MaxCallerLength"/>.</summary>
    public static void OptionalCaller(this List<FieldViolation> violations, string value, string field) =>
        IdLike(violations, value, field, required: false, MaxCallerLength);

    /// <summary>Whether <paramref name="value"/> passes <see cref="Id"/>: for ids that arrive outside a message (headers, certificates).</summary>
    public static bool IsId(string? value) =>
        value is { Length: > 0 and <= MaxIdLength } && !string.IsNullOrWhiteSpace(value) && IsVisible(value);

    /// <summary>A knowledge code: lower_snake_case (a-z, 0-9, _), at most <see cref="MaxCodeLength"/> characters.</summary>
    public static void Code(this List<FieldViolation> violations, string value, string field, string kind)
    {
        if (value.Length == 0)
        {
            violations.Add(new(field, Required));
        }
        else if (!IsCode(value))
        {
            violations.Add(new(field, $"must be a lower_snake_case {kind} code"));
        }
    }

    public static bool IsCode(string value) =>
        value.Length is > 0 and <= MaxCodeLength && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>
    /// An enum used as a filter, where the zero value (UNSPECIFIED) means "any": only values the contract defines.
    /// A value from a newer contract is refused rather than silently matching nothing.
    /// </summary>
    public static void Defined<TEnum>(this List<FieldViolation> violations, TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            violations.Add(new(field, $"{Number(value)} is not a defined value"));
        }
    }

    /// <summary>A required enum: defined, and not the zero value (UNSPECIFIED, which the proto style guide keeps for "not set").</summary>
    public static void Specified<TEnum>(this List<FieldViolation> violations, TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (Number(value) == 0)
        {
            violations.Add(new(field, "is required (UNSPECIFIED is not a value)"));
        }
        else
        {
            violations.Defined(value, field);
        }
    }

    /// <summary>A repeated enum: each element as <see cref="Specified{TEnum}"/>, one violation per bad element ("kinds[2]").</summary>
    public static void EachSpecified<TEnum>(this List<FieldViolation> violations, IReadOnlyList<TEnum> values, string field)
        where TEnum : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (Number(values[i]) == 0 || !Enum.IsDefined(values[i]))
            {
                violations.Add(new($"{field}[{i}]", "must be a defined value other than UNSPECIFIED"));
            }
        }
    }

    /// <summary>Required free text: not blank, at most <paramref name="maxLength"/> characters, storable.</summary>
    public static void Text(this List<FieldViolation> violations, string value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, Required));
        }
        else
        {
            violations.OptionalText(value, field, maxLength);
        }
    }

    /// <summary>
    /// Free text that may be empty: at most <paramref name="maxLength"/> characters and storable. Line breaks, tabs and
    /// any other character a clinician's system may paste are kept: the text is stored and shown, never interpreted.
    /// </summary>
    public static void OptionalText(this List<FieldViolation> violations, string value, string field, int maxLength)
    {
        if (value.Length > maxLength)
        {
            violations.Add(new(field, $"must be at most {maxLength} characters"));
        }
        else if (!IsStorable(value))
        {
            violations.Add(new(field, UnstorableText));
        }
    }

    public static bool IsStorable(string value) => !value.Contains('\0', StringComparison.Ordinal);

    /// <summary>page_size of a list of a clinic's records: 0 asks for <see cref="DefaultPageSize"/>; otherwise 1 to <see cref="MaxPageSize"/>.</summary>
    public static void PageSize(this List<FieldViolation> violations, int value) =>
        violations.PageSize(value, "page_size", DefaultPageSize, MaxPageSize);

    /// <summary>
    /// A page size whose bounds the contract sets otherwise (the access log's, a search's limit): 0 asks for
    /// <paramref name="defaultSize"/>; otherwise 1 to <paramref name="max"/>.
    /// </summary>
    public static void PageSize(this List<FieldViolation> violations, int value, string field, int defaultSize, int max)
    {
        if (value < 0 || value > max)
        {
            violations.Add(new(field, $"must be between 0 (the default, {defaultSize}) and {max}"));
        }
    }

    /// <summary>
    /// page_token: empty for the first page, otherwise a <see cref="PageToken"/> issued for this same query. The
    /// position it holds is returned for checks of its own (true only when a token was given and is valid).
    /// </summary>
    public static bool PageToken(this List<FieldViolation> violations, string token, IMessage request, out PagePosition position)
    {
        position = default;
        if (token.Length == 0)
        {
            return false;
        }

        var reading = Grpc.PageToken.Read(token, request, out position);
        if (reading != PageTokenReading.Valid)
        {
            violations.Add(new("page_token", Grpc.PageToken.Describe(reading, request)));
        }

        return reading == PageTokenReading.Valid;
    }

    /// <summary>
    /// The expected version of an optimistic write: the version the caller read, so a write based on a stale read is
    /// refused (ABORTED) rather than applied.
    /// </summary>
    public static void ExpectedVersion(this List<FieldViolation> violations, long value, string field)
    {
        if (value < 1)
        {
            violations.Add(new(field, "must be the version as read (1 or more)"));
        }
    }

    /// <summary>A required point in time (see <see cref="IsValidTime"/>).</summary>
    public static void Time(this List<FieldViolation> violations, Timestamp? value, string field)
    {
        if (value is null)
        {
            violations.Add(new(field, Required));
        }
        else
        {
            violations.OptionalTime(value, field);
        }
    }

    /// <summary>A point in time that may be left unset.</summary>
    public static void OptionalTime(this List<FieldViolation> violations, Timestamp? value, string field)
    {
        if (value is not null && !IsValidTime(value))
        {
            violations.Add(new(field, "must be a valid time from 1970-01-01 to 9999-12-31"));
        }
    }

    /// <summary>
    /// A Timestamp the platform can hold: nanos within a second, and no earlier than 1970-01-01 (nothing the platform
    /// records is older) nor later than a DateTimeOffset can hold (conversion would throw).
    /// </summary>
    public static bool IsValidTime(Timestamp value) =>
        value.Seconds is >= 0 and <= MaxTimestampSeconds && value.Nanos is >= 0 and <= 999_999_999;

    private static void IdLike(List<FieldViolation> violations, string value, string field, bool required, int maxLength)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                violations.Add(new(field, Required));
            }
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, required ? Required : "must not be blank"));
        }
        else if (value.Length > maxLength)
        {
            violations.Add(new(field, $"must be at most {maxLength} characters"));
        }
        else if (!IsVisible(value))
        {
            violations.Add(new(field, "must not contain control or invisible formatting characters"));
        }
    }

    private static bool IsVisible(string value)
    {
        foreach (var c in value)
        {
            if (char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                return false;
            }
        }

        return true;
    }

    private static long Number<TEnum>(TEnum value)
        where TEnum : struct, Enum => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
