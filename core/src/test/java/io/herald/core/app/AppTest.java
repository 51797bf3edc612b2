package io.herald.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.test.StepVerifier;

class AppTest {

    private static final String SECRET = "s3cr3t-d0-not-log";

    @Test
    void toStringNeverContainsTheSecret() {
        App app = new App("app-1", "key-1", SECRET, "My app", true, 10_240);

        assertThat(app.toString()).doesNotContain(SECRET).contains("app-1").contains("key-1");
        assertThat(List.of(app).toString()).doesNotContain(SECRET);
    }

    @Test
    void nameDefaultsToTheId() {
        assertThat(new App("app-1", "k", "s", null, true, 1).name()).isEqualTo("app-1");
    }

    @Test
    void rejectsANonPositivePayloadLimit() {
        assertThatThrownBy(() -> new App("app-1", "k", "s", null, true, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validPropertiesBecomeApps() {
        AppsProperties properties = new AppsProperties(List.of(
                new AppsProperties.AppProperties("app-1", "key-1", SECRET, null, true, DataSize.ofKilobytes(10)),
                new AppsProperties.AppProperties("app-2", "key-2", "other", "Second", false, null)));

        List<App> apps = properties.toApps();

        assertThat(apps).hasSize(2);
        assertThat(apps.get(0)).isEqualTo(new App("app-1", "key-1", SECRET, "app-1", true, 10_240));
        assertThat(apps.get(1)).isEqualTo(new App("app-2", "key-2", "other", "Second", false,
                App.DEFAULT_MAX_PAYLOAD_BYTES));
    }

    @Test
    void noAppsIsValid() {
        assertThat(new AppsProperties(null).toApps()).isEmpty();
    }

    @Test
    void everyInvalidAppIsReportedAtOnce() {
        AppsProperties properties = new AppsProperties(List.of(
                new AppsProperties.AppProperties("bad id", "key-0", SECRET, null, true, null),
                new AppsProperties.AppProperties("app-1", "key-1", SECRET, null, true, null),
                new AppsProperties.AppProperties("app-2", null, " ", null, true, null),
                new AppsProperties.AppProperties("app-3", "key-3", SECRET, null, true, DataSize.ofBytes(0)),
                new AppsProperties.AppProperties(null, "key-4", SECRET, null, true, DataSize.ofGigabytes(4))));

        IllegalArgumentException ex = catchThrowableOfType(IllegalArgumentException.class, properties::toApps);

        assertThat(ex.getMessage())
                .contains("herald.apps[0].id")
                .contains("herald.apps[2].key")
                .contains("herald.apps[2].secret")
                .contains("herald.apps[3].max-payload")
                .contains("herald.apps[4].id")
                .contains("herald.apps[4].max-payload")
                .doesNotContain("herald.apps[1]")
                .doesNotContain(SECRET);
    }

    @Test
    void theStaticStoreFindsAppsByIdAndKeyAndRejectsDuplicates() {
        App app = new App("app-1", "key-1", SECRET, null, true, 1);
        StaticAppStore store = new StaticAppStore(List.of(app));

        StepVerifier.create(store.findById("app-1")).expectNext(app).verifyComplete();
        StepVerifier.create(store.findByKey("key-1")).expectNext(app).verifyComplete();
        StepVerifier.create(store.findById("key-1")).verifyComplete();
        StepVerifier.create(store.findByKey("nope")).verifyComplete();

        assertThatThrownBy(() -> new StaticAppStore(List.of(app, new App("app-1", "key-2", "s", null, true, 1))))
                .hasMessageContaining("same id").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> new StaticAppStore(List.of(app, new App("app-2", "key-1", "s", null, true, 1))))
                .hasMessageContaining("same key").hasMessageNotContaining(SECRET);
    }

    @Test
    void quotasBindFromPropertiesWithTheirZone() {
        java.util.Map<String, String> source = java.util.Map.of(
                "herald.apps[0].id", "app-1", "herald.apps[0].key", "key-1", "herald.apps[0].secret", SECRET,
                "herald.apps[0].max-connections", "100", "herald.apps[0].max-publish-per-second", "50",
                "herald.apps[0].max-api-requests-per-second", "20", "herald.apps[0].max-messages-per-day", "5000000000",
                "herald.apps[0].time-zone", "Europe/Paris");
        AppsProperties properties = new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(source))
                .bind("herald", AppsProperties.class).get();

        AppLimits limits = properties.toApps().get(0).limits();

        assertThat(limits).isEqualTo(AppLimits.DEFAULTS.withQuotas(100, 50, 20, 5_000_000_000L,
                java.time.ZoneId.of("Europe/Paris")));
        assertThat(new AppsProperties(List.of(new AppsProperties.AppProperties("a", "k", SECRET, null, true, null)))
                .toApps().get(0).limits().timeZone()).isEqualTo(java.time.ZoneOffset.UTC);
    }

    @Test
    void quotasRoundTripThroughJsonAndAPartialObjectKeepsTheRest() {
        AppLimits limits = AppLimits.DEFAULTS.withQuotas(100, 50, 20, 1_000_000, java.time.ZoneId.of("Asia/Tokyo"));
        List<String> problems = new java.util.ArrayList<>();

        AppLimits read = AppJson.limitsFromJson(AppJson.limitsToJson(limits), AppLimits.DEFAULTS, "limits", problems);
        AppLimits patched = AppJson.limitsFromJson(io.herald.core.protocol.PusherCodec.json()
                .readTree("{\"maxMessagesPerDay\":7}"), limits, "limits", problems);

        assertThat(problems).isEmpty();
        assertThat(read).isEqualTo(limits);
        assertThat(patched).isEqualTo(limits.withQuotas(100, 50, 20, 7, java.time.ZoneId.of("Asia/Tokyo")));
    }

    @Test
    void aBadTimeZoneOrNegativeDailyQuotaIsReportedAtOnce() {
        List<String> problems = new java.util.ArrayList<>();

        AppJson.limitsFromJson(io.herald.core.protocol.PusherCodec.json()
                .readTree("{\"timeZone\":\"Mars/Olympus\",\"maxMessagesPerDay\":-1,\"maxApiRequestsPerSecond\":-2}"),
                AppLimits.DEFAULTS, "limits", problems);

        assertThat(problems).containsExactlyInAnyOrder(
                "limits.timeZone must be a time zone id such as UTC or Europe/Paris",
                "limits.maxMessagesPerDay must be an integer of at least 0 (0 = no limit)",
                "limits.maxApiRequestsPerSecond must be an integer of at least 0 (0 = no limit)");
    }
}
