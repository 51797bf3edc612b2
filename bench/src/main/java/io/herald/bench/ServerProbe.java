package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads the server's own cost from {@code /proc}: CPU time ({@code utime + stime} of
 * {@code /proc/<pid>/stat}, all threads of the process) and resident memory ({@code VmRSS} of
 * {@code /proc/<pid>/status}), summed over the given processes (nginx's master and worker, or a
 * server and its redis-server). Only meaningful when the server runs on this host.
 */
final class ServerProbe {

    /** {@code /proc} reports CPU times in USER_HZ ticks, which Linux fixes at 100 per second. */
    static final double TICKS_PER_SECOND = 100.0;

    private final List<Integer> pids;
    private final Path proc;

    ServerProbe(List<Integer> pids) {
        this(pids, Path.of("/proc"));
    }

    ServerProbe(List<Integer> pids, Path proc) {
        this.pids = List.copyOf(Objects.requireNonNull(pids, "pids"));
        this.proc = Objects.requireNonNull(proc, "proc");
    }

    /** CPU seconds used so far by all the processes, user and system. */
    double cpuSeconds() {
        long ticks = 0;
        for (int pid : pids) {
            ticks += cpuTicks(read(proc.resolve(Integer.toString(pid)).resolve("stat")));
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Resident set size of all the processes, in KiB. */
    long rssKib() {
        long kib = 0;
        for (int pid : pids) {
            kib += rssKib(read(proc.resolve(Integer.toString(pid)).resolve("status")));
        }
        return kib;
    }

    /**
     * {@code utime + stime} (fields 14 and 15) of a {@code /proc/<pid>/stat} line. The second field,
     * the command name in parentheses, may itself contain spaces and parentheses, so fields are
     * counted from after its last {@code ')'}.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new BenchException("unexpected /proc stat line: " + stat);
        }
        // after ") " come field 3 (state), 4, ...; utime is field 14, stime field 15
        String[] rest = stat.substring(close + 1).trim().split("\\s+");
        return Long.parseLong(rest[14 - 3]) + Long.parseLong(rest[15 - 3]);
    }

    /** The {@code VmRSS:} value of a {@code /proc/<pid>/status} text, in KiB. */
    static long rssKib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new BenchException("no VmRSS line in /proc status");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException ex) {
            throw new BenchException("cannot read " + file + " (--server-pid: is the server still running?): "
                    + ex.getMessage(), ex);
        }
    }
}
