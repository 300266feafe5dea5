package dev.hydra.constitution.rules.text;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Decoders for payloads that are decoded and then run (base64, base32, hex); null when not valid. */
public final class Decoders {
    private Decoders() {
    }

    public static String base64(String text) {
        String s = text.replaceAll("\\s+", "");
        try {
            byte[] bytes = s.indexOf('-') >= 0 || s.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(s) : Base64.getMimeDecoder().decode(s);
            return printable(bytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String hex(String text) {
        String s = text.replaceAll("\\s+|\\\\x|0x|:", "");
        if (s.length() % 2 != 0 || s.isEmpty()) {
            return null;
        }
        byte[] bytes = new byte[s.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Text.hex(s.charAt(2 * i));
            int lo = Text.hex(s.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes[i] = (byte) (hi * 16 + lo);
        }
        return printable(bytes);
    }

    public static String base32(String text) {
        String s = text.replaceAll("[\\s=]", "").toUpperCase(java.util.Locale.ROOT);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                return null;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xFF);
                bits -= 8;
            }
        }
        return printable(out.toByteArray());
    }

    /** Decoded text, or null when the bytes are not text (so random data is not read as a payload). */
    private static String printable(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int bad = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\uFFFD' || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                bad++;
            }
        }
        return bad * 10 > s.length() ? null : s;
    }
}
