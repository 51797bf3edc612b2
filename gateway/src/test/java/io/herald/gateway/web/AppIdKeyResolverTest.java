package io.herald.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class AppIdKeyResolverTest {

    private final AppIdKeyResolver resolver = new AppIdKeyResolver();

    @Test
    void theKeyIsTheAppIdOfAnHttpApiPath() {
        assertThat(resolver.resolve(MockServerWebExchange.from(MockServerHttpRequest.post("/apps/app-1/events")))
                .block()).isEqualTo("app-1");
        assertThat(AppIdKeyResolver.appId("/apps/app_2/channels/presence-x/users")).isEqualTo("app_2");
        assertThat(AppIdKeyResolver.appId("/apps/app-3")).isEqualTo("app-3");
    }

    @Test
    void otherPathsHaveNoKey() {
        assertThat(resolver.resolve(MockServerWebExchange.from(MockServerHttpRequest.get("/admin/apps"))).block())
                .isNull();
        assertThat(AppIdKeyResolver.appId("/app/key")).isNull();
        assertThat(AppIdKeyResolver.appId("/apps/")).isNull();
    }
}
