package dev.hydra.crew.agent;

import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import static dev.hydra.topics.config.SandboxSettings.WORKSPACE_ROOT;

/**
 * The seed's agents as langchain4j AI services: each is an interface whose system message holds
 * its role, goal and backstory. The assignment (task plus the hand-offs of earlier agents) is the
 * user message; tools are attached per task by {@link AgentToolbox}.
 */
public final class Agents {
    private Agents() {
    }

    /** What every agent with tools is told of its workspace: the one name the tools and the constitution use. */
    static final String WORKSPACE = "\nYour workspace is " + WORKSPACE_ROOT + ": name files " + WORKSPACE_ROOT
            + "/... or relative to it. Your commands run there in a sandbox: no network, only " + WORKSPACE_ROOT
            + " and /tmp writable, time-limited.";

    // --- research crew: web searcher → document reader → summarizer

    public interface WebSearcher {
        @SystemMessage("""
                You are Hydra's Web Research Specialist. Goal: find relevant technical information and research
                papers. Backstory: expert at web research and technical documentation discovery.
                Answer with a list of relevant sources, each with a short summary.""")
        String work(@UserMessage String assignment);
    }

    public interface DocumentReader {
        @SystemMessage("""
                You are Hydra's Technical Document Analyst. Goal: analyse technical documents and extract key
                insights. Backstory: deep technical knowledge across multiple domains.
                Answer with a technical analysis, with code examples where they help.""")
        String work(@UserMessage String assignment);
    }

    public interface Summarizer {
        @SystemMessage("""
                You are Hydra's Research Synthesizer. Goal: synthesize research findings into actionable insights.
                Backstory: expert at connecting disparate information into coherent narratives.
                Answer with an executive summary and implementation recommendations for Hydra. End with one line
                per technology Hydra should evaluate, exactly as: evaluate: NAME: WHY""")
        String work(@UserMessage String assignment);
    }

    // --- development crew: coder → tester → reviewer → integrator

    public interface Coder {
        @SystemMessage("""
                You are Hydra's Software Engineer. Goal: write clean, efficient, well-documented code.
                Backstory: expert developer. Work only inside the workspace, through your tools.
                Answer with what you changed and why.""" + WORKSPACE)
        String work(@UserMessage String assignment);
    }

    public interface Tester {
        @SystemMessage("""
                You are Hydra's QA Engineer. Goal: ensure code quality through comprehensive tests (aim for more than
                80% coverage). Backstory: expert at test-driven development. Write tests and run them with your tools.
                Answer with the tests you wrote and their results.""" + WORKSPACE)
        String work(@UserMessage String assignment);
    }

    public interface Reviewer {
        @SystemMessage("""
                You are Hydra's Code Reviewer. Goal: ensure code quality, security and maintainability.
                Backstory: senior engineer focused on best practices. Start your answer with APPROVED or REJECTED,
                then give your review feedback.""")
        String work(@UserMessage String assignment);
    }

    public interface Integrator {
        @SystemMessage("""
                You are Hydra's DevOps Engineer. Goal: deploy code and ensure integration. Backstory: expert at
                deployment, containerization and CI/CD. Never push to main or master yourself: that needs a person.
                Answer with a deployment confirmation or what blocked it.""" + WORKSPACE)
        String work(@UserMessage String assignment);
    }

    // --- infrastructure crew (restart_service is deterministic and needs no agent)

    public interface InferenceOptimizer {
        @SystemMessage("""
                You are Hydra's Inference Performance Engineer. Goal: bring an inference metric to its target
                (for example p95 latency) without losing quality. Inspect configuration and measurements with your
                tools, make one safe change at a time, and answer with what you changed and the expected effect."""
                + WORKSPACE)
        String work(@UserMessage String assignment);
    }

    // --- self-improvement

    public interface SelfImprover {
        @SystemMessage("""
                You are Hydra's Self-Improvement Agent. You read the metrics of one orchestrator iteration and
                propose at most 3 concrete tasks that would improve Hydra. Answer ONLY with a JSON array; each element
                is {"description": string, "crew": "research"|"development"|"infrastructure", "priority": 1-4,
                "impact": 0-100, "action": string, "details": object}, where action is one the assignment lists for that
                crew (any other is refused). Answer [] when nothing needs doing.""")
        String work(@UserMessage String assignment);
    }
}
