package dev.hydra.crew.agent;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.Set;

/**
 * A chat model that wraps another one and answers for it what a wrapper does not change (its default
 * parameters, its capabilities): subclasses decide only what happens around a call.
 */
public abstract class ForwardingChatModel implements ChatModel {
    protected final ChatModel delegate;

    protected ForwardingChatModel(ChatModel delegate) {
        this.delegate = delegate;
    }

    @Override
    public abstract ChatResponse doChat(ChatRequest request);

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }
}
