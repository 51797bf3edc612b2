package io.herald.edge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * One log line per incident, with a count: the first failure of a kind is logged at once (one
 * WARN, no stack trace), the ones that follow are only counted, and a summary ("N … in the last
 * 10 s") is logged at most once per {@link #SUMMARY_PERIOD} while they go on. A kind quiet for a
 * whole period starts over: its next failure is logged at once again.
 *
 * <p>Why: a flood fails thousands of subscribes per second for one cause; a line (and a stack
 * trace) per failure buried the cause in 84 MB of log in 15 s (issue 8). The count is what an
 * operator needs, and the metrics count by reason as well.
 *
 * <p>Thread-safe; summaries are written by a periodic check on the given scheduler.
 */
public final class IncidentLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IncidentLog.class);

    /** The shortest time between two summaries of one kind. */
    static final Duration SUMMARY_PERIOD = Duration.ofSeconds(10);

    private final Clock clock;
    private final Map<String, Incident> incidents = new ConcurrentHashMap<>();
    private final Disposable flushing;

    public IncidentLog(Clock clock, Scheduler scheduler) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.flushing = scheduler.schedulePeriodically(this::flush, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Reports one failure.
     *
     * @param kind what failed, as the summary names it, e.g. "subscribes refused (the channel state
     *        did not answer in time)"; one incident per kind
     * @param detail this failure, for the first line and the summary's "last"
     */
    void report(String kind, String detail) {
        Instant now = clock.instant();
        boolean[] first = new boolean[1];
        // Atomic per kind with flush's removal, so no failure is counted into a forgotten incident.
        incidents.compute(kind, (k, incident) -> {
            Incident current = incident == null ? new Incident(now) : incident;
            first[0] = current.count(detail);
            return current;
        });
        if (first[0]) {
            log.warn("{}: {}. Further ones are counted, summarised at most every {} s", capitalized(kind), detail,
                    SUMMARY_PERIOD.toSeconds());
        }
    }

    /** Logs the summary of each kind whose period has passed, and forgets the kinds that went quiet. */
    void flush() {
        Instant now = clock.instant();
        for (String kind : incidents.keySet()) {
            Incident.Summary[] due = new Incident.Summary[1];
            incidents.computeIfPresent(kind, (k, incident) -> {
                due[0] = incident.summaryIfDue(now);
                return due[0] != null && due[0].count() == 0 ? null : incident;
            });
            Incident.Summary summary = due[0];
            if (summary == null || summary.count() == 0) {
                continue;
            }
            log.warn("{} {} in the last {} s; last: {}", summary.count(), kind, summary.seconds(), summary.last());
        }
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    @Override
    public void close() {
        flushing.dispose();
        flush();
    }

    /** One kind's failures since its last line; guarded by the map's per-key lock. */
    private static final class Incident {

        private Instant since;
        private boolean logged;
        private long count;
        private String last;

        Incident(Instant since) {
            this.since = since;
        }

        /** Counts one; {@code true} when it is the first of the incident, to be logged at once. */
        boolean count(String detail) {
            last = detail;
            if (!logged) {
                logged = true;
                return true;
            }
            count++;
            return false;
        }

        /** The summary when the period since the last line has passed, then starts a new period; else {@code null}. */
        Summary summaryIfDue(Instant now) {
            Duration elapsed = Duration.between(since, now);
            if (elapsed.compareTo(SUMMARY_PERIOD) < 0) {
                return null;
            }
            Summary summary = new Summary(count, Math.max(1, elapsed.toSeconds()), last);
            since = now;
            count = 0;
            return summary;
        }

        record Summary(long count, long seconds, String last) {
        }
    }
}
