package io.herald.core.app;

import io.herald.core.names.Names;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
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
     */
    public record AppProperties(String id, String key, String secret, String name,
            @DefaultValue("true") boolean enabled, @DefaultValue("10KB") DataSize maxPayload) {
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
            if (problems.isEmpty()) {
                result.add(new App(p.id(), p.key(), p.secret(), p.name(), p.enabled(), (int) max));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid app configuration: " + String.join("; ", problems));
        }
        return result;
    }
}
