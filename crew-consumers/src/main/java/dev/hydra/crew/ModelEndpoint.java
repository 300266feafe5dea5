package dev.hydra.crew;

import dev.hydra.crew.agent.ForwardingChatModel;
import dev.hydra.topics.config.HydraConfig;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's model endpoint ({@code crews.llm.baseUrl}) and whether it can be reached: the
 * worker probes it at start and, while it is down, every {@code crews.llm.probeInterval}; a model
 * call that cannot connect marks it down at once. A down endpoint makes the worker DEGRADED (it
 * takes no task, so the crew's other members get them) and every error about it names the
 * endpoint and the setting that points at it, which is what a person has to fix.
 */
public final class ModelEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ModelEndpoint.class);
    /** Endpoints this process has warned about as down, until they answer again. */
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A probe asks for the connection only: any HTTP answer, even an error, means the server is there. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final String baseUrl;
    private final ChatModel model;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    private volatile String down;

    ModelEndpoint(HydraConfig config) {
        this.baseUrl = config.get(CrewSettings.LLM_BASE_URL);
        this.model = new Reporting(OpenAiChatModel.builder().baseUrl(baseUrl)
                .apiKey(config.get(CrewSettings.LLM_API_KEY)).modelName(config.get(CrewSettings.LLM_MODEL))
                .timeout(config.get(CrewSettings.LLM_TIMEOUT)).maxRetries(1).build());
    }

    /** The endpoint's chat model: a call that cannot connect throws {@link UnreachableException}. */
    public ChatModel chatModel() {
        return model;
    }

    /** Why the endpoint is taken to be down, naming it and its setting; empty while it answers. */
    public Optional<String> down() {
        return Optional.ofNullable(down);
    }

    /**
     * Asks the endpoint for its model list and records whether it answered.
     *
     * @return true if it answered (whatever the HTTP status)
     */
    public boolean probe() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl.replaceAll("/+$", "") + "/models"))
                .timeout(PROBE_TIMEOUT).GET().build();
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
            if (down != null && WARNED.remove(baseUrl)) {
                LOG.info("model endpoint {} answers again", baseUrl);
            }
            down = null;
            return true;
        } catch (IOException e) {
            markDown(e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down == null;
        }
    }

    private String markDown(Throwable cause) {
        String reason = explain(cause);
        if (down == null) {
            // the crews of one process usually share an endpoint: one warning says it for all of them
            if (WARNED.add(baseUrl)) {
                LOG.warn("{}", reason);
            } else {
                LOG.debug("{}", reason);
            }
        }
        down = reason;
        return reason;
    }

    /** The sentence a person reads in the task's result, the node's announcement and /health. */
    private String explain(Throwable cause) {
        return "model endpoint " + baseUrl + " is unreachable (" + describe(cause) + "); check that it is up, or "
                + "point this worker at its node's OpenAI-compatible endpoint with HYDRA_LLM_BASE_URL or "
                + "--llm-base-url (crews.llm.baseUrl)";
    }

    /** What went wrong in words a person reads (a refused connection, a timeout, an unknown host), with its detail. */
    private static String describe(Throwable cause) {
        Throwable root = unreachable(cause);
        Throwable shown = root != null ? root : cause;
        String what = shown instanceof ConnectException ? "connection refused"
                : shown instanceof HttpConnectTimeoutException ? "connection timed out"
                : shown instanceof UnknownHostException ? "unknown host"
                : shown instanceof NoRouteToHostException ? "no route to host"
                : shown.getClass().getSimpleName();
        String detail = shown.getMessage();
        return what + (detail == null || detail.isBlank() || detail.equalsIgnoreCase(what) ? "" : ": " + detail);
    }

    /** The cause that says no connection could be made, if that is what {@code error} is about. */
    static Throwable unreachable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return t;
            }
        }
        return null;
    }

    /** A model call failed because the endpoint cannot be reached: retriable, and the message says what to fix. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Turns a failure to connect into an {@link UnreachableException} and marks the endpoint down. */
    private final class Reporting extends ForwardingChatModel {
        Reporting(ChatModel delegate) {
            super(delegate);
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            try {
                return delegate.chat(request);
            } catch (RuntimeException e) {
                if (unreachable(e) == null) {
                    throw e;
                }
                throw new UnreachableException(markDown(e), e);
            }
        }
    }
}
