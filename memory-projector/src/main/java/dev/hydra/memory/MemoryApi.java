package dev.hydra.memory;

import dev.hydra.topics.Json;
import dev.hydra.topics.memory.CoreBlock;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The memory projector's HTTP API under {@code /api/memory}: blocks, archival search, task history. */
final class MemoryApi {
    private static final int MAX_K = 50;

    private final CoreMemory coreMemory;
    private final Optional<ArchivalMemory> archival;
    private final RecallMemory recall;

    MemoryApi(CoreMemory coreMemory, Optional<ArchivalMemory> archival, RecallMemory recall) {
        this.coreMemory = coreMemory;
        this.archival = archival;
        this.recall = recall;
    }

    void mount(Router router) {
        router.get("/api/memory/blocks").handler(this::blocks);
        router.get("/api/memory/blocks/:name").handler(this::block);
        router.post("/api/memory/blocks/:name").handler(BodyHandler.create().setBodyLimit(64 * 1024))
                .blockingHandler(this::writeBlock, false);
        router.get("/api/memory/search").blockingHandler(this::search, false);
        router.get("/api/memory/history/:taskId").blockingHandler(this::history, false);
        router.route("/api/memory/*").failureHandler(ctx -> error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500,
                ctx.failure() == null ? "request failed" : String.valueOf(ctx.failure().getMessage())));
    }

    private void blocks(RoutingContext ctx) {
        json(ctx, 200, coreMemory.all().values());
    }

    /** {@code ?reader=development}: read as that agent, under the blocks' read rules (403 when not allowed). */
    private void block(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String reader = ctx.queryParams().get("reader");
        Optional<CoreBlock> rules = CoreBlock.named(name);
        if (reader != null && rules.isPresent() && !rules.get().readableBy(reader)) {
            error(ctx, 403, name + " is read only by " + rules.get().owner() + " and " + CoreBlock.ORCHESTRATOR
                    + ", not by " + reader);
            return;
        }
        coreMemory.get(name).ifPresentOrElse(block -> json(ctx, 200, block),
                () -> error(ctx, 404, "no memory block " + name + "; known blocks: " + coreMemory.all().keySet()));
    }

    /**
     * {@code {"key": "letta", "text": "restarted OK"}}: one entry, written by the authenticated
     * identity (the login the HTTP layer in front of this API checked), to which the blocks' write
     * rules apply. A {@code writer} in the body may only repeat that identity.
     */
    private void writeBlock(RoutingContext ctx) {
        if (ctx.user() == null) {
            error(ctx, 401, "memory writes need a login: the writer is who authenticated, not a name in the body");
            return;
        }
        String writer = ctx.user().subject();
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            error(ctx, 400, "body must be a JSON object {key, text}");
            return;
        }
        if (body == null || body.getString("key", "").isBlank()) {
            error(ctx, 400, "body must be a JSON object with key and text");
            return;
        }
        if (!body.getString("writer", writer).equals(writer)) {
            error(ctx, 403, "writer must be your login (" + writer + ") or left out; the write was not made");
            return;
        }
        BlockWrites.Result result = coreMemory.write(writer, ctx.pathParam("name"),
                List.of(new BlockContent.Entry(body.getString("key"), body.getString("text", ""))), null);
        if (result instanceof BlockWrites.Written written) {
            json(ctx, 200, written.block());
        } else if (result instanceof BlockWrites.Refused refused) {
            error(ctx, 403, refused.reason());
        }
    }

    private void search(RoutingContext ctx) {
        String q = ctx.queryParams().get("q");
        if (q == null || q.isBlank()) {
            error(ctx, 400, "query parameter q is required, e.g. /api/memory/search?q=letta+restart&k=5");
            return;
        }
        int k;
        try {
            k = Integer.parseInt(Optional.ofNullable(ctx.queryParams().get("k")).orElse("5"));
        } catch (NumberFormatException e) {
            error(ctx, 400, "k must be an integer from 1 to " + MAX_K);
            return;
        }
        if (k < 1 || k > MAX_K) {
            error(ctx, 400, "k must be an integer from 1 to " + MAX_K + ", was " + k);
            return;
        }
        if (archival.isEmpty()) {
            error(ctx, 503, "archival memory is disabled (memory.archival / HYDRA_MEMORY_ARCHIVAL)");
            return;
        }
        List<Map<String, Object>> hits = archival.get().search(q, k).stream().map(hit -> {
            Map<String, Object> out = new LinkedHashMap<>(DiskArchive.toJson(hit.passage()));
            out.put("score", hit.score());
            return out;
        }).toList();
        json(ctx, 200, Map.of("query", q, "hits", hits));
    }

    private void history(RoutingContext ctx) {
        String taskId = ctx.pathParam("taskId");
        List<RecallMemory.Event> events = recall.history(taskId);
        if (events.isEmpty()) {
            error(ctx, 404, "no history for task " + taskId);
            return;
        }
        json(ctx, 200, Map.of("taskId", taskId, "events", events));
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(Json.write(body));
    }

    /** The one error shape of the API: {@code {"error": "...", "status": 404}}. */
    static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, Map.of("error", message, "status", status));
    }
}
