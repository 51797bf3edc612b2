package io.herald.core.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** The days of a daily quota: which local date an instant falls on in the quota's zone, and when it ends. */
public final class QuotaDays {

    private QuotaDays() {
    }

    /** The epoch day of the local date of {@code now} in {@code zone}. */
    public static long epochDay(Instant now, ZoneId zone) {
        return LocalDate.ofInstant(now, zone).toEpochDay();
    }

    /** The local date of an epoch day, as in keys: {@code 2026-12-01}. */
    public static String date(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).toString();
    }

    /**
     * How long from {@code now} until the next local midnight in {@code zone} (the start of the
     * next day; a day shortened or lengthened by a daylight saving change is what it is).
     */
    public static Duration untilNextDay(Instant now, ZoneId zone) {
        Instant next = LocalDate.ofInstant(now, zone).plusDays(1).atStartOfDay(zone).toInstant();
        return Duration.between(now, next);
    }
}
