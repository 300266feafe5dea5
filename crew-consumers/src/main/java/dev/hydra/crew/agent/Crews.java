package dev.hydra.crew.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.crew.StepJournal;
import dev.hydra.crew.TaskOutcome;
import dev.hydra.topics.Json;
import dev.hydra.topics.actions.CrewAction;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.memory.ResearchFindings;
import dev.hydra.topics.memory.Technology;
import dev.langchain4j.model.chat.ChatModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The seed's crews: which agents work a task, in which order, with which tools. */
public final class Crews {

    /** Where the self-improvement agent's proposals go ({@code hydra.tasks.proposed} in Hydra). */
    @FunctionalInterface
    public interface TaskProposer {
        void propose(Task task) throws Exception;
    }

    private Crews() {
    }

    public static AgentCrew research(ChatModel model, String modelName, ToolGateway gateway, AgentCrew.Limits limits) {
        return new AgentCrew(Crew.RESEARCH, List.of(
                new AgentCrew.Stage<>("web_searcher", Agents.WebSearcher.class, Agents.WebSearcher::work,
                        List.of("web_search", "web_fetch"),
                        "Research the topic. Find latest developments, key technologies and implementation patterns."),
                new AgentCrew.Stage<>("document_reader", Agents.DocumentReader.class, Agents.DocumentReader::work,
                        List.of("read_file", "web_fetch"),
                        "Analyse the sources. Extract key technical details and implementation patterns."),
                new AgentCrew.Stage<>("summarizer", Agents.Summarizer.class, Agents.Summarizer::work,
                        List.of("write_file"),
                        "Synthesize the findings into actionable recommendations for Hydra.")),
                model, modelName, gateway, limits, researchFindings());
    }

    /**
     * The research crew's summary, with the technologies it says Hydra should evaluate (its
     * {@code evaluate: NAME: WHY} lines, read as the assessor reads the research_findings block) as the
     * result's {@code technologies_to_evaluate}: the memory projector writes them into that block, and
     * the seed's P4 rule turns each into an evaluate_technology task, no person involved.
     */
    static AgentCrew.Finisher researchFindings() {
        return (context, answers, artefacts, tokens) -> {
            TaskOutcome summary = AgentCrew.lastAnswer().finish(context, answers, artefacts, tokens);
            List<Technology> found = ResearchFindings.technologiesToEvaluate(summary.summary());
            if (found.isEmpty()) {
                return summary;
            }
            Map<String, Object> all = new LinkedHashMap<>(summary.artefacts());
            all.put(ResearchFindings.FIELD, found.stream().map(Technology::asMap).toList());
            return TaskOutcome.succeeded(summary.summary(), all, tokens);
        };
    }

    public static AgentCrew development(ChatModel model, String modelName, ToolGateway gateway,
                                       AgentCrew.Limits limits) {
        return new AgentCrew(Crew.DEVELOPMENT, List.of(
                new AgentCrew.Stage<>("coder", Agents.Coder.class, Agents.Coder::work,
                        List.of("read_file", "write_file", "run_shell"),
                        "Implement it. Follow Hydra's coding standards."),
                new AgentCrew.Stage<>("tester", Agents.Tester.class, Agents.Tester::work,
                        List.of("read_file", "write_file", "run_shell"),
                        "Write tests for it and run them."),
                new AgentCrew.Stage<>("reviewer", Agents.Reviewer.class, Agents.Reviewer::work,
                        List.of("read_file", "git_diff"),
                        "Review the code for quality, security and maintainability."),
                new AgentCrew.Stage<>("integrator", Agents.Integrator.class, Agents.Integrator::work,
                        List.of("git_status", "git_checkout", "git_commit", "git_push", "run_shell"),
                        "Integrate it on a feature branch if the review approved it.")),
                model, modelName, gateway, limits, AgentCrew.lastAnswer());
    }

    public static AgentCrew inferenceOptimization(ChatModel model, String modelName, ToolGateway gateway,
                                                  AgentCrew.Limits limits) {
        return new AgentCrew(Crew.INFRASTRUCTURE, List.of(
                new AgentCrew.Stage<>("inference_optimizer", Agents.InferenceOptimizer.class,
                        Agents.InferenceOptimizer::work, List.of("read_file", "run_shell", "restart_container"),
                        "Bring the target metric to its target value.")),
                model, modelName, gateway, limits, AgentCrew.lastAnswer());
    }

