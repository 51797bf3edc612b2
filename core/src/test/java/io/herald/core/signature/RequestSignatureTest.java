package io.herald.core.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.pusher.rest.PusherAbstract;
import com.pusher.rest.data.Event;
import io.herald.core.app.App;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestSignatureTest {

    // Pusher's documented HTTP API signing example (see PUSHER-PROTOCOL.md, "Golden vector").
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String BODY = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    private static final String BODY_MD5 = "ec365a775a4cd0599faeb73354201b6f";
    private static final long TIMESTAMP = 1353088179L;
    private static final String PATH = "/apps/3/events";
    private static final String SIGNATURE = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

    private final RequestSignature atTimestamp = new RequestSignature(clockAt(TIMESTAMP));

    // --- Pusher's golden vector -------------------------------------------------------------

    @Test
    void goldenVectorBodyMd5() {
        assertThat(Hmac.md5Hex(BODY.getBytes(StandardCharsets.UTF_8))).isEqualTo(BODY_MD5);
    }

    @Test
    void goldenVectorStringToSign() {
        assertThat(RequestSignature.stringToSign("POST", PATH, goldenParams())).isEqualTo(
                "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
                        + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f");
    }

    @Test
    void goldenVectorSignature() {
        assertThat(RequestSignature.sign(SECRET, "POST", PATH, goldenParams())).isEqualTo(SIGNATURE);
    }

    @Test
    void goldenVectorVerifies() {
        assertThatCode(() -> verify(atTimestamp, goldenSignedParams(), BODY)).doesNotThrowAnyException();
    }

    @Test
    void theStringToSignLowerCasesSortsAndLeavesOutTheSignature() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Zeta", "z");
        params.put("auth_signature", "ignored");
        params.put("alpha", "a b,c");
        params.put("info", "user_count,subscription_count");

        assertThat(RequestSignature.stringToSign("get", "/apps/1/channels", params)).isEqualTo(
                "GET\n/apps/1/channels\nalpha=a b,c&info=user_count,subscription_count&zeta=z");
    }

    @Test
    void uppercaseHexSignatureAndBodyMd5AreAccepted() {
        Map<String, String> params = goldenParams();
        params.put("body_md5", BODY_MD5.toUpperCase());
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", PATH, params).toUpperCase());

        assertThatCode(() -> verify(atTimestamp, params, BODY)).doesNotThrowAnyException();
    }

    // --- requests signed by the official Pusher server SDK ----------------------------------

    @Test
    void acceptsATriggerSignedByTheOfficialSdk() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, SECRET);

        pusher.trigger("my-channel", "my-event", Map.of("message", "hello"));

        verifyCaptured(pusher.last, SECRET);
        assertThat(pusher.last.method).isEqualTo("POST");
        assertThat(pusher.last.path).isEqualTo("/apps/3/events");
        assertThat(pusher.last.params).containsKey("body_md5");
    }

    @Test
    void acceptsATriggerWithSeveralChannelsExcludedSocketAndUnicodeSignedByTheOfficialSdk() {
        CapturingPusher pusher = new CapturingPusher("app-1", KEY, SECRET);

        pusher.trigger(List.of("private-a", "presence-b", "c"), "my-event",
                Map.of("text", "héllo \"wörld\" ✓ 😀 & = + %"), "123.456");

        verifyCaptured(pusher.last, SECRET);
    }

    @Test
    void acceptsABatchTriggerSignedByTheOfficialSdk() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, SECRET);

        pusher.trigger(List.of(new Event("ch-1", "e1", Map.of("n", 1)), new Event("ch-2", "e2", "text", "1.2")));

        verifyCaptured(pusher.last, SECRET);
        assertThat(pusher.last.path).isEqualTo("/apps/3/batch_events");
    }

    @Test
    void acceptsAGetWithQueryParametersSignedByTheOfficialSdk() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, SECRET);

        pusher.get("/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count,subscription_count"));

        verifyCaptured(pusher.last, SECRET);
        assertThat(pusher.last.method).isEqualTo("GET");
        assertThat(pusher.last.body).isNull();
        assertThat(pusher.last.params).containsEntry("info", "user_count,subscription_count")
                .doesNotContainKey("body_md5");
    }

    @Test
    void acceptsAUriSignedByTheOfficialSdk() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, SECRET);

        URI uri = pusher.signedUri("GET", "/apps/3/channels/presence-room/users", null);

        verifyCaptured(Captured.of("GET", uri, null), SECRET);
    }

    @Test
    void rejectsARequestTheOfficialSdkSignedWithAnotherSecret() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, "another-secret");

        pusher.trigger("my-channel", "my-event", Map.of("message", "hello"));

        ApiException ex = catchThrowableOfType(ApiException.class, () -> verifyCaptured(pusher.last, SECRET));
        assertThat(ex.status()).isEqualTo(401);
        assertThat(ex.getMessage()).contains("Invalid signature");
    }

    @Test
    void rejectsAnSdkRequestWhoseBodyWasChangedInTransit() {
        CapturingPusher pusher = new CapturingPusher("3", KEY, SECRET);
        pusher.trigger("my-channel", "my-event", Map.of("message", "hello"));
        Captured tampered = new Captured(pusher.last.method, pusher.last.path, pusher.last.params,
                pusher.last.body.replace("hello", "HELLO"));

        assertRejected(new RequestSignature(Clock.systemUTC()), tampered.params, tampered.body, "POST",
                tampered.path, "body_md5 does not match");
    }

    // --- rejections ---------------------------------------------------------------------------

    @Test
    void rejectsAnAddedQueryParameter() {
        Map<String, String> params = goldenSignedParams();
        params.put("socket_id", "1.1");

        assertRejected(params, BODY, "Invalid signature");
    }

    @Test
    void rejectsAChangedPathOrMethod() {
        assertRejected(atTimestamp, goldenSignedParams(), BODY, "POST", "/apps/4/events", "Invalid signature");
        assertRejected(atTimestamp, goldenSignedParams(), BODY, "PUT", PATH, "Invalid signature");
    }

    @Test
    void rejectsAChangedSignedParameter() {
        Map<String, String> params = getParams();
        params.put("info", "subscription_count");

        assertRejected(atTimestamp, params, null, "GET", "/apps/3/channels", "Invalid signature");
    }

    @Test
    void rejectsATamperedBodyWithTheOriginalBodyMd5() {
        assertRejected(goldenSignedParams(), BODY.replace("foo", "bar"), "body_md5 does not match");
    }

    @Test
    void rejectsATamperedBodyWithARecomputedBodyMd5() {
        String body = BODY.replace("foo", "bar");
        Map<String, String> params = goldenSignedParams();
        params.put("body_md5", Hmac.md5Hex(body.getBytes(StandardCharsets.UTF_8)));

        assertRejected(params, body, "Invalid signature");
    }

    @Test
    void rejectsABodyWithoutBodyMd5() {
        Map<String, String> params = goldenSignedParams();
        params.remove("body_md5");
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", PATH, params));

        assertRejected(params, BODY, "body_md5");
    }

    @ParameterizedTest
    @ValueSource(strings = { "auth_key", "auth_timestamp", "auth_version", "auth_signature" })
    void rejectsAMissingAuthParameter(String name) {
        Map<String, String> params = goldenSignedParams();
        params.remove(name);

        assertRejected(params, BODY, "Missing " + name);
    }

    @ParameterizedTest
    @ValueSource(strings = { "auth_key", "auth_timestamp", "auth_version", "auth_signature" })
    void rejectsAnEmptyAuthParameter(String name) {
        Map<String, String> params = goldenSignedParams();
        params.put(name, "");

        assertRejected(params, BODY, "Missing " + name);
    }

    @Test
    void rejectsAnotherAppsKeyEvenWhenTheSignatureMatches() {
        Map<String, String> params = goldenSignedParams();
        params.put("auth_key", "0000000000another0key");
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", PATH, params));

        assertRejected(params, BODY, "auth_key");
    }

    @Test
    void acceptsTimestampsExactly600SecondsAway() {
        assertThatCode(() -> verify(new RequestSignature(clockAt(TIMESTAMP + 600)), goldenSignedParams(), BODY))
                .doesNotThrowAnyException();
        assertThatCode(() -> verify(new RequestSignature(clockAt(TIMESTAMP - 600)), goldenSignedParams(), BODY))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsATimestamp601SecondsInThePast() {
        assertRejected(new RequestSignature(clockAt(TIMESTAMP + 601)), goldenSignedParams(), BODY, "POST", PATH,
                "Timestamp expired");
    }

    @Test
    void rejectsATimestamp601SecondsInTheFuture() {
        assertRejected(new RequestSignature(clockAt(TIMESTAMP - 601)), goldenSignedParams(), BODY, "POST", PATH,
                "Timestamp expired");
    }

    @Test
    void rejectsATimestampThatIsNotANumber() {
        Map<String, String> params = goldenSignedParams();
        params.put("auth_timestamp", "yesterday");
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", PATH, params));

        assertRejected(params, BODY, "auth_timestamp");
    }

    @ParameterizedTest
    @ValueSource(strings = { "2.0", "1", "1.0.0", "0.9" })
    void rejectsAnAuthVersionOtherThan1Point0(String version) {
        Map<String, String> params = goldenSignedParams();
        params.put("auth_version", version);
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", PATH, params));

        assertRejected(params, BODY, "auth_version");
    }

    @Test
    void rejectsASignatureMadeWithAnotherSecret() {
        Map<String, String> params = goldenSignedParams();
        params.put("auth_signature", RequestSignature.sign("not-the-secret", "POST", PATH, params));

        assertRejected(params, BODY, "Invalid signature");
    }

    @Test
    void rejectsATruncatedSignature() {
        Map<String, String> params = goldenSignedParams();
        params.put("auth_signature", SIGNATURE.substring(0, 63));

        assertRejected(params, BODY, "Invalid signature");
    }

    // --- secret rotation -----------------------------------------------------------------------

    @Test
    void acceptsThePreviousSecretDuringItsGraceAndNotAfter() {
        // The golden request is signed with SECRET, which this app has just rotated out.
        App rotated = new App("3", KEY, "the-new-secret", null, true, null, null, null, SECRET,
                Instant.ofEpochSecond(TIMESTAMP + 60));

        assertThatCode(() -> new RequestSignature(clockAt(TIMESTAMP + 59))
                .verify(rotated, "POST", PATH, goldenSignedParams(), bytes(BODY))).doesNotThrowAnyException();
        ApiException after = catchThrowableOfType(ApiException.class, () -> new RequestSignature(clockAt(TIMESTAMP + 60))
                .verify(rotated, "POST", PATH, goldenSignedParams(), bytes(BODY)));
        assertThat(after).isNotNull();
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.getMessage()).contains("Invalid signature").doesNotContain(SECRET);
    }

    @Test
    void anAppWithoutItsSecretsIsAClearErrorNotAnEmptyHmacKey() {
        App publicView = app(SECRET).withoutSecrets();

        assertThatThrownBy(() -> verify(atTimestamp, publicView, goldenSignedParams(), BODY))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no secret in this process")
                .hasMessageNotContaining("Empty key");
    }

    // --- helpers ----------------------------------------------------------------------------

    /**
     * Every rejection is a 401 whose message says what is wrong and never contains the secret
     * or the signature the server expected.
     */
    private void assertRejected(Map<String, String> params, String body, String reason) {
        assertRejected(atTimestamp, params, body, "POST", PATH, reason);
    }

    private static void assertRejected(RequestSignature verifier, Map<String, String> params, String body,
            String method, String path, String reason) {
        ApiException ex = catchThrowableOfType(ApiException.class,
                () -> verifier.verify(app(SECRET), method, path, params, bytes(body)));

        assertThat(ex).as("rejected").isNotNull();
        assertThat(ex.error()).isEqualTo(ApiError.UNAUTHORIZED);
        assertThat(ex.status()).isEqualTo(401);
        assertThat(ex.getMessage()).contains(reason)
                .doesNotContain(SECRET)
                .doesNotContain(RequestSignature.sign(SECRET, method, path, params))
                .doesNotContain(SIGNATURE);
    }

    private static void verify(RequestSignature verifier, Map<String, String> params, String body) {
        verify(verifier, app(SECRET), params, body);
    }

    private static void verify(RequestSignature verifier, App app, Map<String, String> params, String body) {
        verifier.verify(app, "POST", PATH, params, bytes(body));
    }

    private static void verifyCaptured(Captured request, String secret) {
        new RequestSignature(Clock.systemUTC())
                .verify(app(secret), request.method, request.path, request.params, bytes(request.body));
    }

    private static App app(String secret) {
        return new App("3", KEY, secret, null, true, App.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    private static byte[] bytes(String body) {
        return body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> goldenParams() {
        Map<String, String> params = new HashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(TIMESTAMP));
        params.put("auth_version", "1.0");
        params.put("body_md5", BODY_MD5);
        return params;
    }

    private static Map<String, String> goldenSignedParams() {
        Map<String, String> params = goldenParams();
        params.put("auth_signature", SIGNATURE);
        return params;
    }

    private static Map<String, String> getParams() {
        Map<String, String> params = new HashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(TIMESTAMP));
        params.put("auth_version", "1.0");
        params.put("info", "user_count");
        params.put("auth_signature", RequestSignature.sign(SECRET, "GET", "/apps/3/channels", params));
        return params;
    }

    private static Clock clockAt(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    /** A request as the SDK would send it: method, path, decoded query parameters and body. */
    record Captured(String method, String path, Map<String, String> params, String body) {

        static Captured of(String method, URI uri, String body) {
            Map<String, String> params = new HashMap<>();
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return new Captured(method, uri.getRawPath(), params, body);
        }
    }

    /**
     * The official SDK with its HTTP call replaced by a capture: everything up to the wire
     * (serialising, signing, building the URI) is the SDK's own code.
     */
    static final class CapturingPusher extends PusherAbstract<Void> {

        Captured last;

        CapturingPusher(String appId, String key, String secret) {
            super(appId, key, secret);
        }

        @Override
        protected Void doGet(URI uri) {
            last = Captured.of("GET", uri, null);
            return null;
        }

        @Override
        protected Void doPost(URI uri, String body) {
            last = Captured.of("POST", uri, body);
            return null;
        }
    }
}
