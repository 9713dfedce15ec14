using System.Buffers.Text;
using System.Security.Cryptography;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Grpc.Tests.Validation;

/// <summary>The one page-token format: what it keeps, and every way a token that should not continue a list is refused.</summary>
public sealed class PageTokenTests
{
    private static readonly ListAssessmentsRequest Query = new() { ClinicId = "clinic-a", Urgency = Urgency.Routine, PageSize = 3 };

    [Theory]
    [InlineData(0L, "")]
    [InlineData(1_795_240_800_000_000L, "0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData(long.MinValue, "klinik-ø/患者")]
    [InlineData(long.MaxValue, "20261121")]
    public void A_token_gives_back_its_position_to_the_query_it_was_issued_for(long number, string key)
    {
        var token = PageToken.Issue(Query, new PagePosition(number, key));

        // The next request carries the token and may ask for another page size: neither is part of the query.
        var next = new ListAssessmentsRequest(Query) { PageToken = token, PageSize = 50 };
        Assert.Equal(PageTokenReading.Valid, PageToken.Read(token, next, out var position));
        Assert.Equal(new PagePosition(number, key), position);
        Assert.True(token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), token);
    }

    [Fact]
    public void A_token_from_another_clinic_filter_or_list_is_another_query()
    {
        var token = PageToken.Issue(Query, new PagePosition(42, "a-1"));

        Assert.Equal(PageTokenReading.OtherQuery, PageToken.Read(token, new ListAssessmentsRequest(Query) { ClinicId = "clinic-b" }, out _));
        Assert.Equal(PageTokenReading.OtherQuery, PageToken.Read(token, new ListAssessmentsRequest(Query) { Urgency = Urgency.Unspecified }, out _));
        // The same field numbers and values in another list's request: only the list tells them apart.
        Assert.Equal(PageTokenReading.OtherQuery, PageToken.Read(token, new ListCarePlansRequest { ClinicId = "clinic-a", Status = (CarePlanStatus)(int)Urgency.Routine }, out _));
        Assert.Equal(PageTokenReading.OtherQuery, PageToken.Read(token, new ListAccessEventsRequest { ClinicId = "clinic-a" }, out var position));
        Assert.Equal(default, position);
    }

    [Fact]
    public void Every_altered_byte_and_every_cut_is_refused_as_not_issued()
    {
        var token = PageToken.Issue(Query, new PagePosition(1_795_240_800_000_000L, "assessment-1"));
        var bytes = Base64Url.DecodeFromChars(token);
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var altered = (byte[])bytes.Clone();
                altered[i] ^= bit;
                Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(Base64Url.EncodeToString(altered), Query, out _));
            }
        }

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(Base64Url.EncodeToString(bytes.AsSpan(0, length)), Query, out _));
        }

        Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(token + "AA", Query, out _));
    }

    [Fact]
    public void A_well_formed_token_of_another_format_version_is_told_apart_from_garbage()
    {
        var bytes = Base64Url.DecodeFromChars(PageToken.Issue(Query, new PagePosition(7, "a-7")));
        bytes[0] = PageToken.CurrentVersion + 1;
        Reseal(bytes);

        Assert.Equal(PageTokenReading.OtherVersion, PageToken.Read(Base64Url.EncodeToString(bytes), Query, out _));
        Assert.Equal(
            "was issued by another version of this service; list again from the first page",
            PageToken.Describe(PageTokenReading.OtherVersion, Query));
    }

    [Fact]
    public void A_forged_token_whose_key_is_not_text_is_refused_although_its_checksum_matches()
    {
        var bytes = Base64Url.DecodeFromChars(PageToken.Issue(Query, new PagePosition(7, "ab")));
        bytes[1 + PageToken.FingerprintLength + sizeof(long)] = 0xFF;
        Reseal(bytes);

        Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(Base64Url.EncodeToString(bytes), Query, out _));
    }

    [Theory]
    [InlineData("not a token!")]
    [InlineData("eyJ4IjoxfQ")]
    [InlineData("Y3AxOjEyMw==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AQ")]
    public void Garbage_and_the_retired_formats_are_not_issued(string token) =>
        Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(token, Query, out _));

    [Fact]
    public void An_overlong_token_is_refused_before_it_is_decoded()
    {
        Assert.Equal(PageTokenReading.NotIssued, PageToken.Read(new string('A', PageToken.MaxLength + 1), Query, out _));

        // The longest key any list issues (an id of the longest allowed length, every character three UTF-8 bytes) fits.
        var longest = new string('患', FieldRules.MaxIdLength);
        Assert.Equal(PageTokenReading.Valid, PageToken.Read(PageToken.Issue(Query, new PagePosition(1, longest)), Query, out _));
        Assert.Throws<ArgumentException>(() => PageToken.Issue(Query, new PagePosition(1, new string('x', PageToken.MaxLength))));
    }

    [Fact]
    public void The_page_token_rule_reports_one_violation_that_names_the_filters_to_keep()
    {
        var token = PageToken.Issue(Query, new PagePosition(42, "a-1"));
        var other = new ListAssessmentsRequest(Query) { ClinicId = "clinic-b", PageToken = token };

        var violations = new List<FieldViolation>();
        Assert.False(violations.PageToken(other.PageToken, other, out _));
        Assert.Equal(
            new FieldViolation("page_token", "was issued for another query; keep clinic_id and urgency as they were while paging"),
            Assert.Single(violations));

        violations.Clear();
        Assert.False(violations.PageToken("", Query, out _));
        Assert.True(violations.PageToken(token, Query, out var position));
        Assert.Equal(new PagePosition(42, "a-1"), position);
        Assert.Empty(violations);

        Assert.False(violations.PageToken("garbage", Query, out _));
        Assert.Equal(new FieldViolation("page_token", "is not a token this service issued"), Assert.Single(violations));
    }

    /// <summary>What a client would have to do to forge a token: recompute the documented checksum.</summary>
    private static void Reseal(byte[] bytes)
    {
        var content = bytes.AsSpan(0, bytes.Length - PageToken.ChecksumLength);
        SHA256.HashData(content)[..PageToken.ChecksumLength].CopyTo(bytes.AsSpan(bytes.Length - PageToken.ChecksumLength));
    }
}
