package io.herald.publish;

/**
 * The counts of one channel returned for {@code info}; an attribute that was not asked for is
 * {@code null} and left out of the response.
 */
public record ChannelCounts(Integer userCount, Integer subscriptionCount) {
}
