package dev.hydra.crew.agent;

import dev.hydra.crew.CrewMetrics;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;

/**
 * The model as one task sees it: every call is checked against the task's {@link TaskBudget} and
 * its tokens are counted, per crew and model, in {@code hydra_llm_tokens_total}.
 */
final class GuardedChatModel extends ForwardingChatModel {
    private final TaskBudget budget;
    private final String crew;
    private final String model;

    GuardedChatModel(ChatModel delegate, TaskBudget budget, String crew, String model) {
        super(delegate);
        this.budget = budget;
        this.crew = crew;
        this.model = model;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        budget.beforeModelCall();
        ChatResponse response = delegate.chat(request);
        TokenUsage usage = response.tokenUsage();
        long tokens = usage == null || usage.totalTokenCount() == null ? 0 : usage.totalTokenCount();
        CrewMetrics.LLM_TOKENS.labels(crew, model).inc(tokens);
        budget.spent(tokens);
        return response;
    }
}
