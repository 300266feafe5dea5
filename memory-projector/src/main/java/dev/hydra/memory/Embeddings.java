package dev.hydra.memory;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * Text to vectors, in process: all-MiniLM-L6-v2 (ONNX, 384 dimensions). The model is loaded once
 * per JVM, on first use, because it takes about 90 MB and a second or two to load.
 */
public final class Embeddings {
    public static final int DIMENSIONS = 384;

    private Embeddings() {
    }

    private static final class Holder {
        static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    /** A unit-length vector for {@code text}, so a dot product is the cosine similarity. */
    public static float[] embed(String text) {
        return normalize(Holder.MODEL.embed(text).content().vector());
    }

    static float[] normalize(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
            return vector;
        }
        float[] out = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            out[i] = (float) (vector[i] / norm);
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
