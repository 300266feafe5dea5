package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Text;
import dev.hydra.topics.tools.ToolEffect;
import java.util.ArrayList;
import java.util.List;

/**
 * What one task or tool call would do, in the terms the rules speak: operations (tool names, also
 * when reached through another channel), SQL statements, programs run, files written and deleted,
 * pushes, commits, services stopped, containers removed, settings changed. Mentions (descriptions,
 * documentation text) never become facts; only the watched action fields do.
 *
 * <p>{@code problems} are watched fields that could not be read with confidence: they fail closed.
 */
public final class Facts {

    /** A tool (canonical {@code server.tool}) invoked directly or through another channel. */
    public record Op(String tool, String text, List<Sql.Statement> statements, String via) {
    }

    /** A file written; {@code content} is null when it cannot be known. */
    public record Write(String path, String content, String via, boolean delete, boolean glob) {
        Write(String path, String content, String via, boolean delete) {
            this(path, content, via, delete, PathGlob.isGlob(path));
        }

        /** For a verdict's reason; built only when a rule matches. */
        public String describe() {
            return via + (delete ? " deletes " : " writes ") + path.replace(Shell.UNKNOWN, '?');
        }
    }

    public record Push(String remote, String branch, String via) {
        public static final String UNKNOWN = "\0";
    }

    public record Commit(List<String> files, String text, String via) {
    }

    public record Setting(String key, String value, String via) {
    }

    public record Named(String name, String via) {
    }

    public record Problem(String field, String why) {
    }

    public final List<Op> ops = new ArrayList<>(2);
    public final List<Sql.Statement> statements = new ArrayList<>(2);
    public final List<Shell.Exec> execs = new ArrayList<>(4);
    public final List<Write> writes = new ArrayList<>(2);
    public final List<Push> pushes = new ArrayList<>(1);
    public final List<Commit> commits = new ArrayList<>(1);
    public final List<Setting> settings = new ArrayList<>(1);
    public final List<Named> stops = new ArrayList<>(1);
    public final List<Named> removals = new ArrayList<>(1);
    public final List<Named> migrations = new ArrayList<>(1);
    public final List<Named> sandboxEscapes = new ArrayList<>(1);
    public final List<Problem> problems = new ArrayList<>(1);
    public String unknownTool;
    /** The effect of the tool called, when the vocabulary knows it. */
    public ToolEffect effect;
    /** The tool called (canonical server.tool); null for a task without one. */
    public String tool;
    /** Whether the commands run in the sandbox (shell.run), where only the workspace and /tmp are writable. */
    public boolean sandboxed;

    public void problem(String field, String why) {
        problems.add(new Problem(field, why));
    }
}
