package dev.hydra.constitution.rules.facts;

import java.util.Locale;
import java.util.Set;

/**
 * What a fetched URL reaches, read the way an HTTP client resolves it: only http(s) reaches the web (a
 * file:// URL reads the fetch server's own files, gopher:// and dict:// speak raw TCP to any port), and a
 * host is inside the lab when it is loopback, private, link-local or the cloud's metadata address in any
 * of the numeric forms resolvers accept (0x7f.1, 0177.0.0.1, 2130706433), an IPv6 literal, a name with no
 * dot (a service beside Hydra), or a name under a suffix only a local resolver answers (.internal,
 * .local, .cluster.local, ...). Null when the URL is an ordinary web address.
 */
final class FetchTarget {
    /** Name suffixes that only resolve inside a network: cloud metadata, mDNS, Kubernetes, home routers. */
    private static final Set<String> LOCAL_SUFFIXES = Set.of(".internal", ".local", ".localhost", ".localdomain",
            ".lan", ".home", ".home.arpa", ".intranet", ".corp", ".svc", ".cluster.local", ".consul");

    private FetchTarget() {
    }

    /** Why the URL does not reach only the public web, or null. */
    static String insideOrNotWeb(String raw) {
        String url = raw.strip().replace('\\', '/').toLowerCase(Locale.ROOT);
        int colon = url.indexOf(':');
        if (colon <= 0 || !url.substring(0, colon).matches("[a-z][a-z0-9+.\\-]*")) {
            return null; // no scheme: not a URL the rules can place; the fetch tool refuses it
        }
        String scheme = url.substring(0, colon);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "uses " + scheme + ":, not http(s)";
        }
        String rest = url.substring(colon + 1).replaceFirst("^/*", "");
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        if (host.startsWith("[")) {
            return "reaches an IPv6 address";
        }
        int port = host.lastIndexOf(':');
        host = (port >= 0 ? host.substring(0, port) : host).replaceAll("\\.+$", "");
        if (host.isEmpty()) {
            return "names no host";
        }
        if (host.indexOf('.') < 0 && !numeric(host)) {
            return "reaches " + host + ", a name with no domain (a service beside Hydra)";
        }
        for (String suffix : LOCAL_SUFFIXES) {
            if (host.endsWith(suffix) || host.equals(suffix.substring(1))) {
                return "reaches " + host + ", a name only a local resolver answers";
            }
        }
        long[] address = ipv4(host);
        if (address != null && internal(address[0])) {
            return "reaches " + host + ", an address inside the lab";
        }
        return null;
    }

    private static boolean numeric(String host) {
        return ipv4(host) != null;
    }

    /** The IPv4 address of inet_aton's forms: 1 to 4 parts, each decimal, 0x hex or 0 octal; else null. */
    private static long[] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length < 1 || parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            try {
                if (p.startsWith("0x")) {
                    v[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (p.length() > 1 && p.startsWith("0")) {
                    v[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    v[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException notNumeric) {
                return null;
            }
            if (p.length() > 12 || v[i] < 0) {
                return null;
            }
        }
        long address = 0;
        for (int i = 0; i < v.length - 1; i++) {
            if (v[i] > 255) {
                return null;
            }
            address = address << 8 | v[i];
        }
        int shift = 8 * (4 - (v.length - 1));
        if (v[v.length - 1] >= 1L << shift) {
            return null;
        }
        address = address << shift | v[v.length - 1];
        return new long[] {address};
    }

    /** Loopback, this host, private, shared (CGNAT), link-local (the metadata address), multicast and reserved. */
    private static boolean internal(long a) {
        long first = a >>> 24;
        long second = a >>> 16 & 0xff;
        return first == 127 || first == 0 || first == 10 || first >= 224
                || first == 172 && second >= 16 && second <= 31
                || first == 192 && second == 168
                || first == 169 && second == 254
                || first == 100 && second >= 64 && second <= 127;
    }
}
