package io.herald.auth.web;

import io.herald.core.error.ApiError;
import io.herald.auth.Secrets;
import io.herald.core.app.App;
import io.herald.core.app.AppConflictException;
import io.herald.core.app.AppFeatures;
import io.herald.core.app.AppJson;
import io.herald.core.app.AppLimits;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.Webhook;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.tenant.TenantStore;
import io.herald.core.webhook.WebhookFailureLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API over the {@link AppRegistry}: see {@code docs/admin-api.md}. Who may call what is
 * decided before (Spring Security, {@code AuthSecurity}); this class only serves.
 *
 * <p>Secrets: only create and rotate-secret responses carry the app's current secret; every other
 * response is {@link AppJson#toJson(App, boolean) toJson(app, false)}. Logs name apps by id and key
 * only.
 */
public final class AdminHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    /** Generated ids are random; on a (rare) clash a new one is drawn this many times. */
    private static final int ID_ATTEMPTS = 5;

    /** The most webhook failures one request returns. */
    static final int MAX_FAILURES = 100;

    private static final Set<String> CREATE_FIELDS = Set.of("id", "name", "enabled", "limits", "features", "webhooks");
    private static final Set<String> UPDATE_FIELDS = Set.of("name", "limits", "features", "webhooks");

    private final AppRegistry registry;
    private final Secrets secrets;
    private final Clock clock;
    private final Duration defaultGrace;
    private final Duration maxGrace;
    private final WebhookFailureLog failures;
    private final TenantStore tenants;

    /** @param failures the webhook failure log, or {@code null} when this process has none (empty lists then) */
    public AdminHandler(AppRegistry registry, Secrets secrets, Clock clock, Duration defaultGrace, Duration maxGrace,
            WebhookFailureLog failures) {
        this(registry, secrets, clock, defaultGrace, maxGrace, failures, null);
    }

    /**
     * @param tenants the tenants, whose ownership of a deleted app ends with it (so a new app with
     *        the same id starts with no owner); {@code null} for none
     */
    public AdminHandler(AppRegistry registry, Secrets secrets, Clock clock, Duration defaultGrace, Duration maxGrace,
            WebhookFailureLog failures, TenantStore tenants) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultGrace = Objects.requireNonNull(defaultGrace, "defaultGrace");
        this.maxGrace = Objects.requireNonNull(maxGrace, "maxGrace");
        this.failures = failures;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return jsonBody(request, true).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            AppJson.unknownFields(body, CREATE_FIELDS, "", problems);
            String id = optionalText(body, "id", problems);
            if (id != null && !Names.isValidAppId(id)) {
                problems.add("id must be 1-64 letters, digits, '-' or '_'");
            }
            String name = optionalText(body, "name", problems);
            JsonNode enabledNode = body.get("enabled");
            if (enabledNode != null && !enabledNode.isBoolean()) {
                problems.add("enabled must be true or false");
            }
            AppLimits limits = AppJson.limitsFromJson(body.get("limits"), AppLimits.DEFAULTS, "limits", problems);
            AppFeatures features = AppJson.featuresFromJson(body.get("features"), AppFeatures.DEFAULTS, "features",
                    problems);
            List<Webhook> webhooks = AppJson.webhooksFromJson(body.get("webhooks"), "webhooks", problems);
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            boolean enabled = enabledNode == null || enabledNode.asBoolean();
            // A fresh id, key and secret on every attempt (a generated id or key may clash); a given id is tried once.
            Mono<App> created = Mono.defer(() -> registry.create(new App(id != null ? id : secrets.newId(),
                    secrets.newKey(), secrets.newSecret(), name, enabled, limits, features, webhooks, null, null)));
            if (id == null) {
                created = created.retryWhen(Retry.max(ID_ATTEMPTS - 1).filter(AppConflictException.class::isInstance));
            }
            return created.flatMap(app -> {
                log.info("Created app {} (key {})", app.id(), app.key());
                return ServerResponse.status(HttpStatus.CREATED).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(bytes(AppJson.toJson(app, true)));
            });
        });
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return registry.list().map(app -> AppJson.toJson(app, false)).collectList().flatMap(apps -> {
            ObjectNode body = PusherCodec.json().createObjectNode();
            ArrayNode array = body.putArray("apps");
            apps.forEach(array::add);
            return json(body);
        });
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return registry.findById(id).switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("No app with id " + id)))
                .flatMap(app -> json(AppJson.toJson(app, false)));
    }

    public Mono<ServerResponse> update(ServerRequest request) {
        String id = request.pathVariable("id");
        return jsonBody(request, true).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            if (body.has("enabled")) {
                problems.add("enabled is changed with POST /admin/apps/{id}/enable or /disable");
            }
            if (body.has("id") || body.has("key") || body.has("secret")) {
                problems.add("id and key never change, and the secret changes only with POST /admin/apps/{id}/rotate-secret");
            }
            AppJson.unknownFields(body, union(UPDATE_FIELDS, Set.of("enabled", "id", "key", "secret")), "", problems);
            String name = optionalText(body, "name", problems);
            // Validate against defaults first, so problems are reported before touching the app.
            AppJson.limitsFromJson(body.get("limits"), AppLimits.DEFAULTS, "limits", problems);
            AppJson.featuresFromJson(body.get("features"), AppFeatures.DEFAULTS, "features", problems);
            List<Webhook> webhooks = body.has("webhooks")
                    ? AppJson.webhooksFromJson(body.get("webhooks"), "webhooks", problems) : null;
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            return registry.update(id, app -> {
                List<String> ignored = new ArrayList<>();
                // Partial limits and features apply over the app's current values.
                AppLimits limits = AppJson.limitsFromJson(body.get("limits"), app.limits(), "limits", ignored);
                AppFeatures features = AppJson.featuresFromJson(body.get("features"), app.features(), "features",
                        ignored);
                return new App(app.id(), app.key(), app.secret(), name != null ? name : app.name(), app.enabled(),
                        limits, features, webhooks != null ? webhooks : app.webhooks(), app.previousSecret(),
                        app.previousSecretValidUntil());
            }).switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("No app with id " + id))).flatMap(app -> {
                log.info("Updated app {}", app.id());
                return json(AppJson.toJson(app, false));
            });
        });
    }

    public Mono<ServerResponse> enable(ServerRequest request) {
        return setEnabled(request.pathVariable("id"), true);
    }

    public Mono<ServerResponse> disable(ServerRequest request) {
        return setEnabled(request.pathVariable("id"), false);
    }

    private Mono<ServerResponse> setEnabled(String id, boolean enabled) {
        return registry.update(id, app -> app.withEnabled(enabled))
                .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("No app with id " + id)))
                .flatMap(app -> {
                    log.info("{} app {}", enabled ? "Enabled" : "Disabled", app.id());
                    return json(AppJson.toJson(app, false));
                });
    }

    /**
     * Body (optional): {@code {"gracePeriodSeconds": n}}; the old secret is still accepted for that
     * long (0: not at all). Answers the app with its new secret.
     */
    public Mono<ServerResponse> rotateSecret(ServerRequest request) {
        String id = request.pathVariable("id");
        return jsonBody(request, false).defaultIfEmpty(PusherCodec.json().createObjectNode()).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            AppJson.unknownFields(body, Set.of("gracePeriodSeconds"), "", problems);
            Duration grace = defaultGrace;
            JsonNode seconds = body.get("gracePeriodSeconds");
            if (seconds != null) {
                if (!seconds.isIntegralNumber() || !seconds.canConvertToLong() || seconds.asLong() < 0
                        || Duration.ofSeconds(seconds.asLong()).compareTo(maxGrace) > 0) {
                    problems.add("gracePeriodSeconds must be an integer from 0 to " + maxGrace.toSeconds());
                }
                else {
                    grace = Duration.ofSeconds(seconds.asLong());
                }
            }
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            // Drawn once, outside the update function, which may run again after a concurrent write.
            String newSecret = secrets.newSecret();
            Duration chosen = grace;
            return registry.update(id, app -> {
                boolean keepOld = !chosen.isZero();
                return new App(app.id(), app.key(), newSecret, app.name(), app.enabled(), app.limits(),
                        app.features(), app.webhooks(), keepOld ? app.secret() : null,
                        keepOld ? clock.instant().plus(chosen) : null);
            }).switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("No app with id " + id))).flatMap(app -> {
                log.info("Rotated the secret of app {}; the previous one is accepted for {}", app.id(), chosen);
                return json(AppJson.toJson(app, true));
            });
        });
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        String id = request.pathVariable("id");
        return registry.delete(id).flatMap(existed -> {
            if (!existed) {
                return Mono.error(ApiError.NOT_FOUND.exception("No app with id " + id));
            }
            log.info("Deleted app {}", id);
            Mono<?> disowned = tenants == null ? Mono.empty()
                    : tenants.findByApp(id).flatMap(owner -> tenants.unassignApp(owner.id(), id))
                            // The app is gone either way; its tenant then lists it no more (it is not found).
                            .onErrorResume(ex -> {
                                log.warn("Deleted app {}, but its tenant still names it as its own: {}", id,
                                        ex.toString());
                                return Mono.empty();
                            });
            return disowned.then(ServerResponse.noContent().build());
        });
    }

    /** {@code ?limit=n} (1-100, default 20): the app's most recent webhook delivery failures, newest first. */
    public Mono<ServerResponse> webhookFailures(ServerRequest request) {
        String id = request.pathVariable("id");
        int limit;
        try {
            limit = Integer.parseInt(request.queryParam("limit").orElse("20"));
        }
        catch (NumberFormatException ex) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_FAILURES) {
            return Mono.error(ApiError.BAD_REQUEST.exception("limit must be an integer from 1 to " + MAX_FAILURES));
        }
        int max = limit;
        return registry.findById(id).switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("No app with id " + id)))
                .flatMap(app -> (failures == null ? Flux.<WebhookFailureLog.WebhookFailure>empty()
                        : failures.recent(id, max)).take(max).collectList())
                .flatMap(list -> {
                    ObjectNode body = PusherCodec.json().createObjectNode();
                    ArrayNode array = body.putArray("failures");
                    for (WebhookFailureLog.WebhookFailure failure : list) {
                        ObjectNode node = array.addObject();
                        node.put("url", failure.url().toString());
                        node.put("at", failure.at().toString());
                        node.put("attempt", failure.attempt());
                        node.put("status", failure.status());
                        node.put("reason", failure.reason());
                        node.put("events", failure.events());
                        node.put("gaveUp", failure.gaveUp());
                    }
                    return json(body);
                });
    }

    /** The body as a JSON object; empty when there is none and {@code required} is false. */
    static Mono<JsonNode> jsonBody(ServerRequest request, boolean required) {
        return request.bodyToMono(byte[].class)
                .map(bytes -> PusherCodec.json().readTree(bytes))
                .filter(node -> !node.isMissingNode())
                .switchIfEmpty(required ? Mono.error(() -> ApiError.BAD_REQUEST.exception("A JSON object body is required"))
                        : Mono.empty())
                .flatMap(node -> node.isObject() ? Mono.just(node)
                        : Mono.error(ApiError.BAD_REQUEST.exception("The body must be a JSON object")));
    }

    static String optionalText(JsonNode body, String field, List<String> problems) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString() || value.asString().isBlank() || value.asString().length() > 200) {
            problems.add(field + " must be a non-empty string of at most 200 characters");
            return null;
        }
        return value.asString();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    static Mono<ServerResponse> json(JsonNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(bytes(body));
    }

    static byte[] bytes(JsonNode body) {
        return PusherCodec.json().writeValueAsBytes(body);
    }
}
