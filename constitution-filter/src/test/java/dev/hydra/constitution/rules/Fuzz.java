package dev.hydra.constitution.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the tests that prove a fast path answers as its slow path does: texts glued from tokens
 * chosen to sit on the fast path's edges, from a fixed seed so a failure repeats.
 */
public final class Fuzz {
    private Fuzz() {
    }

    public static List<String> texts(long seed, int count, int maxTokens, String... tokens) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(maxTokens + 1);
            for (int k = 0; k < n; k++) {
                b.append(tokens[random.nextInt(tokens.length)]);
            }
            out.add(b.toString());
        }
        return out;
    }
}
