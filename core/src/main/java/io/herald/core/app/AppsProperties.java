package io.herald.core.app;

import io.herald.core.names.Names;
import java.net.URI;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Apps declared in configuration ({@code herald.apps[n].*}), served by {@link StaticAppStore}.
 *
 * @param apps the apps; may be empty
 */
@ConfigurationProperties("herald")
public record AppsProperties(List<AppProperties> apps) {

    public AppsProperties {
        apps = apps == null ? List.of() : List.copyOf(apps);
    }

    /**
     * One app.
     *
     * @param id the app id used in HTTP API paths (letters, digits, {@code -} and {@code _})
     * @param key the public key clients connect with
     * @param secret the secret that signs HTTP API requests and channel authorizations
     * @param name a human-readable name; defaults to the id
     * @param enabled whether the app accepts connections and publishes
     * @param maxPayload the largest {@code data} of one event (Pusher's limit is 10KB)
     * @param maxConnections concurrent connections across the cluster; 0 for no limit
     * @param maxPublishPerSecond messages per second through the HTTP API; 0 for no limit
     * @param maxApiRequestsPerSecond HTTP API requests per second; 0 for no limit
     * @param maxMessagesPerDay messages per day through the HTTP API; 0 for no limit
     * @param timeZone the time zone whose midnight starts a new day for the daily quota
     * @param maxClientEventsPerSecond client events per second per connection (Pusher: 10)
     * @param maxPresenceMembers distinct users in one presence channel (Pusher: 100)
     * @param maxUserInfo the largest presence {@code user_info} (Pusher: 1KB)
     * @param clientEvents whether clients may send {@code client-*} events
     * @param userAuthentication whether connections must sign in ({@code pusher:signin}) or subscribe to a
     *        private or presence channel in time (Pusher's authorized connections)
     * @param subscriptionCount whether subscription counts are published and queryable
     * @param watchlistEvents whether signed-in users get online/offline events for their watchlist
     * @param webhooks the app's webhook endpoints
     */
    public record AppProperties(String id, String key, String secret, String name,
            @DefaultValue("true") boolean enabled, @DefaultValue("10KB") DataSize maxPayload,
            @DefaultValue("0") int maxConnections, @DefaultValue("0") int maxPublishPerSecond,
            @DefaultValue("0") int maxApiRequestsPerSecond, @DefaultValue("0") long maxMessagesPerDay,
            @DefaultValue("UTC") ZoneId timeZone,
            @DefaultValue("10") int maxClientEventsPerSecond, @DefaultValue("100") int maxPresenceMembers,
            @DefaultValue("1KB") DataSize maxUserInfo, @DefaultValue("false") boolean clientEvents,
            @DefaultValue("false") boolean userAuthentication, @DefaultValue("false") boolean subscriptionCount,
            @DefaultValue("false") boolean watchlistEvents, List<WebhookProperties> webhooks) {

        // Two constructors: Boot binds through the canonical one only when told so.
        @ConstructorBinding
        public AppProperties {
        }

        /** An app with Pusher's default limits, no features and no webhooks. */
        public AppProperties(String id, String key, String secret, String name, boolean enabled, DataSize maxPayload) {
            this(id, key, secret, name, enabled, maxPayload, 0, 0, 0, 0, ZoneOffset.UTC, 10, 100, DataSize.ofKilobytes(1), false, false,
                    false, false, List.of());
        }
    }

    /**
     * One webhook endpoint.
     *
     * @param url where batches are POSTed
     * @param events the event types wanted ({@code channel_occupied}, {@code member_added}, …); empty for all
     */
    public record WebhookProperties(URI url, List<String> events) {
    }

    /** The apps, validated; every problem is reported at once. */
    public List<App> toApps() {
        List<String> problems = new ArrayList<>();
        List<App> result = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            AppProperties p = apps.get(i);
            String where = "herald.apps[" + i + "]";
            if (!Names.isValidAppId(p.id())) {
                problems.add(where + ".id must be 1-64 letters, digits, '-' or '_'");
            }
            if (p.key() == null || p.key().isBlank()) {
                problems.add(where + ".key must be set");
            }
            if (p.secret() == null || p.secret().isBlank()) {
                problems.add(where + ".secret must be set");
            }
            long max = p.maxPayload() == null ? App.DEFAULT_MAX_PAYLOAD_BYTES : p.maxPayload().toBytes();
            if (max <= 0 || max > Integer.MAX_VALUE) {
                problems.add(where + ".max-payload must be between 1B and 2GB");
            }
            long maxUserInfo = p.maxUserInfo() == null ? 1024 : p.maxUserInfo().toBytes();
            if (maxUserInfo <= 0 || maxUserInfo > Integer.MAX_VALUE) {
                problems.add(where + ".max-user-info must be between 1B and 2GB");
            }
            AppLimits limits = null;
            try {
                limits = new AppLimits(p.maxConnections(), p.maxPublishPerSecond(), p.maxClientEventsPerSecond(),
                        (int) Math.max(1, Math.min(max, Integer.MAX_VALUE)), p.maxPresenceMembers(),
                        (int) Math.max(1, Math.min(maxUserInfo, Integer.MAX_VALUE)), p.maxApiRequestsPerSecond(),
                        p.maxMessagesPerDay(), p.timeZone());
            }
            catch (IllegalArgumentException ex) {
                problems.add(where + ": " + ex.getMessage());
            }
            List<Webhook> webhooks = new ArrayList<>();
            List<WebhookProperties> hooks = p.webhooks() == null ? List.of() : p.webhooks();
            for (int w = 0; w < hooks.size(); w++) {
                WebhookProperties hook = hooks.get(w);
                String hookWhere = where + ".webhooks[" + w + "]";
                if (hook.url() == null || hook.url().getScheme() == null
                        || !(hook.url().getScheme().equals("http") || hook.url().getScheme().equals("https"))) {
                    problems.add(hookWhere + ".url must be an http or https URL");
                    continue;
                }
                Set<WebhookEventType> types = EnumSet.noneOf(WebhookEventType.class);
                for (String event : hook.events() == null ? List.<String>of() : hook.events()) {
                    try {
                        types.add(WebhookEventType.fromWireName(event));
                    }
                    catch (IllegalArgumentException ex) {
                        problems.add(hookWhere + ".events has an unknown event type: " + event);
                    }
                }
                webhooks.add(new Webhook(hook.url(), types));
            }
            if (problems.isEmpty()) {
                result.add(new App(p.id(), p.key(), p.secret(), p.name(), p.enabled(), limits,
                        new AppFeatures(p.clientEvents(), p.userAuthentication(), p.subscriptionCount(),
                                p.watchlistEvents()), webhooks,
                        null, null));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid app configuration: " + String.join("; ", problems));
        }
        return result;
    }
}
