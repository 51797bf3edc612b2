package io.herald.core.warmup;

/**
 * How far one {@link WarmupTask} got.
 *
 * @param completed rounds that went the whole way (a connection subscribed and answered a ping, a
 *        publish answered 200)
 * @param failed rounds that failed or timed out
 * @param lastFailure the last failure, {@code null} when none failed
 * @param millis how long the task took
 * @param endedBy why it ended: {@code "count"} (all its rounds ran), {@code "quiet"} (the JIT
 *        compilers had gone quiet), {@code "time"} (its longest duration), {@code "error"}
 */
public record WarmupRounds(int completed, int failed, String lastFailure, long millis, String endedBy) {
}
