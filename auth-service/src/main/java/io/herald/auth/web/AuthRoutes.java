package io.herald.auth.web;

import io.herald.core.web.ApiErrorResponses;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * auth-service's routes: the admin API under {@code /admin/apps} and {@code /admin/tenants}, and the internal API under
 * {@code /internal/v1}. Only these paths are claimed (so the routes can sit in one server with
 * others), and their errors are answered by {@link ApiErrorResponses}.
 */
public final class AuthRoutes {

    public static final String APPS = "/admin/apps";
    public static final String APP = "/admin/apps/{id}";
    public static final String TENANTS = "/admin/tenants";
    public static final String TENANT = "/admin/tenants/{id}";

    private AuthRoutes() {
    }

    public static RouterFunction<ServerResponse> routes(AdminHandler admin, TenantAdminHandler tenants,
            InternalHandler internal, ApiErrorResponses errors) {
        return RouterFunctions.route()
                .POST(TENANTS, tenants::create)
                .GET(TENANTS, tenants::list)
                .GET(TENANT, tenants::get)
                .PATCH(TENANT, tenants::update)
                .DELETE(TENANT, tenants::delete)
                .POST(TENANT + "/users", tenants::addUser)
                .PUT(TENANT + "/users/{username}/password", tenants::setPassword)
                .DELETE(TENANT + "/users/{username}", tenants::removeUser)
                .PUT(TENANT + "/apps/{app_id}", tenants::assignApp)
                .DELETE(TENANT + "/apps/{app_id}", tenants::unassignApp)
                .POST(APPS, admin::create)
                .GET(APPS, admin::list)
                .GET(APP, admin::get)
                .PATCH(APP, admin::update)
                .DELETE(APP, admin::delete)
                .POST(APP + "/enable", admin::enable)
                .POST(APP + "/disable", admin::disable)
                .POST(APP + "/rotate-secret", admin::rotateSecret)
                .GET(APP + "/webhook-failures", admin::webhookFailures)
                .POST("/internal/v1/channel-auth", internal::channelAuth)
                .POST("/internal/v1/user-auth", internal::userAuth)
                .GET("/internal/v1/apps/by-id/{id}", internal::appById)
                .GET("/internal/v1/apps/by-key/{key}", internal::appByKey)
                .GET("/internal/v1/apps/changes", internal::changes)
                .route(path("/admin/**").or(path("/internal/**")),
                        request -> ServerResponse.status(404).contentType(
                                org.springframework.http.MediaType.APPLICATION_JSON)
                                .bodyValue(ApiErrorResponses.body("No such endpoint (or method)", 404)))
                .filter(errors)
                .build();
    }
}
