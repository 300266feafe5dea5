package dev.hydra.crew;

/**
 * Which priority lanes a worker fetches from: strictly the most urgent lane that has work, plus the
 * more urgent (empty) lanes so that new urgent work is seen at once. Lower lanes are paused until
 * the urgent ones drain; a lane whose local buffer is full is paused too (back pressure).
 * Plain Java so that the rule can be tested by itself.
 */
public final class LanePolicy {
    private LanePolicy() {
    }

    /**
     * @param buffered records fetched and not yet handled, per lane (index 0 is p1)
     * @param lag records on the broker not yet fetched, per lane (0 when unknown)
     * @param bufferLimit a lane holding this many buffered records is not fetched further
     * @return per lane, whether it should be paused
     */
    public static boolean[] paused(int[] buffered, long[] lag, int bufferLimit) {
        int lanes = buffered.length;
        int top = lanes;
        for (int lane = 0; lane < lanes; lane++) {
            if (buffered[lane] > 0 || lag[lane] > 0) {
                top = lane;
                break;
            }
        }
        boolean[] paused = new boolean[lanes];
        for (int lane = 0; lane < lanes; lane++) {
            paused[lane] = lane > top || buffered[lane] >= bufferLimit;
        }
        return paused;
    }
}
