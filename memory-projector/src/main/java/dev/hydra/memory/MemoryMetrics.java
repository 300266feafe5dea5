package dev.hydra.memory;

import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Summary;

/** The projector's Prometheus metrics, registered once per JVM in the default registry. */
final class MemoryMetrics {
    static final Gauge BLOCK_BYTES = Gauge.build("hydra_agent_memory_bytes",
            "UTF-8 bytes of the content of a shared core-memory block").labelNames("block").register();
    static final Counter BLOCK_WRITES = Counter.build("hydra_memory_block_writes",
            "writes of a shared core-memory block").labelNames("block").register();
    static final Counter BLOCK_WRITES_REFUSED = Counter.build("hydra_memory_block_writes_refused",
            "core-memory writes refused by the access rules").labelNames("block").register();
    static final Summary EMBED_SECONDS = Summary.build("hydra_memory_embed_seconds",
            "time to embed and store one archival passage").register();
    static final Counter ARCHIVED = Counter.build("hydra_memory_archived_passages",
            "passages added to archival memory").labelNames("kind").register();
    static final Counter CDC_EVENTS = Counter.build("hydra_memory_cdc_events",
            "row changes published to hydra.cdc.<table>").labelNames("table").register();
    static final Counter AUDIT_ROWS = Counter.build("hydra_memory_audit_rows",
            "audit records written to the audit_log table (duplicates ignored)").register();

    private MemoryMetrics() {
    }
}
