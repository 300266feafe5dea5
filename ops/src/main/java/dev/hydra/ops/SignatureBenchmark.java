package dev.hydra.ops;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.signing.ConstitutionsInForce;
import dev.hydra.topics.signing.SigningKeys;
import dev.hydra.topics.signing.VerdictSignature;
import dev.hydra.topics.signing.VerdictSigner;
import dev.hydra.topics.signing.VerdictVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a verdict signature costs per record, on a 1 KB tool call: the filter's sign (content hash +
 * Ed25519 signature) and an executor's verify (content hash + parse + Ed25519 verification).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SignatureBenchmark {
    private static final String CONSTITUTION = "0".repeat(64);

    private VerdictSigner signer;
    private VerdictVerifier verifier;
    private ToolCall call;
    private Headers signed;

    @Setup
    public void keys() throws IOException {
        Path key = Files.createTempDirectory("hydra-bench-keys").resolve("bench.key");
        SigningKeys.ensure(key);
        signer = VerdictSigner.load(key);
        verifier = VerdictVerifier.load(List.of(SigningKeys.publicKeyBeside(key)),
                ConstitutionsInForce.of(java.util.Set.of(CONSTITUTION)));
        call = new ToolCall("bench", "bench-task", Crew.DEVELOPMENT, "coder", "filesystem-mcp", "write_file",
                Map.of("path", "/workspace/docs/notes.md", "content", "Notes on the ingestion pipeline. ".repeat(31)),
                List.of(), null);
        signed = EventHeaders.put(new RecordHeaders(), EventHeaders.SIGNATURE,
                signer.sign(call, VerdictSignature.ALLOW, CONSTITUTION).header());
    }

    @Benchmark
    public VerdictSignature sign() {
        return signer.sign(call, VerdictSignature.ALLOW, CONSTITUTION);
    }

    @Benchmark
    public Optional<String> verify() {
        return verifier.refusal(signed, call);
    }
}
