package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A program a {@code command} detection names, with the programs that do the same thing: iptables
 * and ufw both stand for "changes the firewall or the network" (ip6tables, iptables-restore,
 * xtables, nft, ebtables, firewall-cmd, every firewall program of the {@link Vocabulary}, except
 * where the vocabulary says the arguments only list: iptables -L, nft list ruleset, ip addr show); curl stands for programs that send data over the network; echo for programs that
 * print their arguments. A program name that is a glob or partly unknown matches when it could
 * name one of them.
 */
public final class Programs {

    private static final List<String> NETWORK = List.of("iptables", "iptables-*", "ip6tables", "ip6tables-*",
            "xtables-*", "nft", "ebtables", "ebtables-*", "arptables", "arptables-*", "ufw", "firewall-cmd",
            "firewall-offline-cmd", "shorewall", "shorewall6", "ipset", "iptables-apply", "netfilter-persistent",
            "ip", "ifconfig", "route", "nmcli", "netplan", "brctl", "ifdown", "ifup", "tc", "sysctl", "iw", "wg",
            "wg-quick", "vconfig", "ethtool", "resolvectl", "networkctl", "pfctl");
    private static final List<String> SENDERS = List.of("curl", "wget", "nc", "ncat", "netcat", "socat", "http",
            "https", "xh", "httpie", "scp", "sftp", "ftp", "telnet", "rsync", "mail", "sendmail", "mutt", "aws",
            "gsutil", "rclone", "gh", "tftp", "lftp", "az", "gcloud", "s3cmd", "glab", "aria2c", "websocat", "mailx");
    private static final List<String> PRINTERS = List.of("echo", "printf", "print", "logger", "wall", "banner");

    private final String name;
    private final List<String> family;
    private final List<char[]> familyTokens;
    /** The family's exact names and name prefixes (iptables-*), for a lookup without a scan. */
    private final Set<String> exact;
    private final List<String> prefixes;

    public Programs(String name) {
        this.name = Text.fold(name);
        if (NETWORK.contains(this.name)) {
            // the firewall family: the seed's list with every firewall program of the vocabulary
            List<String> all = new ArrayList<>(NETWORK);
            Vocabulary.table().programsWith(Vocabulary.Effect.FIREWALL).stream().filter(p -> !all.contains(p))
                    .forEach(all::add);
            family = List.copyOf(all);
        } else if (SENDERS.contains(this.name)) {
            family = SENDERS;
        } else if (PRINTERS.contains(this.name)) {
            family = PRINTERS;
        } else {
            family = List.of(this.name);
        }
        List<char[]> tokens = new ArrayList<>();
        for (String f : family) {
            tokens.add(PathGlob.tokens(f));
        }
        this.familyTokens = tokens;
        this.exact = Set.copyOf(family.stream().filter(f -> !f.endsWith("*")).toList());
        this.prefixes = family.stream().filter(f -> f.endsWith("*")).map(f -> f.substring(0, f.length() - 1)).toList();
    }

    /** The family member the command runs (for the reason), or null. */
    public String match(Shell.Exec e) {
        String program = e.program();
        if (PathGlob.isGlob(program)) {
            char[] p = PathGlob.tokens(program);
            for (int i = 0; i < family.size(); i++) {
                if (PathGlob.intersects(p, familyTokens.get(i))) {
                    return "'" + program.replace(Shell.UNKNOWN, '?') + "' (may be " + family.get(i).replace("-*", "")
                            + ")";
                }
            }
            return null;
        }
        String member = exact.contains(program) ? program : null;
        for (int i = 0; member == null && i < prefixes.size(); i++) {
            if (program.startsWith(prefixes.get(i))) {
                member = prefixes.get(i) + "*";
            }
        }
        if (member != null && !program.endsWith("-save")) { // iptables-save and friends only print the rules
            if (family != PRINTERS && family != SENDERS && Vocabulary.table().onlyLists(e)) {
                return null; // a listing: iptables -L, nft list ruleset, ip addr show, sysctl net.ipv4.ip_forward
            }
            return program.equals(name) ? name : program + " (like " + name + ")";
        }
        return null;
    }
}
