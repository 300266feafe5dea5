package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options and calls for commands that ask a running stack's HTTP API (memory lives in the projector). */
final class ConsoleClient {
    @Option(names = "--config", description = "hydra.yaml (default: ${DEFAULT-VALUE}; env HYDRA_CONFIG)",
            defaultValue = "${env:HYDRA_CONFIG:-config/hydra.yaml}")
    Path configFile;

    @Option(names = "--http-url", paramLabel = "URL", description = "the running stack's console (default: HYDRA_HTTP_URL,"
            + " else http://127.0.0.1:$HYDRA_HTTP_PORT, else the stack `hydra up` runs in the data directory,"
            + " else http://127.0.0.1:<http.port of the config>)")
    String httpUrl;

    /** The name this option had before every command called it --http-url. */
    @Option(names = "--url", hidden = true)
    void legacyUrl(String url) {
        httpUrl = url;
    }

    private String url() {
        return StackEndpoints.httpUrl(httpUrl, SettingsCatalog.checked(HydraConfig.load(configFile, System.getenv())));
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A person's login for the API: env HYDRA_USER / HYDRA_PASSWORD, or asked on the terminal. */
    record Login(String user, String password) {
        static Login fromEnvironmentOrPrompt() {
            String user = System.getenv("HYDRA_USER");
            String password = System.getenv("HYDRA_PASSWORD");
            java.io.Console terminal = System.console();
            if ((user == null || password == null) && terminal == null) {
                throw new IllegalArgumentException("log in: set HYDRA_USER and HYDRA_PASSWORD (no terminal to ask on)");
            }
            if (user == null) {
                user = terminal.readLine("login: ");
            }
            if (password == null) {
                char[] typed = terminal.readPassword("password for %s: ", user);
                password = typed == null ? "" : new String(typed);
            }
            return new Login(user, password);
        }

        String basicHeader() {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** An answer of the API: its status and JSON body. */
    record Answer(int status, JsonNode body) {
    }

    /** POSTs a JSON body as {@code login}; the answer, whatever its status. */
    Answer post(String path, String jsonBody, Login login) throws IOException, InterruptedException {
        String url = url();
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                    .header("content-type", "application/json").header("authorization", login.basicHeader())
                    .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalArgumentException("no Hydra console at " + url + " (is `hydra up` running? --http-url names another)");
        }
        JsonNode body;
        try {
            body = Json.parse(response.body());
        } catch (RuntimeException notJson) {
            body = Json.MAPPER.createObjectNode().put("error", response.body());
        }
        return new Answer(response.statusCode(), body);
    }

    /** GETs a path and returns its JSON; an error response's message becomes the exception's. */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        String url = url();
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalArgumentException("no Hydra console at " + url + " (is `hydra up` running? --http-url names another)");
        }
        JsonNode body = Json.parse(response.body());
        if (response.statusCode() >= 400) {
            throw new IllegalArgumentException(body.path("error").asText("HTTP " + response.statusCode()));
        }
        return body;
    }
}
