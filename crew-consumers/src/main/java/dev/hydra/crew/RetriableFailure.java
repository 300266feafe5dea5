package dev.hydra.crew;

import dev.langchain4j.exception.RetriableException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;

/**
 * The task could not be done now for a reason that may pass (model endpoint down, rate limit,
 * timeout): reported INTERRUPTED, so that the router retries it with the next attempt after its
 * backoff. Every other error of an executor is terminal: the task FAILS with it.
 */
final class RetriableFailure extends Exception {
    RetriableFailure(Throwable cause) {
        super(message(cause), cause);
    }

    /** An unreachable endpoint's own message names it and its setting; agents may wrap it in other errors. */
    private static String message(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ModelEndpoint.UnreachableException) {
                return t.getMessage();
            }
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof ModelEndpoint.UnreachableException
                    || t instanceof ConnectException
                    || t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
