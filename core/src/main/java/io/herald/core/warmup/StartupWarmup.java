package io.herald.core.warmup;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import reactor.netty.resources.LoopResources;

/**
 * Warms the node's hot paths before it reports ready: every {@link WarmupTask} bean (the edge's
 * handshake and subscribe, the publish role's signed publish), in order, through this server's
 * own port with the internal {@link WarmupApp}, known to the app store only meanwhile.
 *
 * <p>Why: a fresh JVM interprets those paths and then compiles them; on a node with one core the
 * JIT competes with the event loops for the same CPU, so the first thousands of real connections
 * each waited hundreds of milliseconds and the first tens of thousands of publishes cost 10–40×
 * their warm CPU. Running the paths here moves that compilation before readiness. It is an
 * {@link ApplicationRunner}: Spring Boot reports readiness ({@code ACCEPTING_TRAFFIC}, so
 * {@code /actuator/health} and {@code /actuator/health/readiness} turn 200) only after the runners
 * returned. Each task is bounded by its count and its longest duration ({@code herald.warmup.*})
 * and ends early once the compilers went quiet; a failing warm-up is logged and never stops the start.
 */
public final class StartupWarmup implements ApplicationRunner, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);

    private final WarmupApp warmup;
    private final List<WarmupTask> tasks;
    private final WarmupProperties properties;
    private final Map<String, WarmupRounds> results = new ConcurrentHashMap<>();
    private volatile int port = -1;
    private volatile boolean finished;

    StartupWarmup(WarmupApp warmup, List<WarmupTask> tasks, WarmupProperties properties) {
        this.warmup = warmup;
        this.tasks = List.copyOf(tasks);
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // The main server only: a management server on its own port has a namespace.
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
        }
    }

    /** What each task reached, by {@link WarmupTask#name()}; empty before the warm-up ran. */
    public Map<String, WarmupRounds> results() {
        return Map.copyOf(results);
    }

    /** Whether the warm-up has ended (or was skipped). */
    public boolean finished() {
        return finished;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            if (port <= 0 || tasks.isEmpty()) {
                return;
            }
            warmup.active(true);
            LoopResources loops = LoopResources.create("herald-warmup", 1, true);
            try {
                WarmupContext context = new WarmupContext(port, warmup.app(), loops, properties.quietCompilation());
                for (WarmupTask task : tasks) {
                    WarmupRounds rounds;
                    try {
                        rounds = task.run(context);
                    }
                    catch (RuntimeException ex) {
                        rounds = new WarmupRounds(0, 0, ex.toString(), 0, "error");
                    }
                    results.put(task.name(), rounds);
                    logRounds(task.name(), rounds);
                }
            }
            finally {
                warmup.active(false);
                // Not waited for: the loop's thread is a daemon with nothing left to do, and a slow
                // teardown on a busy machine must not fail the start (it did, once, with a 1 s bound).
                loops.disposeLater(Duration.ZERO, Duration.ofSeconds(10)).subscribe(null,
                        ex -> log.warn("The start-up warm-up's event loop did not stop in time: {}", ex.toString()));
            }
        }
        finally {
            finished = true;
        }
    }

    private static void logRounds(String name, WarmupRounds rounds) {
        if (rounds.failed() == 0 && rounds.lastFailure() == null) {
            log.info("Start-up warm-up of the {} path: {} rounds in {} ms (ended by {})", name, rounds.completed(),
                    rounds.millis(), rounds.endedBy());
        }
        else {
            log.info("Start-up warm-up of the {} path: {} rounds in {} ms (ended by {}), {} failed (the last: {})",
                    name, rounds.completed(), rounds.millis(), rounds.endedBy(), rounds.failed(), rounds.lastFailure());
        }
    }
}
