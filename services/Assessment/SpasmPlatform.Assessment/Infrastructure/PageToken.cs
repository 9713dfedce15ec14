using System.Buffers.Text;
using System.Text.Json;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Where the next page of ListAssessments starts: after the last (submitted_at, assessment_id) returned. It carries
/// the filter it was issued for, so a token cannot be replayed against another clinic or urgency and skip rows.
/// Opaque to clients (base64url of JSON); never trusted beyond these fields.
/// </summary>
internal sealed record PageToken(string ClinicId, Urgency Urgency, long AfterSubmittedAtMicros, string AfterAssessmentId)
{
    private const int MaxLength = 1024;

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    public static bool TryDecode(string text, out PageToken token)
    {
        token = null!;
        if (text.Length == 0 || text.Length > MaxLength || !Base64Url.IsValid(text))
        {
            return false;
        }

        try
        {
            var decoded = JsonSerializer.Deserialize<PageToken>(Base64Url.DecodeFromChars(text));
            if (decoded is null || decoded.ClinicId is null || decoded.AfterAssessmentId is null)
            {
                return false;
            }

            token = decoded;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public bool Matches(string clinicId, Urgency urgency) => ClinicId == clinicId && Urgency == urgency;
}
