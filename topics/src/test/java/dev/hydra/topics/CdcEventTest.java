package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.events.CdcEvent;
import org.junit.jupiter.api.Test;

class CdcEventTest {
    @Test
    void readsADebeziumStyleInsertAndDelete() {
        CdcEvent insert = Topics.CDC_EVENT.fromJson("""
                {"table":"knowledge_gaps","op":"c","key":{"id":7},"before":null,
                 "after":{"id":7,"topic":"speculative decoding","resolved":null},"source":"lsn=42"}""");
        assertThat(insert.row()).containsEntry("topic", "speculative decoding").containsEntry("resolved", null);
        CdcEvent delete = Topics.CDC_EVENT.fromJson("""
                {"table":"knowledge_gaps","op":"d","key":{"id":7},"before":{"id":7,"topic":"x"}}""");
        assertThat(delete.isDelete()).isTrue();
        assertThat(delete.row()).containsEntry("topic", "x");
    }

    @Test
    void rejectsUnknownOperationsAndInsertsWithoutARow() {
        assertThatThrownBy(() -> Topics.CDC_EVENT.fromJson("{\"table\":\"features\",\"op\":\"x\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("op");
        assertThatThrownBy(() -> Topics.CDC_EVENT.fromJson("{\"table\":\"features\",\"op\":\"c\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("after");
    }

    @Test
    void changeTopicsAreCompactedAndNamedByTable() {
        assertThat(Topics.cdc("knowledge_gaps")).isSameAs(Topics.CDC_KNOWLEDGE_GAPS);
        assertThat(Topics.CDC_FEATURES.name()).isEqualTo("hydra.cdc.features");
        assertThat(Topics.cdcTopics()).allMatch(Topic::compacted);
    }
}
