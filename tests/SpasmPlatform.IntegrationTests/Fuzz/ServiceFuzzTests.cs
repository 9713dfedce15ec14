using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Fuzzing;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Audit;
using SpasmPlatform.IntegrationTests.CarePlan;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.V1;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.Fuzz;

/// <summary>
/// Hostile input against the real assessment, knowledge and care-plan processes (real PostgreSQL and RabbitMQ): every
/// RPC each process lists through reflection, from tests/fuzz/corpus seeds and regressions, then random mutations.
/// Each answer must be a proper gRPC status, each process must stay up and SERVING, and stored events may change only
/// where a write was answered OK.
/// </summary>
public sealed class ServiceFuzzTests(AuditPlatform platform, ITestOutputHelper output) : IClassFixture<AuditPlatform>
{
    public const int DefaultIterations = 700;

    [Fact]
    public async Task Every_rpc_answers_hostile_requests_properly_the_services_stay_up_and_only_accepted_writes_store_events()
    {
        var placeholders = await CreateSeedDataAsync();
        var settings = FuzzSettings.FromEnvironment(DefaultIterations);
        var corpus = new Corpus(settings.CorpusDirectory, placeholders);
        var catalog = new DescriptorCatalog(typeof(SubmitAssessmentRequest).Assembly, typeof(global::Grpc.Health.V1.HealthCheckRequest).Assembly, typeof(global::Grpc.Reflection.V1.ServerReflectionRequest).Assembly);
        var schemas = new[] { platform.Schema, platform.CarePlanSchema, platform.Knowledge.Schema };
        var accounting = new WriteAccounting(platform.Schema, platform.CarePlanSchema, platform.Knowledge.Schema);
        var processes = new (string Name, ServiceProcess Process)[] { ("assessment", platform.Service), ("knowledge", platform.Knowledge.Service), ("care-plan", platform.CarePlanService) };
        var clients = processes.Select(p => new FuzzClient(p.Process.Address)).ToList();
        try
        {
            var endpoints = new List<FuzzEndpoint>();
            for (var i = 0; i < processes.Length; i++)
            {
                var process = processes[i].Process;
                var targets = await ServiceDiscovery.TargetsAsync(clients[i], catalog);
                endpoints.Add(new FuzzEndpoint(
                    processes[i].Name, clients[i], targets, corpus,
                    Alive: () => process.HasExited ? $"the process exited with {process.ExitCode}" : null,
                    OnOk: accounting.OnOk,
                    ExtraSeeds: ExtraSeeds));
            }

            Assert.Contains(endpoints[0].Targets, t => t.Path == "/spasm.audit.v1.AuditService/VerifyIntegrity");
            Assert.Contains(endpoints[2].Targets, t => t.Path == "/spasm.audit.v1.AuditService/GetStateAt");
            Assert.Contains(endpoints[1].Targets, t => t.Path == "/spasm.knowledge.v1.KnowledgeService/PublishVersion");
            foreach (var target in endpoints.SelectMany(e => e.Targets).Where(t => corpus.Seeds(t).Count == 0 && ExtraSeeds(t).Count == 0))
            {
                output.WriteLine($"no seed for {target.Path}: fuzzed from forged messages only (add tests/fuzz/corpus/{target.Service}/{target.Method.Name}/seed-*.json)");
            }

            var before = new List<EventStoreSnapshot>();
            foreach (var schema in schemas)
            {
                before.Add(await EventStoreSnapshot.TakeAsync(schema));
            }

            var report = await new FuzzRun(settings, output.WriteLine).RunAsync(endpoints);

            var problems = new List<string>();
            foreach (var snapshot in before)
            {
                if (!await snapshot.UnchangedAsync())
                {
                    problems.Add($"{snapshot.Schema}: events stored before the run changed or went away");
                }

                problems.AddRange((await snapshot.AppendedSinceAsync())
                    .Where(e => !accounting.MayHaveAppended(snapshot.Schema, e.Stream, e.Type))
                    .Select(e => $"{snapshot.Schema}: {e.Type} appended to {e.Stream}, which no write answered OK names"));
            }

            problems.AddRange(await IntegrityProblemsAsync());
            foreach (var (name, process) in processes)
            {
                problems.AddRange(HandlerExceptions(process.Output).Select(e => $"{name}: a call failed with {e}, not a decoding failure (see its log)"));
            }

            output.WriteLine($"OK writes: {accounting.OkWrites}; {problems.Count} store problems");
            if (report.Findings.Count > 0 || problems.Count > 0)
            {
                foreach (var (name, process) in processes)
                {
                    output.WriteLine($"--- {name} errors:\n{FailureLines(process.Output)}");
                }
            }

            Assert.True(report.Findings.Count == 0, report.ToString());
            Assert.True(problems.Count == 0, string.Join('\n', problems.Take(30)));
            Assert.Equal(endpoints.SelectMany(e => e.Targets).Select(t => t.Path).Distinct().Order(), report.TargetsHit.Order());
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    // Found by the fuzzer: U+0000 in any string reached PostgreSQL, which refused it, and the client got UNKNOWN.
    [Fact]
    public async Task Strings_holding_nul_are_invalid_argument_on_every_service_and_store_nothing()
    {
        var before = await EventStoreSnapshot.TakeAsync(platform.Schema);
        var submission = CarePlanPlatform.Sample("v01-lifting-strain");
        submission.RequestId = $"nul-{Guid.NewGuid():N}";
        submission.ClinicalNotes = "before\0after";

        var submit = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => platform.Client.SubmitAssessmentAsync(submission).ResponseAsync);
        var approve = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => platform.CarePlans.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = "\0", ExpectedVersion = 1, PhysiotherapistId = "p" }).ResponseAsync);
        var search = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => platform.Knowledge.Client.SearchAsync(new SearchRequest { Query = "back\0pain" }).ResponseAsync);

        Assert.All([submit, approve, search], e => Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, e.StatusCode));
        Assert.Equal("clinical_notes", Assert.Single(submit.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations).Field);
        Assert.True(await before.UnchangedAsync());
        // Care plans of the other test's submissions may still be linked meanwhile; no submission may be stored.
        Assert.DoesNotContain(await before.AppendedSinceAsync(), e => e.Type == "assessment.submitted");
    }

    /// <summary>Seeds built in code: every sample assessment, and knowledge bundles (the shipped one, and one nested far too deep).</summary>
    private static IReadOnlyList<byte[]> ExtraSeeds(FuzzTarget target) => target.Path switch
    {
        "/spasm.assessment.v1.AssessmentService/SubmitAssessment" => Directory
            .GetFiles(Path.Combine(Platform.RepoRoot, "samples", "assessments"), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file =>
            {
                var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(file));
                submission.ClinicId = "clinic-fuzz";
                submission.RequestId = $"fuzz-{Path.GetFileNameWithoutExtension(file)}";
                return submission.ToByteArray();
            })
            .ToList(),
        "/spasm.knowledge.v1.KnowledgeService/PublishVersion" =>
        [
            new PublishVersionRequest { Files = { KnowledgeContent.Files() }, PublishedBy = "fuzz" }.ToByteArray(),
            new PublishVersionRequest
            {
                Files = { KnowledgeContent.Versioned("9.0.0").Where(f => f.Path != "rules.yaml"), new ContentFile { Path = "rules.yaml", Text = DeepYaml(20_000) } },
                PublishedBy = "fuzz",
            }.ToByteArray(),
        ],
        _ => [],
    };

    private static string DeepYaml(int depth) => "rule_set_version: " + new string('[', depth) + new string(']', depth) + "\n";

    /// <summary>An assessment with a care plan drafted and linked, for the seeds' {{placeholders}}.</summary>
    private async Task<Dictionary<string, string>> CreateSeedDataAsync()
    {
        var clinic = $"clinic-fuzz-{Guid.NewGuid():N}"[..24];
        var submission = CarePlanPlatform.Sample("v01-lifting-strain", clinic);
        submission.RequestId = "fuzz-seed";
        var assessmentId = (await platform.Client.SubmitAssessmentAsync(submission)).Assessment.AssessmentId;
        SpasmPlatform.Assessment.V1.Assessment? linked = null;
        await Eventually.WaitAsync(async () =>
        {
            linked = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessmentId });
            return linked.CarePlanId.Length > 0;
        }, TimeSpan.FromSeconds(60), "the seed assessment's care plan to be linked");
        var plan = await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessmentId });
        return new Dictionary<string, string>
        {
            ["assessment_id"] = assessmentId,
            ["assessment_version"] = linked!.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["clinic_id"] = clinic,
            ["care_plan_id"] = plan.CarePlanId,
            ["care_plan_version"] = plan.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["knowledge_version"] = linked.Triage.KnowledgeVersion,
        };
    }

    /// <summary>Each handler failure the process logged, with the first lines of its stack (health-check noise aside).</summary>
    /// <summary>
    /// The exceptions grpc-dotnet logged for calls (its answer to the client is only UNKNOWN), other than its own
    /// failures to decode a request and its own write racing a passed deadline: each is a handler that threw on hostile input.
    /// </summary>
    private static List<string> HandlerExceptions(string log)
    {
        var lines = log.Split('\n');
        var found = new List<string>();
        for (var i = 0; i < lines.Length - 2; i++)
        {
            if (!lines[i].Contains("Error when executing service method", StringComparison.Ordinal))
            {
                continue;
            }

            var exception = lines[i + 1].Trim();
            if (!ResponseChecker.IsDecodingFailure(exception) && !ResponseChecker.IsDeadlineWriteRace(exception))
            {
                found.Add($"{lines[i].Trim()} {exception}");
            }
        }

        return found;
    }

    private static string FailureLines(string log)
    {
        var lines = log.Split('\n');
        return string.Join('\n', lines
            .Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("fail: SpasmPlatform", StringComparison.Ordinal) || x.line.StartsWith("fail: Microsoft.AspNetCore", StringComparison.Ordinal) || x.line.StartsWith("fail: Grpc", StringComparison.Ordinal))
            .Take(5)
            .SelectMany(x => lines.Skip(x.i).Take(14)));
    }

    private async Task<List<string>> IntegrityProblemsAsync()
    {
        var problems = new List<string>();
        foreach (var (name, audit) in new[] { ("assessment", platform.Audit), ("care-plan", platform.CarePlanAudit) })
        {
            var verified = await audit.VerifyIntegrityAsync(new VerifyIntegrityRequest());
            if (!verified.Intact)
            {
                problems.Add($"{name}: VerifyIntegrity found {verified.Breaks.Count} breaks: {string.Join("; ", verified.Breaks.Take(5))}");
            }
        }

        return problems;
    }
}
