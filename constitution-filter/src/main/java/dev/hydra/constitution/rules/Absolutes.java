package dev.hydra.constitution.rules;

import dev.hydra.constitution.rules.facts.Commands;
import dev.hydra.constitution.rules.facts.Facts;
import dev.hydra.constitution.rules.facts.Recorder;
import dev.hydra.constitution.rules.facts.Vocabulary;
import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Secrets;
import dev.hydra.constitution.rules.text.Text;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.tools.ToolEffect;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The absolutes every constitution has, whatever its file says: DENY, in every form, the
 * constitution's directory (or any directory above it) written, deleted, moved or replaced; the
 * constitution path redirected (HYDRA_CONSTITUTION or HYDRA_CONFIG set, the constitution's path
 * changed in hydra.yaml, an env file or a compose override); and secrets in the arguments of a tool
 * the constitution does not know (an MCP tool's arguments leave Hydra). The file itself, by name, is
 * the seed's {@code file_write: constitution.yaml}.
 */
final class Absolutes {
    static final String CONSTITUTION = "never_modify_constitution";
    static final String SECRETS = "never_expose_secrets";
    /** Where the image keeps the constitution (Dockerfile), protected even when another copy is loaded. */
    private static final Path IMAGE_CONSTITUTION = Path.of("/app/config/constitution.yaml");
    private static final Set<String> REDIRECTING_KEYS = Set.of("HYDRA_CONSTITUTION", "HYDRA_CONFIG",
            "CONSTITUTION_FILE");
    /**
     * Hydra's trust in verdicts re-pointed: the filter's signing key, the public keys executors accept, the
     * constitutions in force (HYDRA_SIGNING_*, hydra.yaml signing: and constitution.signingKey). A key of the
     * agent's making there signs whatever it likes, which is the constitution replaced.
     */
    private static final Pattern TRUST_KEY = Pattern.compile(
            "hydra_signing_(?:key|public_keys|constitutions)|signingkey|publickeys|signing\\.constitutions"
            + "|(?m)^\\s*signing\\s*:");
    static final Pattern COMPOSE = Pattern.compile("(?:docker-)?compose[^/]*\\.ya?ml");
    private static final Pattern HYDRA_YAML = Pattern.compile("hydra[^/]*\\.ya?ml");
    /** constitution.file, constitution_file, {"constitution": {"file": ...}}, constitution:\n  file: */
    private static final Pattern CONSTITUTION_PATH_KEY = Pattern.compile(
            "constitution(?:[._]file|[\"']?\\s*[:=][\\s{]*[\"']?(?:file|path)\\b)");
    /** JAVA_TOOL_OPTIONS=-Dhydra.constitution=/tmp/x: a system property naming the constitution, for any JVM started. */
    private static final Pattern JVM_PROPERTY = Pattern.compile("(?i)-D[\\w.\\-]*constitution[\\w.\\-]*=");
    private static final Pattern FILE_KEY = Pattern.compile("(?m)^\\s*[\"']?file[\"']?\\s*:");

    private Absolutes() {
    }

    static void add(List<Rule.Bound> deny, Path file, Secrets secrets) {
        Set<String> directories = new LinkedHashSet<>();
        for (Path p : file == null ? List.of(IMAGE_CONSTITUTION) : List.of(file, IMAGE_CONSTITUTION)) {
            for (Path dir = p.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
                directories.add(PathGlob.canonical(dir.toString(), "/"));
            }
        }
        Set<String> files = new LinkedHashSet<>();
        for (Path p : file == null ? List.of(IMAGE_CONSTITUTION) : List.of(file, IMAGE_CONSTITUTION)) {
            files.add(PathGlob.canonical(p.toAbsolutePath().normalize().toString(), "/"));
        }
        deny.add(new Rule.Bound(CONSTITUTION, Decision.DENY, new Place(List.copyOf(directories), List.copyOf(files))));
        deny.add(new Rule.Bound(CONSTITUTION, Decision.DENY, new Redirect()));
        deny.add(new Rule.Bound(SECRETS, Decision.DENY, new UnknownToolSecrets(secrets)));
        deny.add(new Rule.Bound(SECRETS, Decision.DENY, new PushSecrets(secrets)));
        deny.add(new Rule.Bound(SECRETS, Decision.DENY, new SentSecrets(secrets)));
    }

    /** A credential header given to a sender: -H "X-API-Key: ...", -H 'Authorization: Bearer ...'. */
    private static final Pattern CREDENTIAL_HEADER = Pattern.compile(
            "(?i)^\\s*(?:x-api-key|api-key|apikey|x-auth-token|private-token|authorization|x-access-token)\\s*:\\s*\\S{8,}.*");

    /**
     * A program that reaches the network given a credential in its arguments (curl -u admin:pw,
     * -H "X-API-Key: ...", git remote add https://bot:pw@host): the credential leaves Hydra.
     */
    record SentSecrets(Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            for (Shell.Exec e : f.execs) {
                if (e.argv().size() < 2 || !sends(e)) {
                    continue;
                }
                List<String> args = e.argv().subList(1, e.argv().size());
                for (int i = 0; i < args.size(); i++) {
                    String a = args.get(i);
                    String next = i + 1 < args.size() ? args.get(i + 1) : "";
                    if ((a.equals("-u") || a.equals("--user") || a.equals("--proxy-user")) && next.indexOf(':') > 0
                            && next.indexOf(':') < next.length() - 1) {
                        return e.program() + " sends the credential of " + a + " " + next.substring(0, next.indexOf(':'));
                    }
                    if ((a.equals("-H") || a.equals("--header")) && CREDENTIAL_HEADER.matcher(next).matches()) {
                        return e.program() + " sends a credential header (" + next.substring(0, next.indexOf(':')) + ")";
                    }
                }
                List<Secrets.Found> found = secrets.find(String.join(" ", args));
                if (!found.isEmpty()) {
                    return e.program() + " sends a secret (" + found.get(0).kind() + ")";
                }
                String option = Vocabulary.table().credentialOption(e);
                if (option != null) {
                    return e.program() + " sends the password given to " + option;
                }
                for (Facts.Setting s : f.settings) {
                    if (Vocabulary.table().credentialVariable(s.key()) && !s.value().isBlank()
                            && s.value().indexOf(Text.UNKNOWN) < 0 && !s.value().startsWith("$")) {
                        return e.program() + " sends the password in " + s.key();
                    }
                }
            }
            return null;
        }

        private static boolean sends(Shell.Exec e) {
            Vocabulary.Program p = Vocabulary.table().program(e);
            return p != null && p.effect() == Vocabulary.Effect.NETWORK
                    || Recorder.isOneOf(e.program(), "curl", "wget", "http", "https", "xh", "git", "nc", "ncat", "scp")
                    || remoteDatabase(e);
        }

        /** A database client given another host (psql -h db.example.com): it sends its password there. */
        private static boolean remoteDatabase(Shell.Exec e) {
            if (!Recorder.isOneOf(e.program(), "psql", "pgcli", "pg_dump", "pg_dumpall", "mysql", "mariadb",
                    "mysqladmin", "mysqldump", "redis-cli", "mongosh", "mongo")) {
                return false;
            }
            List<String> args = e.argv().subList(1, e.argv().size());
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                String host = (a.equals("-h") || a.equals("--host")) && i + 1 < args.size() ? args.get(i + 1)
                        : a.startsWith("--host=") ? a.substring(7) : a.startsWith("-h") && a.length() > 2 ? a.substring(2) : null;
                if (host != null && !Recorder.isOneOf(host, "localhost", "127.0.0.1", "::1", "/tmp",
                        "/var/run/postgresql", "/run/postgresql")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A write, delete or move of the constitution's directory or a directory above it (rm -rf config, mv config x). */
    record Place(List<String> directories, List<String> files) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Write w : f.writes) {
                if (w.path().indexOf(Shell.UNKNOWN) >= 0) {
                    continue; // a value that cannot be known may be anything: a person decides (DeleteOutside)
                }
                if (w.via().endsWith(Commands.LINK_TARGET)) {
                    continue; // linking to a directory does not change it
                }
                for (String dir : directories) {
                    // a wildcard delete (rm -rf /work/*) removes the directory; a wildcard write (extracting into
                    // /) may overwrite files there, which the rules on the file itself judge
                    boolean hit = w.glob() ? w.delete() && PathGlob.intersects(PathGlob.tokens(w.path()),
                            PathGlob.tokens(dir)) : w.path().equals(dir);
                    if (hit) {
                        return w.describe() + ": the constitution's directory " + dir + " (or one above it)";
                    }
                }
                for (String file : files) {
                    if (!w.glob() && w.path().equals(file)) {
                        return w.describe() + ": the constitution itself";
                    }
                    // anything written into the constitution's own directory (an override file next to it, an
                    // archive extracted there); a wildcard (rm -rf config/*, tar -C config) that covers the file
                    String home = file.substring(0, file.lastIndexOf('/') + 1);
                    boolean hit = w.glob() ? PathGlob.intersects(PathGlob.tokens(w.path()), PathGlob.tokens(file))
                            : w.path().startsWith(home) && w.path().length() > home.length();
                    if (hit) {
                        return w.describe() + ": in the constitution's directory " + home;
                    }
                }
            }
            return null;
        }
    }

    /** The constitution path pointed elsewhere: a setting, an env file, hydra.yaml or a compose override. */
    record Redirect() implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Setting s : f.settings) {
                if (REDIRECTING_KEYS.contains(s.key()) || s.key().endsWith("_HYDRA_CONSTITUTION")) {
                    return s.via() + " sets " + s.key() + ", which points Hydra at another constitution";
                }
                if (s.key().startsWith("HYDRA_SIGNING_")) {
                    return s.via() + " sets " + s.key() + ", which changes whose verdicts Hydra trusts";
                }
                if (s.value().indexOf('=') > 0 && JVM_PROPERTY.matcher(s.value()).find()) {
                    return s.via() + " sets " + s.key() + " to a JVM option that points Hydra at another constitution";
                }
            }
            for (Facts.Commit c : f.commits) {
                String text = Text.fold(c.text());
                if (text.contains("hydra_constitution") || CONSTITUTION_PATH_KEY.matcher(text).find()) {
                    return c.via() + " commits a setting that points Hydra at another constitution";
                }
            }
            for (Facts.Write w : f.writes) {
                if (w.delete()) {
                    continue;
                }
                String name = w.path().substring(w.path().lastIndexOf('/') + 1);
                // most content never names the constitution: fold and search only the content that does
                boolean configFile = HYDRA_YAML.matcher(name).matches() || COMPOSE.matcher(name).matches()
                        || name.startsWith(".env") || name.endsWith(".env");
                String content = w.content() == null ? null
                        : configFile || mentionsConstitution(w.content()) ? Text.fold(w.content()) : "";
                if (content != null && !Recorder.isDocument(w.path()) && (content.contains("hydra_constitution")
                        || CONSTITUTION_PATH_KEY.matcher(content).find())) {
                    return w.describe() + ", pointing Hydra at another constitution";
                }
                boolean config = HYDRA_YAML.matcher(name).matches() || COMPOSE.matcher(name).matches()
                        || name.startsWith(".env") || name.endsWith(".env");
                if (!config) {
                    // any file that sets Hydra's signing variables (a systemd drop-in, a profile script)
                    if (w.content() != null && !Recorder.isDocument(w.path()) && mentions(w.content(), "hydra_signing_")) {
                        return w.describe() + ", changing whose verdicts Hydra trusts (HYDRA_SIGNING_*)";
                    }
                    continue;
                }
                if (content != null && (content.contains("constitution")
                        || HYDRA_YAML.matcher(name).matches() && FILE_KEY.matcher(content).find())) {
                    return w.describe() + ", changing where Hydra reads its constitution";
                }
                if (content != null && TRUST_KEY.matcher(content).find()) {
                    return w.describe() + ", changing whose verdicts Hydra trusts (its signing keys)";
                }
                if (content == null && commandMentionsConstitution(f)) {
                    return w.describe() + " by a command that names the constitution";
                }
            }
            return null;
        }

        private static boolean mentions(String text, String word) {
            for (int i = 0; i + word.length() <= text.length(); i++) {
                if (text.regionMatches(true, i, word, 0, word.length())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean mentionsConstitution(String text) {
            for (int i = 0; i + 12 <= text.length(); i++) {
                char c = text.charAt(i);
                if ((c == 'c' || c == 'C' || c > 0x7f) && text.regionMatches(true, i, "constitution", 0, 12)) {
                    return true;
                }
            }
            return text.chars().anyMatch(ch -> ch > 0x7f); // fold may turn other letters into it
        }

        private static boolean commandMentionsConstitution(Facts f) {
            for (Shell.Exec e : f.execs) {
                for (String a : e.argv()) {
                    if (Text.fold(a).contains("constitution")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** A push whose remote holds a credential (https://bot:ghp_...@github.com/...): it leaves Hydra. */
    record PushSecrets(Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Push p : f.pushes) {
                List<Secrets.Found> found = secrets.find(p.remote());
                if (!found.isEmpty()) {
                    return p.via() + " pushes to a remote holding a secret (" + found.get(0).kind() + ")";
                }
            }
            return null;
        }
    }

    /**
     * A tool whose arguments leave Hydra (an unknown MCP server's, or one whose effect publishes,
     * fetches or remembers, whichever server serves it) and hold a secret. What is remembered is read
     * into every later prompt of the crews, which goes to model endpoints that may not be Hydra's.
     */
    record UnknownToolSecrets(Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            boolean leaves = f.effect == ToolEffect.PUBLISH || f.effect == ToolEffect.FETCH
                    || f.effect == ToolEffect.REMEMBER;
            String tool = f.unknownTool != null ? f.unknownTool : leaves ? f.tool : null;
            if (tool == null) {
                return null;
            }
            for (Facts.Op op : f.ops) {
                if (op.tool().equals(tool)) {
                    List<Secrets.Found> found = secrets.find(op.text());
                    if (!found.isEmpty()) {
                        return op.via() + " would send a secret (" + found.get(0).kind() + ") to another server";
                    }
                }
            }
            return null;
        }
    }
}
