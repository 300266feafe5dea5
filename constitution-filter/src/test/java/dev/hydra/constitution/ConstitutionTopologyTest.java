package dev.hydra.constitution;

import static dev.hydra.constitution.FilterDriver.approve;
import static dev.hydra.constitution.FilterDriver.header;
import static dev.hydra.constitution.FilterDriver.only;
import static dev.hydra.constitution.FilterDriver.reject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.ContentHash;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import dev.hydra.topics.signing.VerdictSignature;
import io.prometheus.client.CollectorRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConstitutionTopologyTest {
    private FilterDriver filter;

    @BeforeEach
    void start() {
        filter = new FilterDriver();
    }

    @AfterEach
    void stop() {
        filter.close();
    }

    @Test
    void namesEveryProcessorAndStore() {
        var description = ConstitutionTopology.build(filter.constitution, ApprovalPolicy.defaults(),
                ApprovalNotifier.NONE, TestSigning.signer(), TestSigning.writerVerifier()).describe();

        List<String> names = description.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .map(org.apache.kafka.streams.TopologyDescription.Node::name).toList();
        assertThat(names).noneMatch(name -> name.startsWith("KSTREAM-") || name.startsWith("KTABLE-"));
        assertThat(description.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Processor)
                .flatMap(n -> ((org.apache.kafka.streams.TopologyDescription.Processor) n).stores().stream()))
                // each chain store twice: the verdicts and the audit of executions append to it
                .containsExactlyInAnyOrder(ConstitutionTopology.TASK_CHAIN_STORE, ConstitutionTopology.TASK_CHAIN_STORE,
                        ConstitutionTopology.TASK_EXECUTIONS_STORE, ConstitutionTopology.TOOL_CALL_CHAIN_STORE,
                        ConstitutionTopology.TOOL_CALL_CHAIN_STORE, ConstitutionTopology.TOOL_CALL_EXECUTIONS_STORE,
                        ConstitutionTopology.TOOL_CALL_IDS_STORE, ConstitutionTopology.APPROVAL_CHAIN_STORE,
                        ConstitutionTopology.APPROVAL_REQUESTS_STORE, ConstitutionTopology.APPROVAL_PENDING_STORE);
    }

    @Nested
    class Tasks {
        @Test
        void allowsAHarmlessTaskWithHeadersKeyAndAudit() {
            filter.propose(FilterDriver.harmlessTask("t-1"));

            TestRecord<String, Task> approved = only1(filter.drain(Topics.TASKS_APPROVED));
            assertThat(approved.key()).isEqualTo("t-1");
            assertThat(approved.value().action()).isEqualTo("restart_service");
            assertThat(header(approved, EventHeaders.TYPE)).isEqualTo("task");
            assertThat(header(approved, EventHeaders.CORRELATION_ID)).isEqualTo("t-1");
            TestRecord<String, AuditRecord> audit = only1(filter.drain(Topics.AUDIT));
            assertThat(audit.key()).isEqualTo("t-1");
            assertThat(header(audit, EventHeaders.TYPE)).isEqualTo("audit-record");
            assertThat(audit.value().action()).isEqualTo("verdict");
            assertThat(audit.value().verdict()).isEqualTo(Decision.ALLOW);
            assertThat(audit.value().subjectKind()).isEqualTo(SubjectKind.TASK);
            assertThat(audit.value().constitutionSha256()).isEqualTo(filter.constitution.sha256());
            assertThat(audit.value().hash()).isEqualTo(AuditChain.hash(audit.value()));
            assertThat(filter.drain(Topics.TASKS_REJECTED)).isEmpty();
            assertThat(filter.drain(Topics.APPROVAL_REQUESTS)).isEmpty();
        }

        @Test
        void signsAnAllowedTaskSoThatCrewsCanVerifyIt() {
            filter.propose(FilterDriver.harmlessTask("t-s"));

            TestRecord<String, Task> approved = only1(filter.drain(Topics.TASKS_APPROVED));
            VerdictSignature signature = VerdictSignature.parse(header(approved, EventHeaders.SIGNATURE));
            assertThat(signature.verdict()).isEqualTo(VerdictSignature.ALLOW);
            assertThat(signature.constitutionSha256()).isEqualTo(filter.constitution.sha256());
            assertThat(signature.keyId()).isEqualTo(TestSigning.signer().keyId());
            assertThat(TestSigning.verifier(filter.constitution.sha256()).refusal(approved.headers(), approved.value())).isEmpty();
        }

        @Test
        void parksADropDatabaseTaskAsAPendingRequestBoundToItsContent() {
            Task drop = FilterDriver.dropDatabaseTask("t-drop");
            filter.propose(drop);

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.drain(Topics.TASKS_REJECTED)).isEmpty();
            TestRecord<String, ApprovalRequest> pending = only1(filter.drain(Topics.APPROVAL_REQUESTS));
            ApprovalRequest request = pending.value();
            assertThat(pending.key()).isEqualTo(request.id());
            assertThat(header(pending, EventHeaders.CORRELATION_ID)).isEqualTo("t-drop");
            assertThat(request.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(request.subjectKind()).isEqualTo(SubjectKind.TASK);
            assertThat(request.subjectId()).isEqualTo("t-drop");
            assertThat(request.constraint()).isEqualTo("never_delete_databases");
            assertThat(request.expiresAt()).isEqualTo(FilterDriver.START.plus(FilterDriver.TIMEOUT));
            assertThat(request.contentSha256()).isEqualTo(ContentHash.of(ContentHash.asMap(drop)));
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.verdict()).isEqualTo(Decision.NEEDS_APPROVAL);
            assertThat(audit.constraint()).isEqualTo("never_delete_databases");
            assertThat(audit.reason()).contains(request.id());
            assertThat(filter.notified).extracting(ApprovalRequest::id).containsExactly(request.id());
            assertThat(CollectorRegistry.defaultRegistry.getSampleValue("hydra_approval_queue_size")).isEqualTo(1.0);
        }

        @Test
        void sendsADeniedTaskToRejected() {
            Task write = FilterDriver.task("t-deny", Map.of("action", "write_file",
                    "path", "/work/config/constitution.yaml", "content", "immutable_constraints: []"));
            filter.propose(write);

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.values(Topics.TASKS_REJECTED)).extracting(Task::id).containsExactly("t-deny");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.verdict()).isEqualTo(Decision.DENY);
            assertThat(audit.constraint()).isEqualTo("never_modify_constitution");
        }

        @Test
        void refusesAnActionItsCrewDoesNotRunNamingTheFieldTheCrewAndItsActions() {
            // harmless to the constitution (it would ALLOW it), but no crew runs it
            Task tidy = new Task("t-tidy", null, 3, 50, "tidy the workspace", dev.hydra.topics.events.Crew.DEVELOPMENT,
                    Map.of("action", "tidy", "path", "src"), List.of(), List.of(), "test", FilterDriver.START);
            filter.propose(tidy);

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.drain(Topics.APPROVAL_REQUESTS)).isEmpty();
            TestRecord<String, Task> rejected = filter.drain(Topics.TASKS_REJECTED).get(0);
            assertThat(rejected.key()).isEqualTo("t-tidy");
            assertThat(rejected.value()).isEqualTo(tidy);
            assertThat(header(rejected, EventHeaders.REASON)).isEqualTo("unknown_action: task.action 'tidy' is not an "
                    + "action of crew development; crew development runs [complete_feature, fix_bug, "
                    + "update_documentation, noop] (hydra actions lists every crew's)");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.verdict()).isEqualTo(Decision.DENY);
            assertThat(audit.constraint()).isEqualTo(Gate.UNKNOWN_ACTION);
            assertThat(audit.reason()).contains("task.action 'tidy'", "crew development", "complete_feature");
            assertThat(filter.deadLetters()).isEmpty();
        }

        @Test
        void anUndeclaredActionIsRefusedRatherThanParkedForAPerson() {
            // the constitution would park it (never_delete_databases): a person must not approve work no crew runs
            filter.propose(FilterDriver.task("t-sql", Map.of("action", "execute_sql", "sql", "DROP DATABASE hydra")));

            assertThat(filter.drain(Topics.APPROVAL_REQUESTS)).isEmpty();
            assertThat(filter.values(Topics.TASKS_REJECTED)).extracting(Task::id).containsExactly("t-sql");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.verdict()).isEqualTo(Decision.DENY);
            assertThat(audit.constraint()).isEqualTo(Gate.UNKNOWN_ACTION);
            assertThat(audit.reason()).contains("crew infrastructure runs [restart_service, optimize_inference, noop]");
        }

        @Test
        void theConstitutionsDenyOfAnUndeclaredActionKeepsItsConstraint() {
            filter.propose(FilterDriver.task("t-const", Map.of("action", "write_file",
                    "path", "/work/config/constitution.yaml", "content", "immutable_constraints: []")));

            TestRecord<String, Task> rejected = filter.drain(Topics.TASKS_REJECTED).get(0);
            assertThat(header(rejected, EventHeaders.REASON)).startsWith("never_modify_constitution: ");
            assertThat(only(filter.values(Topics.AUDIT)).constraint()).isEqualTo("never_modify_constitution");
        }

        @Test
        void aDeclaredActionIsJudgedAsBefore() {
            for (var action : dev.hydra.topics.actions.CrewActions.standard().all()) {
                Task task = new Task("t-" + action.crew() + "-" + action.name(), null, 3, 50, "declared",
                        action.crew(), Map.of("action", action.name()), List.of(), List.of(), "test", FilterDriver.START);
                filter.propose(task);
                assertThat(filter.values(Topics.TASKS_APPROVED)).as(action.crew() + " " + action.name())
                        .extracting(Task::id).containsExactly(task.id());
                assertThat(only(filter.values(Topics.AUDIT)).verdict()).isEqualTo(Decision.ALLOW);
            }
        }

        @Test
        void sendsAMalformedProposalToTheDlqAndStillApprovesTheNextOne() {
            filter.raw(Topics.TASKS_PROPOSED).pipeInput("bad", "{\"priority\": 9".getBytes(StandardCharsets.UTF_8));
            filter.propose(FilterDriver.harmlessTask("t-after"));

            var dead = only1(filter.deadLetters());
            assertThat(dead.key()).isEqualTo("bad");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("hydra.tasks.proposed");
            assertThat(filter.values(Topics.TASKS_APPROVED)).extracting(Task::id).containsExactly("t-after");
            assertThat(filter.values(Topics.AUDIT)).extracting(AuditRecord::subjectId).containsExactly("t-after");
        }

        @Test
        void countsProposedApprovedAndVerdicts() {
            double proposed = sample("hydra_tasks_proposed_total");
            double approved = sample("hydra_tasks_approved_total");
            double allowVerdicts = sample("hydra_constitution_verdicts_total", "verdict", "ALLOW", "constraint", "none");
            double parked = sample("hydra_constitution_verdicts_total", "verdict", "NEEDS_APPROVAL",
                    "constraint", "never_delete_databases");

            filter.propose(FilterDriver.harmlessTask("m-1"));
            filter.propose(FilterDriver.harmlessTask("m-2"));
            filter.propose(FilterDriver.dropDatabaseTask("m-3"));
            double rejected = sample("hydra_tasks_rejected_total");
            filter.propose(FilterDriver.task("m-4", Map.of("action", "write_file",
                    "path", "/work/config/constitution.yaml", "content", "x")));
            assertThat(sample("hydra_tasks_rejected_total") - rejected).isEqualTo(1.0);

            assertThat(sample("hydra_tasks_proposed_total") - proposed).isEqualTo(4.0);
            assertThat(sample("hydra_tasks_approved_total") - approved).isEqualTo(2.0);
            assertThat(sample("hydra_constitution_verdicts_total", "verdict", "ALLOW", "constraint", "none")
                    - allowVerdicts).isEqualTo(2.0);
            assertThat(sample("hydra_constitution_verdicts_total", "verdict", "NEEDS_APPROVAL",
                    "constraint", "never_delete_databases") - parked).isEqualTo(1.0);
        }

        @Test
        void redactsSecretsBeforeTheApprovedTopic() {
            filter.propose(FilterDriver.task("t-secret", Map.of("action", "restart_service", "service", "letta",
                    "note", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789")));

            Task approved = filter.values(Topics.TASKS_APPROVED).get(0);
            assertThat(approved.task().get("note")).asString().contains("[REDACTED:github_token]")
                    .doesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        }

        @Test
        void parksTheRedactedItemAndReleasesExactlyWhatWasApproved() {
            Task drop = FilterDriver.task("t-secret-drop", Map.of("action", "optimize_inference",
                    "sql", "DROP DATABASE hydra", "note", "password=hunter2hunter2"));
            filter.propose(drop);
            ApprovalRequest request = filter.onlyRequest();
            assertThat(request.subject().toString()).doesNotContain("hunter2hunter2");

            filter.decide(approve(request, "admin"));

            Task released = filter.values(Topics.TASKS_APPROVED).get(0);
            assertThat(released).isEqualTo(filter.constitution.redact(drop));
            assertThat(ContentHash.of(ContentHash.asMap(released))).isEqualTo(request.contentSha256());
        }

        @Test
        void deadLettersATaskWhoseKeyIsNotItsIdAndRulesOnOneWithoutAKey() {
            Task task = FilterDriver.harmlessTask("t-key");
            filter.raw(Topics.TASKS_PROPOSED).pipeInput("some-other-key", dev.hydra.topics.Json.bytes(task));
            filter.raw(Topics.TASKS_PROPOSED).pipeInput((String) null, dev.hydra.topics.Json.bytes(task));

            // a key that names another task is a mistake to show, not to guess at (issue 16): dead-lettered
            assertThat(filter.deadLetters()).singleElement().satisfies(letter -> {
                assertThat(letter.key()).isEqualTo("some-other-key");
                assertThat(new String(letter.headers().lastHeader("hydra-dlq-error").value(),
                        java.nio.charset.StandardCharsets.UTF_8)).contains("'some-other-key'").contains("'t-key'");
            });
            assertThat(filter.drain(Topics.TASKS_APPROVED)).extracting(TestRecord::key).containsExactly("t-key");
            assertThat(filter.values(Topics.AUDIT)).singleElement().extracting(AuditRecord::subjectId).isEqualTo("t-key");
        }

        @Test
        void chainsEveryAuditRecordOfOneTaskToTheOneBefore() {
            filter.propose(FilterDriver.harmlessTask("same"));
            filter.propose(FilterDriver.harmlessTask("same"));

            List<AuditRecord> audits = filter.values(Topics.AUDIT);
            assertThat(audits).hasSize(2);
            assertThat(audits.get(0).prevHash()).isEmpty();
            assertThat(audits.get(1).prevHash()).isEqualTo(audits.get(0).hash());
            assertThat(audits.get(1).hash()).isEqualTo(AuditChain.hash(audits.get(1)));
        }
    }

    @Nested
    class ToolCalls {
        @Test
        void allowsAHarmlessToolCallKeyedByItsIdAndCorrelatedWithItsTask() {
            filter.request(FilterDriver.harmlessToolCall("c-1"));

            TestRecord<String, ToolCall> approved = only1(filter.drain(Topics.TOOLCALLS_APPROVED));
            assertThat(approved.key()).isEqualTo("c-1");
            assertThat(header(approved, EventHeaders.CORRELATION_ID)).isEqualTo("task-of-c-1");
            assertThat(header(approved, EventHeaders.TYPE)).isEqualTo("tool-call");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.subjectKind()).isEqualTo(SubjectKind.TOOL_CALL);
            assertThat(audit.verdict()).isEqualTo(Decision.ALLOW);
        }

        @Test
        void answersADeniedToolCallWithADeniedResultNamingTheConstraint() {
            filter.request(FilterDriver.constitutionWrite("c-deny"));

            assertThat(filter.drain(Topics.TOOLCALLS_APPROVED)).isEmpty();
            TestRecord<String, ToolResult> result = only1(filter.drain(Topics.TOOLCALLS_RESULTS));
            assertThat(result.key()).isEqualTo("c-deny");
            assertThat(result.value().status()).isEqualTo(ToolStatus.DENIED);
            assertThat(result.value().taskId()).isEqualTo("task-of-c-deny");
            assertThat(result.value().output()).startsWith("never_modify_constitution: ");
            assertThat(header(result, EventHeaders.TYPE)).isEqualTo("tool-result");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.verdict()).isEqualTo(Decision.DENY);
            assertThat(audit.subjectId()).isEqualTo("c-deny");
        }

        @Test
        void releasesAnApprovedToolCallAndAnswersARejectedOneWithDenied() {
            filter.request(FilterDriver.dropDatabaseToolCall("c-ok"));
            ApprovalRequest first = filter.onlyRequest();
            filter.request(FilterDriver.dropDatabaseToolCall("c-no"));
            ApprovalRequest second = filter.onlyRequest();
            assertThat(first.subjectKind()).isEqualTo(SubjectKind.TOOL_CALL);

            filter.decide(approve(first, "admin"));
            filter.decide(reject(second, "shaun"));

            assertThat(filter.values(Topics.TOOLCALLS_APPROVED)).extracting(ToolCall::id).containsExactly("c-ok");
            ToolResult denied = filter.values(Topics.TOOLCALLS_RESULTS).get(0);
            assertThat(denied.toolCallId()).isEqualTo("c-no");
            assertThat(denied.status()).isEqualTo(ToolStatus.DENIED);
            assertThat(denied.output()).contains("never_delete_databases").contains("rejected by shaun");
        }
    }

    @Nested
    class Approvals {
        @Test
        void releasesAnApprovedTaskAndRecordsTheDecision() {
            filter.propose(FilterDriver.dropDatabaseTask("t-a"));
            ApprovalRequest request = filter.onlyRequest();
            filter.drain(Topics.AUDIT);

            filter.decide(approve(request, "admin"));

            TestRecord<String, Task> released = only1(filter.drain(Topics.TASKS_APPROVED));
            assertThat(released.key()).isEqualTo("t-a");
            assertThat(released.value()).isEqualTo(FilterDriver.dropDatabaseTask("t-a"));
            assertThat(header(released, EventHeaders.CORRELATION_ID)).isEqualTo("t-a");
            ApprovalRequest decided = filter.onlyRequest();
            assertThat(decided.id()).isEqualTo(request.id());
            assertThat(decided.status()).isEqualTo(ApprovalStatus.APPROVED);
            assertThat(decided.decidedBy()).isEqualTo("admin");
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.action()).isEqualTo("approval_decision");
            assertThat(audit.subjectKind()).isEqualTo(SubjectKind.APPROVAL);
            assertThat(audit.subjectId()).isEqualTo(request.id());
            assertThat(audit.verdict()).isEqualTo(Decision.ALLOW);
            assertThat(audit.actor()).isEqualTo("admin");
            assertThat(CollectorRegistry.defaultRegistry.getSampleValue("hydra_approval_queue_size")).isEqualTo(0.0);
        }

        @Test
        void signsAnApprovedReleaseAsApproved() {
            filter.request(FilterDriver.dropDatabaseToolCall("c-signed"));
            filter.decide(approve(filter.onlyRequest(), "admin"));

            TestRecord<String, ToolCall> released = only1(filter.drain(Topics.TOOLCALLS_APPROVED));
            assertThat(VerdictSignature.parse(header(released, EventHeaders.SIGNATURE)).verdict())
                    .isEqualTo(VerdictSignature.APPROVED);
            assertThat(TestSigning.verifier(filter.constitution.sha256()).refusal(released.headers(), released.value())).isEmpty();
        }

        @Test
        void neverSignsARejectedOrParkedItem() {
            filter.propose(FilterDriver.dropDatabaseTask("t-never"));
            filter.decide(reject(filter.onlyRequest(), "admin"));

            assertThat(filter.drain(Topics.TASKS_REJECTED)).singleElement()
                    .satisfies(rejected -> assertThat(header(rejected, EventHeaders.SIGNATURE)).isNull());
        }

        @Test
        void sendsARejectedTaskToRejected() {
            filter.propose(FilterDriver.dropDatabaseTask("t-r"));
            ApprovalRequest request = filter.onlyRequest();

            filter.decide(reject(request, "shaun"));

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.values(Topics.TASKS_REJECTED)).extracting(Task::id).containsExactly("t-r");
            assertThat(filter.onlyRequest().status()).isEqualTo(ApprovalStatus.REJECTED);
            assertThat(filter.values(Topics.AUDIT)).last().satisfies(audit -> {
                assertThat(audit.action()).isEqualTo("approval_decision");
                assertThat(audit.verdict()).isEqualTo(Decision.DENY);
            });
        }

        @Test
        void expiresAnUndecidedRequestAfterTheTimeout() {
            filter.propose(FilterDriver.dropDatabaseTask("t-x"));
            ApprovalRequest request = filter.onlyRequest();
            filter.drain(Topics.AUDIT);

            filter.advance(FilterDriver.TIMEOUT.minusMinutes(1));
            assertThat(filter.drain(Topics.TASKS_REJECTED)).isEmpty();
            assertThat(filter.drain(Topics.APPROVAL_REQUESTS)).isEmpty();

            filter.advance(Duration.ofMinutes(1));
            assertThat(filter.values(Topics.TASKS_REJECTED)).extracting(Task::id).containsExactly("t-x");
            ApprovalRequest expired = filter.onlyRequest();
            assertThat(expired.id()).isEqualTo(request.id());
            assertThat(expired.status()).isEqualTo(ApprovalStatus.EXPIRED);
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.action()).isEqualTo("approval_expired");
            assertThat(audit.verdict()).isEqualTo(Decision.DENY);

            filter.decide(approve(request, "admin"));
            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(only(filter.values(Topics.AUDIT)).action()).isEqualTo("approval_refused");
        }

        @Test
        void refusesAnApprovalWhoseHashIsNotTheParkedItems() {
            filter.propose(FilterDriver.dropDatabaseTask("t-h"));
            ApprovalRequest request = filter.onlyRequest();
            filter.drain(Topics.AUDIT);

            String otherHash = ContentHash.of(ContentHash.asMap(FilterDriver.dropDatabaseTask("t-other")));
            filter.decide(new ApprovalDecision(request.id(), otherHash, true, "admin", "", FilterDriver.START));

            assertRefused(request.id(), "contentSha256 does not match");
            // the request is still pending: a correct decision still works
            filter.decide(approve(request, "admin"));
            assertThat(filter.values(Topics.TASKS_APPROVED)).extracting(Task::id).containsExactly("t-h");
        }

        @Test
        void refusesAnApprovalFromSomeoneWhoIsNotAnApprover() {
            filter.propose(FilterDriver.dropDatabaseTask("t-n"));
            ApprovalRequest request = filter.onlyRequest();
            filter.drain(Topics.AUDIT);

            filter.decide(approve(request, "mallory"));

            assertRefused(request.id(), "mallory is not an approver");
        }

        @Test
        void refusesASecondDecisionOnADecidedRequest() {
            filter.propose(FilterDriver.dropDatabaseTask("t-2"));
            ApprovalRequest request = filter.onlyRequest();
            filter.decide(reject(request, "shaun"));
            filter.drain(Topics.TASKS_REJECTED);
            filter.drain(Topics.APPROVAL_REQUESTS);
            filter.drain(Topics.AUDIT);

            filter.decide(approve(request, "admin"));

            assertRefused(request.id(), "already rejected by shaun");
            assertThat(filter.drain(Topics.TASKS_REJECTED)).isEmpty();
        }

        @Test
        void anApprovalDoesNotReleaseWhatTheConstitutionNowDenies() {
            filter.close();
            filter = new FilterDriver(dev.hydra.constitution.rules.Constitution.parse(FilterDriver.testConstitutionYaml()
                    .replace("action: queue_for_approval", "action: deny"), "stricter.yaml"));
            // A request parked under the previous constitution, as its verdict processor wrote it.
            Task drop = FilterDriver.dropDatabaseTask("t-now-denied");
            Map<String, Object> subject = ContentHash.asMap(drop);
            ApprovalRequest parked = new ApprovalRequest("parked-before", SubjectKind.TASK, drop.id(), subject,
                    ContentHash.of(subject), "never_delete_databases", "SQL drops a database", ApprovalStatus.PENDING,
                    FilterDriver.START, FilterDriver.START.plus(FilterDriver.TIMEOUT), "", "");
            filter.raw(Topics.APPROVAL_REQUESTS).pipeInput(parked.id(), dev.hydra.topics.Json.bytes(parked));

            filter.decide(approve(parked, "admin"));

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.values(Topics.TASKS_REJECTED)).extracting(Task::id).containsExactly("t-now-denied");
            assertThat(filter.values(Topics.APPROVAL_REQUESTS)).last()
                    .satisfies(r -> assertThat(r.status()).isEqualTo(ApprovalStatus.REJECTED));
            assertThat(only(filter.values(Topics.AUDIT)).reason()).contains("the constitution now denies it");
        }

        @Test
        void refusesADecisionForAnUnknownRequest() {
            filter.decide(new ApprovalDecision("no-such-request", "ab12", true, "admin", "", FilterDriver.START));

            assertRefused("no-such-request", "no such approval request");
        }

        @Test
        void ignoresAForgedPendingRequestWhoseSubjectDoesNotMatchItsHash() {
            Task drop = FilterDriver.dropDatabaseTask("t-forged");
            ApprovalRequest forged = new ApprovalRequest("forged-1", SubjectKind.TASK, drop.id(),
                    ContentHash.asMap(drop), "0".repeat(64), "", "", ApprovalStatus.PENDING, FilterDriver.START,
                    FilterDriver.START.plus(FilterDriver.TIMEOUT), "", "");
            filter.raw(Topics.APPROVAL_REQUESTS).pipeInput(forged.id(), dev.hydra.topics.Json.bytes(forged));
            filter.decide(new ApprovalDecision("forged-1", "0".repeat(64), true, "admin", "", FilterDriver.START));

            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.values(Topics.AUDIT)).extracting(AuditRecord::action)
                    .containsExactly("approval_refused", "approval_refused");
            assertThat(filter.notified).isEmpty();
        }

        private void assertRefused(String requestId, String why) {
            assertThat(filter.drain(Topics.TASKS_APPROVED)).isEmpty();
            assertThat(filter.drain(Topics.APPROVAL_REQUESTS)).isEmpty();
            AuditRecord audit = only(filter.values(Topics.AUDIT));
            assertThat(audit.action()).isEqualTo("approval_refused");
            assertThat(audit.subjectKind()).isEqualTo(SubjectKind.APPROVAL);
            assertThat(audit.subjectId()).isEqualTo(requestId);
            assertThat(audit.verdict()).isNull();
            assertThat(audit.reason()).contains(why);
        }
    }

    @Nested
    class ExecutionAudit {
        @Test
        void auditsAnExecutedToolCallAfterItsVerdictInOneChain() {
            ToolCall call = FilterDriver.harmlessToolCall("c-run");
            filter.request(call);
            filter.report(new ToolResult(call.id(), call.taskId(), ToolStatus.OK, "print('hi')", FilterDriver.START));

            List<TestRecord<String, AuditRecord>> audit = filter.drain(Topics.AUDIT);
            assertThat(audit).extracting(r -> r.value().action()).containsExactly("verdict", "executed");
            AuditRecord executed = audit.get(1).value();
            assertThat(audit.get(1).key()).isEqualTo("c-run");
            assertThat(executed.subjectKind()).isEqualTo(SubjectKind.TOOL_CALL);
            assertThat(executed.reason()).isEqualTo("OK: print('hi')");
            assertThat(executed.actor()).isEqualTo("tool-executor");
            assertThat(executed.prevHash()).isEqualTo(audit.get(0).value().hash());
            assertThat(header(audit.get(1), EventHeaders.CORRELATION_ID)).isEqualTo(call.taskId());
            assertThat(AuditVerifier.strict().verify(entries(audit)).intact()).isTrue();
        }

        @Test
        void auditsATaskOnceWhenItsCrewReportsTheEndAndNotItsOtherStatuses() {
            Task task = FilterDriver.harmlessTask("t-run");
            filter.propose(task);
            filter.status(new TaskStatus(task.id(), task.crew(), TaskState.CLAIMED, "node-a", 1, "", FilterDriver.START));
            TaskStatus completed = new TaskStatus(task.id(), task.crew(), TaskState.COMPLETED, "node-a", 1,
                    "letta restarted", FilterDriver.START);
            filter.status(completed);
            filter.status(completed); // at least once: a redelivered report

            List<TestRecord<String, AuditRecord>> audit = filter.drain(Topics.AUDIT);
            assertThat(audit).extracting(r -> r.value().action()).containsExactly("verdict", "executed");
            assertThat(audit.get(1).value().reason()).isEqualTo("COMPLETED (attempt 1): letta restarted");
            assertThat(audit.get(1).value().actor()).isEqualTo("node-a");
            assertThat(AuditVerifier.strict().verify(entries(audit)).intact()).isTrue();
        }

        /**
         * Any crew may write hydra.tasks.status: the development crew reports research's task as FAILED
         * under its own key, then unsigned, then with research's header twice. None is audited as the
         * task's execution, and the real report after them still is (the forgeries did not mark it audited).
         */
        @Test
        void aStatusNotSignedByTheCrewItNamesIsNotAuditedAsTheTasksExecution() {
            Task task = FilterDriver.harmlessTask("t-forged-end");
            filter.propose(task);
            TaskStatus forged = new TaskStatus(task.id(), task.crew(), TaskState.FAILED, "node-evil", 1,
                    "gave up", FilterDriver.START);
            filter.status(forged, TestSigning.writerSigned("development", Topics.TASK_STATUS, task.id(), forged));
            filter.status(forged, EventHeaders.of(Topics.TASK_STATUS, task.id()));
            var twice = TestSigning.writerSigned(task.crew().wireName(), Topics.TASK_STATUS, task.id(), forged);
            twice.add(twice.lastHeader(EventHeaders.CREW_SIGNATURE));
            filter.status(forged, twice);
            TaskStatus completed = new TaskStatus(task.id(), task.crew(), TaskState.COMPLETED, "node-a", 1, "done",
                    FilterDriver.START);
            filter.status(completed);

            List<TestRecord<String, AuditRecord>> audit = filter.drain(Topics.AUDIT);
            assertThat(audit).extracting(r -> r.value().action()).containsExactly("verdict", "executed");
            assertThat(audit.get(1).value().reason()).isEqualTo("COMPLETED (attempt 1): done");
            assertThat(audit.get(1).value().actor()).isEqualTo("node-a");
        }

        @Test
        void auditsARefusalWithItsReasonEvenForAnItemWithoutVerdict() {
            filter.report(new ToolResult("c-forged", "t-x", ToolStatus.REFUSED, "no hydra-signature header",
                    FilterDriver.START));

            AuditRecord refused = only(filter.values(Topics.AUDIT));
            assertThat(refused.action()).isEqualTo("execution_refused");
            assertThat(refused.subjectId()).isEqualTo("c-forged");
            assertThat(refused.reason()).contains("no hydra-signature header");
            assertThat(refused.prevHash()).isEmpty();
        }

        @Test
        void theFiltersOwnDeniedAnswerIsNotAnExecution() {
            filter.request(FilterDriver.dropDatabaseToolCall("c-denied"));
            filter.decide(reject(filter.onlyRequest(), "admin"));
            filter.drain(Topics.AUDIT);
            ToolResult denied = filter.values(Topics.TOOLCALLS_RESULTS).get(0);

            filter.report(denied);

            assertThat(filter.drain(Topics.AUDIT)).isEmpty();
        }

        private List<AuditVerifier.Entry> entries(List<TestRecord<String, AuditRecord>> records) {
            List<AuditVerifier.Entry> entries = new java.util.ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                entries.add(new AuditVerifier.Entry(0, i, records.get(i).key(), records.get(i).value()));
            }
            return entries;
        }
    }

    private static <V> TestRecord<String, V> only1(List<TestRecord<String, V>> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private static double sample(String name, String... labels) {
        String[] names = new String[labels.length / 2];
        String[] values = new String[labels.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels[2 * i];
            values[i] = labels[2 * i + 1];
        }
        Double value = CollectorRegistry.defaultRegistry.getSampleValue(name, names, values);
        return value == null ? 0.0 : value;
    }
}
