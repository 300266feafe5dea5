package dev.hydra.ops;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Values a careless or hostile producer might put on hydra.tasks.proposed: random bytes, truncated
 * JSON, wrong types, huge fields, unknown enum values, and (rarely) 10 MB values. None is a valid task.
 */
final class HostileEvents {
    private static final String GOOD = "{\"priority\": 2, \"description\": \"d\", \"crew\": \"development\", "
            + "\"task\": {\"action\": \"complete_feature\", \"feature\": \"x\"}}";

    private HostileEvents() {
    }

    static byte[] next(Random random, int n) {
        if (n % 2_500 == 1_000) {
            return tenMegabytes(random);
        }
        return switch (n % 7) {
            case 0 -> {
                byte[] bytes = new byte[1 + random.nextInt(512)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 1 -> utf8(GOOD.substring(0, 1 + random.nextInt(GOOD.length() - 2)));
            case 2 -> utf8(GOOD.replace("\"priority\": 2", "\"priority\": \"urgent\""));
            case 3 -> utf8(GOOD.replace("\"crew\": \"development\"", "\"crew\": \"marketing\""));
            case 4 -> utf8(GOOD.replace("\"description\": \"d\"", "\"description\": \"" + "A".repeat(200_000) + "\""));
            case 5 -> utf8(GOOD.replace("\"task\": {\"action\": \"complete_feature\", \"feature\": \"x\"}", "\"task\": [1, 2]"));
            default -> utf8("[" + GOOD + "]");
        };
    }

    private static byte[] tenMegabytes(Random random) {
        byte[] bytes = new byte[10 * 1024 * 1024];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
