package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options and calls for commands that ask a running stack's HTTP API (memory lives in the projector). */
final class ConsoleClient {
    @Option(names = "--url", defaultValue = "${env:HYDRA_URL:-http://127.0.0.1:8701}",
            description = "the running stack's console (default: ${DEFAULT-VALUE})")
    String url;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** GETs a path and returns its JSON; an error response's message becomes the exception's. */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalArgumentException("no Hydra console at " + url + " (is `hydra up` running? --url names another)");
        }
        JsonNode body = Json.parse(response.body());
        if (response.statusCode() >= 400) {
            throw new IllegalArgumentException(body.path("error").asText("HTTP " + response.statusCode()));
        }
        return body;
    }
}
