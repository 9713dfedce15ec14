using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.IntegrationTests.CarePlan;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.IntegrationTests.Hosts;

/// <summary>Where StorableTextInterceptor finds U+0000 (found by the fuzzer: PostgreSQL refused it, the client got UNKNOWN).</summary>
public sealed class StorableTextTests
{
    [Fact]
    public void Names_every_string_holding_nul_by_its_field_path()
    {
        var submission = CarePlanPlatform.Sample("v01-lifting-strain");
        submission.PatientRef = "p\0";
        submission.ClinicalNotes = "\0";

        Assert.Equal(["patient_ref", "clinical_notes"], StorableTextInterceptor.Find(submission));
    }

    [Fact]
    public void Looks_into_repeated_strings_and_nested_messages()
    {
        var amend = new AmendCarePlanRequest { CarePlanId = "c", AddInterventionCodes = { "ok", "bad\0" } };
        var publish = new PublishVersionRequest { Files = { new ContentFile { Path = "a.yaml", Text = "x" }, new ContentFile { Path = "b.yaml", Text = "\0" } } };

        Assert.Equal(["add_intervention_codes[1]"], StorableTextInterceptor.Find(amend));
        Assert.Equal(["files[1].text"], StorableTextInterceptor.Find(publish));
    }

    [Fact]
    public void Leaves_other_text_alone()
    {
        var submission = CarePlanPlatform.Sample("v01-lifting-strain");
        submission.ClinicalNotes = "\u0001 \uFFFD \U0001F600 é";

        Assert.Empty(StorableTextInterceptor.Find(submission));
    }
}
