package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.testing.TestClock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** One log line per incident, with a count; time is a {@link TestClock}, so the periods are exact. */
class IncidentLogTest {

    private static final String KIND = "subscribes refused (a test)";

    private final Logger logger = (Logger) LoggerFactory.getLogger(IncidentLog.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final TestClock clock = new TestClock();
    private final Scheduler scheduler = Schedulers.newSingle("incident-log-test");

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        scheduler.dispose();
    }

    @Test
    void theFirstFailureIsLoggedAtOnceAndTheOthersAsOneSummaryWithTheirCount() {
        try (IncidentLog incidents = new IncidentLog(clock, scheduler)) {
            for (int i = 0; i < 1000; i++) {
                incidents.report(KIND, "failure " + i);
            }
            assertThat(lines()).singleElement().asString().contains("Subscribes refused (a test): failure 0");

            incidents.flush();
            assertThat(lines()).as("no summary before the period has passed").hasSize(1);
            clock.advance(IncidentLog.SUMMARY_PERIOD);
            incidents.flush();
            assertThat(lines()).hasSize(2).last().asString()
                    .isEqualTo("999 subscribes refused (a test) in the last 10 s; last: failure 999");

            // A period without failures ends the incident: the next failure is a new one, logged at once.
            clock.advance(IncidentLog.SUMMARY_PERIOD);
            incidents.flush();
            assertThat(lines()).hasSize(2);
            incidents.report(KIND, "a new one");
            assertThat(lines()).hasSize(3).last().asString().contains("a new one");
            assertThat(appender.list).allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
        }
    }

    @Test
    void kindsAreCountedApart() {
        try (IncidentLog incidents = new IncidentLog(clock, scheduler)) {
            incidents.report("timeouts", "t1");
            incidents.report("timeouts", "t2");
            incidents.report("outages", "o1");
            clock.advance(IncidentLog.SUMMARY_PERIOD);
            incidents.flush();
            assertThat(lines()).containsExactlyInAnyOrder(
                    "Timeouts: t1. Further ones are counted, summarised at most every 10 s",
                    "Outages: o1. Further ones are counted, summarised at most every 10 s",
                    "1 timeouts in the last 10 s; last: t2");
        }
    }

    private List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
