package io.herald.auth.web;

import io.herald.auth.Secrets;
import io.herald.core.app.AppJson;
import io.herald.core.app.AppStore;
import io.herald.core.error.ApiError;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.tenant.Tenant;
import io.herald.core.tenant.TenantConflictException;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
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
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API's tenants, {@code /admin/tenants/**}: tenants, their users and the apps they own
 * (see {@code docs/admin-api.md}). The operator only (the admin token; {@code AuthSecurity}).
 *
 * <p>Passwords are taken once, hashed with {@link TenantPasswords} (off the event loops) and never
 * answered, logged or stored as given; answers list users by username only, never a hash.
 */
public final class TenantAdminHandler {

    private static final Logger log = LoggerFactory.getLogger(TenantAdminHandler.class);

    private static final int ID_ATTEMPTS = 5;
    private static final Set<String> CREATE_FIELDS = Set.of("id", "name");
    private static final Set<String> UPDATE_FIELDS = Set.of("name");
    private static final Set<String> USER_FIELDS = Set.of("username", "password");
    private static final Set<String> PASSWORD_FIELDS = Set.of("password");

    private final TenantStore tenants;
    private final TenantPasswords passwords;
    private final AppStore apps;
    private final Secrets secrets;

    public TenantAdminHandler(TenantStore tenants, TenantPasswords passwords, AppStore apps, Secrets secrets) {
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    /** {@code POST /admin/tenants} {@code {"id"?, "name"?}}: 201 with the tenant. */
    public Mono<ServerResponse> create(ServerRequest request) {
        return AdminHandler.jsonBody(request, false).defaultIfEmpty(PusherCodec.json().createObjectNode())
                .flatMap(body -> {
                    List<String> problems = new ArrayList<>();
                    AppJson.unknownFields(body, CREATE_FIELDS, "", problems);
                    String id = AdminHandler.optionalText(body, "id", problems);
                    if (id != null && !Names.isValidAppId(id)) {
                        problems.add("id must be 1-64 letters, digits, '-' or '_'");
                    }
                    String name = AdminHandler.optionalText(body, "name", problems);
                    if (!problems.isEmpty()) {
                        return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
                    }
                    Mono<Tenant> created = Mono.defer(() -> tenants.create(id != null ? id : secrets.newId(), name));
                    if (id == null) {
                        created = created.retryWhen(Retry.max(ID_ATTEMPTS - 1)
                                .filter(TenantConflictException.class::isInstance));
                    }
                    return conflicts(created).flatMap(tenant -> {
                        log.info("Created tenant {}", tenant.id());
                        return ServerResponse.status(HttpStatus.CREATED).contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(AdminHandler.bytes(json(tenant)));
                    });
                });
    }

    /** {@code GET /admin/tenants}: {@code {"tenants": […]}}, by id. */
    public Mono<ServerResponse> list(ServerRequest request) {
        return tenants.list().collectList().flatMap(all -> {
            ObjectNode body = PusherCodec.json().createObjectNode();
            ArrayNode array = body.putArray("tenants");
            all.forEach(tenant -> array.add(json(tenant)));
            return AdminHandler.json(body);
        });
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return answer(tenants.findById(id), id);
    }

    /** {@code PATCH /admin/tenants/{id}} {@code {"name"}}. */
    public Mono<ServerResponse> update(ServerRequest request) {
        String id = request.pathVariable("id");
        return AdminHandler.jsonBody(request, true).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            AppJson.unknownFields(body, UPDATE_FIELDS, "", problems);
            String name = AdminHandler.optionalText(body, "name", problems);
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            return answer(name == null ? tenants.findById(id) : tenants.rename(id, name), id);
        });
    }

    /** {@code DELETE /admin/tenants/{id}}: 204; its users can no longer sign in, its apps are left as they are. */
    public Mono<ServerResponse> delete(ServerRequest request) {
        String id = request.pathVariable("id");
        return tenants.delete(id).flatMap(existed -> {
            if (!existed) {
                return Mono.error(notFound(id));
            }
            log.info("Deleted tenant {}", id);
            return ServerResponse.noContent().build();
        });
    }

    /** {@code POST /admin/tenants/{id}/users} {@code {"username", "password"}}: 201 with the tenant. */
    public Mono<ServerResponse> addUser(ServerRequest request) {
        String id = request.pathVariable("id");
        return AdminHandler.jsonBody(request, true).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            AppJson.unknownFields(body, USER_FIELDS, "", problems);
            String username = text(body, "username");
            if (!Tenant.isValidUsername(username)) {
                problems.add("username must be 1-" + Tenant.MAX_USERNAME + " letters, digits or . _ @ + -");
            }
            String password = password(body, problems);
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            // Look first, so a request for an unknown tenant costs no hashing.
            return tenants.findById(id).switchIfEmpty(Mono.error(() -> notFound(id)))
                    .then(passwords.hash(password))
                    .flatMap(hash -> conflicts(tenants.addUser(id, username, hash)))
                    .switchIfEmpty(Mono.error(() -> notFound(id)))
                    .flatMap(tenant -> {
                        log.info("Added user {} to tenant {}", Tenant.normalize(username), id);
                        return ServerResponse.status(HttpStatus.CREATED).contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(AdminHandler.bytes(json(tenant)));
                    });
        });
    }

    /** {@code PUT /admin/tenants/{id}/users/{username}/password} {@code {"password"}}: 204; the user's sessions end. */
    public Mono<ServerResponse> setPassword(ServerRequest request) {
        String id = request.pathVariable("id");
        String username = request.pathVariable("username");
        return AdminHandler.jsonBody(request, true).flatMap(body -> {
            List<String> problems = new ArrayList<>();
            AppJson.unknownFields(body, PASSWORD_FIELDS, "", problems);
            String password = password(body, problems);
            if (!problems.isEmpty()) {
                return Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems)));
            }
            return tenants.findById(id).filter(tenant -> tenant.passwordHash(username) != null)
                    .switchIfEmpty(Mono.error(() -> noUser(id, username)))
                    .then(passwords.hash(password))
                    .flatMap(hash -> tenants.setPassword(id, username, hash))
                    .switchIfEmpty(Mono.error(() -> noUser(id, username)))
                    .flatMap(tenant -> {
                        log.info("Changed the password of user {} of tenant {}", Tenant.normalize(username), id);
                        return ServerResponse.noContent().build();
                    });
        });
    }

    /** {@code DELETE /admin/tenants/{id}/users/{username}}: 204. */
    public Mono<ServerResponse> removeUser(ServerRequest request) {
        String id = request.pathVariable("id");
        String username = request.pathVariable("username");
        return tenants.removeUser(id, username).switchIfEmpty(Mono.error(() -> noUser(id, username)))
                .flatMap(tenant -> {
                    log.info("Removed user {} from tenant {}", Tenant.normalize(username), id);
                    return ServerResponse.noContent().build();
                });
    }

    /** {@code PUT /admin/tenants/{id}/apps/{app_id}}: the tenant owns the app (which must exist); 200 with the tenant. */
    public Mono<ServerResponse> assignApp(ServerRequest request) {
        String id = request.pathVariable("id");
        String appId = request.pathVariable("app_id");
        if (!Names.isValidAppId(appId)) {
            return Mono.error(ApiError.NOT_FOUND.exception("No app with id " + appId));
        }
        return apps.findById(appId).switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception(
                        "No app with id " + appId)))
                .then(conflicts(tenants.assignApp(id, appId)))
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(tenant -> {
                    log.info("Tenant {} owns app {}", id, appId);
                    return AdminHandler.json(json(tenant));
                });
    }

    /** {@code DELETE /admin/tenants/{id}/apps/{app_id}}: the tenant no longer owns the app; 200 with the tenant. */
    public Mono<ServerResponse> unassignApp(ServerRequest request) {
        String id = request.pathVariable("id");
        String appId = request.pathVariable("app_id");
        return tenants.findById(id).filter(tenant -> tenant.owns(appId))
                .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("Tenant " + id
                        + " does not exist or does not own app " + appId)))
                .then(tenants.unassignApp(id, appId))
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(tenant -> {
                    log.info("Tenant {} no longer owns app {}", id, appId);
                    return AdminHandler.json(json(tenant));
                });
    }

    /** A tenant as the API shows it: users by username only. */
    static ObjectNode json(Tenant tenant) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("id", tenant.id());
        node.put("name", tenant.name());
        ArrayNode apps = node.putArray("apps");
        tenant.apps().forEach(apps::add);
        ArrayNode users = node.putArray("users");
        tenant.users().keySet().forEach(username -> users.addObject().put("username", username));
        return node;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** The password field, checked; problems never repeat it. */
    private static String password(JsonNode body, List<String> problems) {
        JsonNode value = body.get("password");
        if (value == null || !value.isString()) {
            problems.add("password must be a string");
            return null;
        }
        String problem = TenantPasswords.problem(value.asString());
        if (problem != null) {
            problems.add(problem);
        }
        return value.asString();
    }

    private Mono<ServerResponse> answer(Mono<Tenant> tenant, String id) {
        return tenant.switchIfEmpty(Mono.error(() -> notFound(id))).flatMap(found -> AdminHandler.json(json(found)));
    }

    private static <T> Mono<T> conflicts(Mono<T> write) {
        return write.onErrorMap(TenantConflictException.class, ex -> ApiError.CONFLICT.exception(ex.getMessage()));
    }

    private static RuntimeException notFound(String id) {
        return ApiError.NOT_FOUND.exception("No tenant with id " + id);
    }

    private static RuntimeException noUser(String id, String username) {
        return ApiError.NOT_FOUND.exception("No tenant with id " + id + " or no user " + username + " in it");
    }
}