    /**
     * The self-improvement agent: reads the iteration's metrics (the task's details) and proposes
     * tasks; each proposal is published once per (task, attempt, proposal number), under an id nobody can
     * compute in advance.
     */
    public static AgentCrew selfImprovement(ChatModel model, String modelName, ToolGateway gateway,
                                           AgentCrew.Limits limits, TaskProposer proposer) {
        return new AgentCrew(Crew.SELF_IMPROVEMENT, List.of(
                new AgentCrew.Stage<>("self_improver", Agents.SelfImprover.class, Agents.SelfImprover::work,
                        List.of(), "Propose improvement tasks from these iteration metrics. " + proposableActions())),
                model, modelName, gateway, limits, (context, answers, artefacts, tokens) -> {
                    String answer = answers.getOrDefault("self_improver", "");
                    List<String> proposed = new ArrayList<>();
                    List<String> skipped = new ArrayList<>();
                    List<Task> tasks = proposals(context.task(), context.attempt(), answer, skipped);
                    for (int i = 0; i < tasks.size(); i++) {
                        Task task = tasks.get(i);
                        StepJournal.StepResult step = context.step("propose:" + i, () -> {
                            proposer.propose(task);
                            return StepJournal.StepResult.ok(task.id());
                        });
                        proposed.add(step.summary());
                    }
                    Map<String, Object> all = new LinkedHashMap<>(artefacts);
                    all.put("proposedTaskIds", proposed);
                    all.put("skippedProposals", skipped);
                    return TaskOutcome.succeeded("proposed " + proposed.size() + " task(s)"
                            + (skipped.isEmpty() ? "" : ", skipped " + skipped.size() + " invalid"), all, tokens);
                });
    }

    /**
     * The actions a proposal may name, per crew, from the contract (never noop, never the
     * self-improvement crew's own): the agent is told them, and a proposal naming another is skipped.
     */
    static String proposableActions() {
        StringBuilder text = new StringBuilder("A task's action must be one its crew runs:");
        for (Crew crew : List.of(Crew.RESEARCH, Crew.DEVELOPMENT, Crew.INFRASTRUCTURE)) {
            text.append(' ').append(crew.wireName()).append(": ").append(String.join(", ", CrewActions.standard()
                    .of(crew).stream().filter(a -> a.runBy() == CrewAction.RunBy.AGENTS).map(CrewAction::name)
                    .toList())).append(';');
        }
        text.setLength(text.length() - 1);
        return text.append('.').toString();
    }

    /** The proposals in the agent's answer (a JSON array, possibly wrapped in prose or a code fence). */
    static List<Task> proposals(Task origin, int attempt, String answer, List<String> skipped) {
        int from = answer.indexOf('[');
        int to = answer.lastIndexOf(']');
        if (from < 0 || to < from) {
            skipped.add("answer holds no JSON array");
            return List.of();
        }
        JsonNode array;
        try {
            array = Json.MAPPER.readTree(answer.substring(from, to + 1));
        } catch (Exception e) {
            skipped.add("answer is not a JSON array: " + e.getMessage());
            return List.of();
        }
        List<Task> tasks = new ArrayList<>();
        // A random part, so that nobody who saw the origin task can publish a task under a proposal's id
        // first (the router would track that one and ignore the proposal as a redelivery). A redelivered
        // attempt does not propose twice: each proposal is a journalled step, which returns the id it made.
        String nonce = UUID.randomUUID().toString();
        for (int i = 0; i < array.size(); i++) {
            JsonNode p = array.get(i);
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                if (p.path("details").isObject()) {
                    body.putAll(Json.MAPPER.convertValue(p.path("details"), Map.class));
                }
                body.put("action", p.path("action").asText(""));
                String id = UUID.nameUUIDFromBytes((origin.id() + "/" + attempt + "/proposal/" + i + "/" + nonce)
                        .getBytes(StandardCharsets.UTF_8)).toString();
                Crew crew = Crew.fromWire(p.path("crew").asText(""));
                // skipped here with the reason rather than refused by the filter after it was proposed
                tasks.add(CrewActions.standard().requireDeclared(new Task(id, crew.wireName(),
                        p.path("priority").asInt(3), p.path("impact").asInt(50), p.path("description").asText(""),
                        crew, body, List.of(), List.of(), "self-improvement:" + origin.id(), Instant.now())));
            } catch (RuntimeException e) {
                skipped.add("proposal " + i + ": " + e.getMessage());
            }
        }
        return tasks;
    }
}
