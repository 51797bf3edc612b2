package io.herald.publish.web;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.names.Names;
import io.herald.core.signature.RequestSignature;
import java.util.Objects;
import java.util.OptionalLong;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Admits a Pusher HTTP API request: finds the app of the {@code app_id} path variable, reads the
 * raw body up to the size limit and checks the request signature against the app's secrets valid
 * now (after a rotation, the previous one too during its grace period).
 *
 * <p>The checks, in order, and what fails them:
 * <ol>
 * <li>no such app: 404 (the secret is needed for everything else);</li>
 * <li>a body larger than the limit, by {@code Content-Length} or while reading: 413;</li>
 * <li>a missing or wrong signature, key, {@code auth_version} or {@code body_md5}, or a timestamp
 * outside the window: 401 (signatures fail closed);</li>
 * <li>a disabled app: 403, only for correctly signed requests, so the state of an app is not
 * told to strangers;</li>
 * <li>over the app's API request rate: 429 with {@code Retry-After} ({@link ApiQuotas}), also only
 * for correctly signed requests, so strangers cannot spend an app's quota.</li>
 * </ol>
 * Publish handlers then admit the request's messages with {@link #admitMessages} (daily quota:
 * 403; publish rate: 429).
 * The signature is computed over the request path and the URL-decoded query parameters, exactly
 * as the official server SDKs sign them, and over the raw body bytes (never a re-encoding).
 * Error messages never contain the secret or the expected signature.
 */
public final class RequestAuthenticator {

    /** The request attribute holding the app id of a request this authenticator accepted (for usage counting). */
    public static final String APP_ATTRIBUTE = RequestAuthenticator.class.getName() + ".app";

    private final AppStore apps;
    private final RequestSignature signature;
    private final int maxRequestBytes;
    private final ApiQuotas quotas;

    /** An authenticator that enforces no quota. */
    public RequestAuthenticator(AppStore apps, RequestSignature signature, int maxRequestBytes) {
        this(apps, signature, maxRequestBytes, null);
    }

    /** @param quotas the app quotas to enforce, or {@code null} for none */
    public RequestAuthenticator(AppStore apps, RequestSignature signature, int maxRequestBytes, ApiQuotas quotas) {
        this.quotas = quotas;
        this.apps = Objects.requireNonNull(apps, "apps");
        this.signature = Objects.requireNonNull(signature, "signature");
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive");
        }
        this.maxRequestBytes = maxRequestBytes;
    }

    /** {@link #authenticate(ApiRequest)} for a request of Spring WebFlux's functional routes. */
    public Mono<SignedRequest> authenticate(ServerRequest request) {
        return authenticate(new WebFluxApiRequest(request));
    }

    /**
     * Admits {@code request} (the checks above, in order), calling {@link ApiRequest#accepted} once
     * its signature is good and its app enabled; emits the app and the raw body, or fails with an
     * {@link ApiException}.
     */
    public Mono<SignedRequest> authenticate(ApiRequest request) {
        String appId = request.appId();
        if (!Names.isValidAppId(appId)) {
            return Mono.error(ApiError.NOT_FOUND.exception("Unknown app: app ids are 1-64 letters, digits, '-' or '_'"));
        }
        return apps.findById(appId)
                .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("Unknown app id " + appId
                        + "; check the app id your server SDK is configured with")))
                .flatMap(app -> readBody(request).map(body -> verify(request, app, body)))
                .flatMap(signed -> quotas == null ? Mono.just(signed)
                        : quotas.admitRequest(signed.app()).thenReturn(signed));
    }

    /**
     * Admits {@code messages} channel messages (events × channels) of an authenticated request,
     * or fails with 403 (over the daily quota) or 429 (over the publish rate).
     */
    public Mono<Void> admitMessages(App app, long messages) {
        return quotas == null ? Mono.empty() : quotas.admitMessages(app, messages);
    }

    private SignedRequest verify(ApiRequest request, App app, byte[] body) {
        signature.verify(app, request.method(), request.path(), request.queryParams(), body);
        if (!app.enabled()) {
            throw ApiError.FORBIDDEN.exception("App " + app.id() + " is disabled");
        }
        request.accepted(app.id());
        return new SignedRequest(app, body);
    }

    private Mono<byte[]> readBody(ApiRequest request) {
        OptionalLong length = request.contentLength();
        if (length.isPresent() && length.getAsLong() > maxRequestBytes) {
            return Mono.error(tooLarge(length.getAsLong()));
        }
        return request.body(maxRequestBytes).onErrorMap(DataBufferLimitException.class, ex -> tooLarge(-1));
    }

    private ApiException tooLarge(long length) {
        return new ApiException(ApiError.PAYLOAD_TOO_LARGE, "Request body too large"
                + (length >= 0 ? ": " + length + " bytes" : "") + "; the limit is " + maxRequestBytes + " bytes");
    }
}
