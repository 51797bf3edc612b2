package io.herald.publish.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * The route reads a request exactly as Spring WebFlux does where a signature depends on it (the
 * query parameters), and claims only the paths it should.
 */
class NettyApiRequestTest {

    @Test
    void queryParametersAreReadAsSpringReadsThem() {
        for (String query : List.of("", "a=1", "a=1&b=2", "a", "a=", "a==b", "=b&c=d", "&&a=1&&", "a=1&a=2",
                "a&a=2", "auth_key=k&auth_timestamp=1&auth_version=1.0&body_md5=x&auth_signature=y",
                "name=hello+world&x=%41%42%2B", "a%3Db=c%26d", "info=user_count,subscription_count",
                "emoji=%F0%9F%98%80")) {
            MockServerHttpRequest spring = MockServerHttpRequest.method(HttpMethod.POST,
                    URI.create("/apps/a/events?" + query)).build();
            assertThat(NettyApiRequest.queryParams(query.isEmpty() ? null : query))
                    .as(query).isEqualTo(spring.getQueryParams().toSingleValueMap());
        }
    }

    @Test
    void aMalformedEscapeIsRefused() {
        assertThatThrownBy(() -> NettyApiRequest.queryParams("a=%zz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyThePublishPathsOfAPlainAppIdAreClaimed() {
        assertThat(PublishNettyRoutes.appIdEnd("/apps/demo-app/events")).isEqualTo("/apps/demo-app".length());
        assertThat(PublishNettyRoutes.appIdEnd("/apps/a_1/batch_events")).isEqualTo("/apps/a_1".length());
        for (String path : List.of("/apps/demo-app/events/", "/apps/demo%2Dapp/events", "/apps//events",
                "/apps/a/b/events", "/apps/a/channels", "/apps/a/eventsx", "/apps/a.b/events", "/app/key",
                "http://host/apps/a/events", "/apps/" + "a".repeat(65) + "/events", "/apps/a;x=1/events")) {
            assertThat(PublishNettyRoutes.appIdEnd(path)).as(path).isEqualTo(-1);
        }
        assertThat(PublishNettyRoutes.pathOf("/apps/a/events?x=1#f")).isEqualTo("/apps/a/events");
        assertThat(PublishNettyRoutes.pathOf("/apps/a/events#f")).isEqualTo("/apps/a/events");
    }
}
